/**
 * Lambda bundles as CDK builds them, and what importing each one costs.
 *
 * Each function is synthesized with bundling on (NodejsFunction runs esbuild with the construct's own
 * options), so the bytes measured are the asset CDK would upload.
 *
 * Import time: a fresh `node` process per measurement imports the bundle (as Lambda's init does),
 * and, as the baseline, a fresh process imports only the @aws-sdk packages that bundle imports (the
 * runtime provides them: CDK marks @aws-sdk/* external). The ratio of the medians is reported; both
 * are measured in the same run, alternating, so the machine's noise hits both alike.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { IsmsFunction, repoRoot } from '#infra/constructs/isms-function.ts';
import { functions, type FunctionSpec } from '#infra/functions.ts';
import { featureFlags } from '#infra/stacks/app.ts';

export interface BundleFigure {
  /** Function registry entry, e.g. functions/open-cycle.ts. */
  readonly entry: string;
  /** Bytes of the bundled handler (index.mjs), as uploaded; the source map is not counted. */
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** The @aws-sdk packages the bundle imports (external: provided by the Lambda runtime). */
  readonly sdkPackages: readonly string[];
  readonly file: string;
}

export interface ImportFigure {
  readonly entry: string;
  /** Median milliseconds to import the bundle in a fresh process. */
  readonly handlerMs: number;
  /** Median milliseconds to import only its AWS SDK packages in a fresh process. */
  readonly sdkMs: number;
  /** handlerMs / sdkMs; null when the bundle imports no SDK package. */
  readonly ratio: number | null;
}

/** A function CDK could not bundle, with esbuild's first error. */
export interface BundleFailure {
  readonly entry: string;
  readonly error: string;
}

export type BundleResult = BundleFigure | BundleFailure;

export const bundled = (result: BundleResult): result is BundleFigure => 'bytes' in result;

export class BundleNotFound extends Error {
  override name = 'BundleNotFound' as const;
}

/**
 * Bundles every registry function the way the stack does: one small app per function holding only
 * its IsmsFunction construct, synthesized with bundling on into `outdir/<id>` (inside the repository,
 * so the external @aws-sdk packages resolve when the bundle is imported). One app per function, so
 * that a function CDK cannot bundle is reported as such and the others are still measured.
 */
export function bundleFunctions(
  outdir: string,
  specs: readonly Pick<FunctionSpec, 'id' | 'entry' | 'description'>[] = functions,
): BundleResult[] {
  rmSync(outdir, { recursive: true, force: true });
  return specs.map((spec): BundleResult => {
    const appDir = join(outdir, spec.id);
    // The stack's feature flags: they choose what CDK leaves out of the bundle (@aws-sdk, @smithy).
    const app = new App({ outdir: appDir, context: featureFlags });
    const stack = new Stack(app, 'Bench');
    try {
      // NodejsFunction bundles while it is constructed.
      new IsmsFunction(stack, 'Fn', { entry: spec.entry, description: spec.description });
      app.synth();
    } catch (error) {
      // esbuild's own message went to stderr above; the exception only says that it failed.
      const message = (error as Error).message.split('\n')[0]!;
      const status = /exited with status \d+/.exec(message)?.[0];
      return {
        entry: spec.entry,
        error: status ? `CDK bundling failed: esbuild ${status} (its error is printed above)` : message,
      };
    }
    // The app holds this one function: its code is the one asset folder.
    const asset = readdirSync(appDir).find((name) => name.startsWith('asset.'));
    if (!asset) throw new BundleNotFound(`${spec.entry}: no asset in ${appDir} (was bundling skipped?)`);
    const folder = join(appDir, asset);
    const main = readdirSync(folder).find((name) => /^index\.(mjs|js)$/.test(name));
    if (!main) throw new BundleNotFound(`${spec.entry}: no index.mjs in ${folder}`);
    const file = join(folder, main);
    return {
      entry: spec.entry,
      bytes: statSync(file).size,
      sourceMapBytes: safeSize(`${file}.map`),
      sdkPackages: sdkPackagesOf(readFileSync(file, 'utf8')),
      file,
    };
  });
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The @aws-sdk packages a bundle imports statically or dynamically (subpaths folded). */
export function sdkPackagesOf(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/["'](@aws-sdk\/[a-z0-9-]+)(?:\/[^"']*)?["']/g)) found.add(match[1]!);
  return [...found].sort();
}

const IMPORT_SCRIPT = `
const targets = JSON.parse(process.env.BENCH_IMPORTS);
const started = performance.now();
for (const target of targets) await import(target);
process.stdout.write(String(performance.now() - started));
`;

/** Milliseconds to import `targets` in a fresh node process (run from the repository root). */
function timeImport(targets: readonly string[], env: Record<string, string>): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
    cwd: repoRoot,
    env: { ...process.env, ...env, BENCH_IMPORTS: JSON.stringify(targets) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(out.trim());
  if (!Number.isFinite(ms)) throw new Error(`import timing printed no number: ${out.slice(0, 200)}`);
  return ms;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The environment a function has on AWS, enough for its module code to load (nothing is called). */
const LAMBDA_LIKE_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  TABLE_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'isms-review',
  POWERTOOLS_METRICS_NAMESPACE: 'IsmsReview',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export function measureImports(bundles: readonly BundleFigure[], repetitions: number): ImportFigure[] {
  return bundles.map((bundle) => {
    const handler: number[] = [];
    const sdk: number[] = [];
    const url = pathToFileURL(bundle.file).href;
    for (let i = 0; i < repetitions; i += 1) {
      handler.push(timeImport([url], LAMBDA_LIKE_ENV));
      if (bundle.sdkPackages.length > 0) sdk.push(timeImport(bundle.sdkPackages, LAMBDA_LIKE_ENV));
    }
    const handlerMs = median(handler);
    const sdkMs = sdk.length > 0 ? median(sdk) : 0;
    return {
      entry: bundle.entry,
      handlerMs: round(handlerMs),
      sdkMs: round(sdkMs),
      ratio: sdkMs > 0 ? round(handlerMs / sdkMs, 2) : null,
    };
  });
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** The issue's targets: each bundle (index.mjs, maps excluded) and each import ratio at most these. */
export const BUNDLE_LIMIT_BYTES = 400_000;
export const IMPORT_RATIO_LIMIT = 1.25;

export interface BundleSummary {
  readonly limitBytes: number;
  readonly largestBytes: number | null;
  /** Entries whose bundle is over limitBytes, or that CDK could not bundle. */
  readonly overLimit: readonly string[];
  readonly ratioLimit: number;
  readonly highestRatio: number | null;
  /** Entries whose import ratio is over ratioLimit. */
  readonly overRatio: readonly string[];
}

/** Where the bundles stand against BUNDLE_LIMIT_BYTES and IMPORT_RATIO_LIMIT. */
export function summariseBundles(
  bundles: readonly BundleResult[],
  imports: readonly ImportFigure[],
): BundleSummary {
  const sizes = bundles.filter(bundled).map((b) => b.bytes);
  const ratios = imports.flatMap((i) => (i.ratio === null ? [] : [i.ratio]));
  return {
    limitBytes: BUNDLE_LIMIT_BYTES,
    largestBytes: sizes.length > 0 ? Math.max(...sizes) : null,
    overLimit: bundles.filter((b) => !bundled(b) || b.bytes > BUNDLE_LIMIT_BYTES).map((b) => b.entry),
    ratioLimit: IMPORT_RATIO_LIMIT,
    highestRatio: ratios.length > 0 ? Math.max(...ratios) : null,
    overRatio: imports.filter((i) => i.ratio !== null && i.ratio > IMPORT_RATIO_LIMIT).map((i) => i.entry),
  };
}

/** `dynamodb,s3` for a bundle importing @aws-sdk/client-dynamodb, @aws-sdk/lib-dynamodb and @aws-sdk/client-s3. */
export const clientNames = (sdkPackages: readonly string[]): string =>
  [...new Set(sdkPackages.filter((p) => p.startsWith('@aws-sdk/client-')).map((p) => p.slice(16)))].join(',');
