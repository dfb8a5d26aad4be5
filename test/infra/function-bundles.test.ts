/**
 * Each function's bundle holds the AWS SDK clients of the dependencies its handler names and no
 * others (shared/wiring/: one module per dependency). The functions are bundled as IsmsFunction's
 * NodejsFunction bundles them (esbuild: the entry, ESM for Node.js, the SDK and @smithy external as
 * the stack's feature flag has it, the registry's nodeModules external), all in one esbuild call
 * per set of externals, and the clients are read from esbuild's metafile.
 *
 * A new function, or a new dependency of one, changes a row of the table below: which is the point.
 * The same build checks what makes bundles lean (zod imported as a namespace, package.json's
 * `"sideEffects": false`): one zod locale, no mail library where no mail is handled, and the size.
 */
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTION_RUNTIME, repoRoot } from '#infra/constructs/isms-function.ts';
import { functions } from '#infra/functions.ts';
import { featureFlags } from '#infra/stacks/app.ts';

/** The @aws-sdk/client-* packages each function's bundle imports, by registry id. */
const EXPECTED_CLIENTS: Record<string, readonly string[]> = {
  'ingest-email': ['dynamodb', 's3', 'secrets-manager', 'ses', 'sfn'],
  'held-mail-digest': ['dynamodb', 'ses'],
  'start-cycle': ['dynamodb', 'sfn'],
  'open-cycle': ['dynamodb'],
  'request-inputs': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'check-inputs': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'await-inputs': ['dynamodb', 'sfn'],
  'compile-package': ['dynamodb', 's3'],
  'distribute-package': ['dynamodb', 'kms', 's3', 'secrets-manager', 'ses'],
  'request-minutes': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'await-minutes': ['dynamodb', 'sfn'],
  'await-meeting': ['dynamodb', 'sfn'],
  'check-minutes': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'check-approval': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'await-approval': ['dynamodb', 'sfn'],
  'record-outcomes': ['dynamodb', 'kms', 's3', 'secrets-manager', 'ses'],
  'follow-up-actions': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  'await-follow-up': ['dynamodb', 'sfn'],
  'close-cycle': ['dynamodb'],
  'anchor-chain': ['dynamodb', 'kms', 's3'],
  'publish-anchor-key': ['kms'],
  'record-mail-event': ['dynamodb'],
  'rotate-reply-key': ['secrets-manager'],
  'record-failure': ['dynamodb', 's3', 'secrets-manager', 'ses'],
  web: ['dynamodb', 'kms', 'lambda', 's3', 'secrets-manager', 'ses', 'sfn'],
};

/** What NodejsFunction leaves out of every bundle on a Node.js 18+ runtime: the runtime provides it. */
const SDK_EXTERNALS = featureFlags['@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages']
  ? ['@aws-sdk/*', '@smithy/*']
  : ['@aws-sdk/*'];

/** esbuild's target for the functions' runtime, as NodejsFunction derives it (`nodejs24.x` → `node24`). */
const TARGET = FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/** What one function's bundle holds: its SDK clients, its size, the files inlined into it. */
interface BundleContents {
  /** The client packages it imports (`dynamodb`, ...). */
  readonly clients: string[];
  /** Minified bytes, as IsmsFunction builds it (no source map). */
  readonly bytes: number;
  readonly inputs: string[];
}

/** What each output of `metafile` holds, by its entry file. */
function contentsByEntry(metafile: Metafile): Map<string, BundleContents> {
  const found = new Map<string, BundleContents>();
  for (const output of Object.values(metafile.outputs)) {
    if (!output.entryPoint) continue;
    const clients = output.imports
      .filter((i) => i.external && i.path.startsWith('@aws-sdk/client-'))
      .map((i) => i.path.slice('@aws-sdk/client-'.length).split('/')[0]!);
    found.set(output.entryPoint, {
      clients: [...new Set(clients)].sort(),
      bytes: output.bytes,
      inputs: Object.keys(output.inputs),
    });
  }
  return found;
}

/** Bundles every registry function; one esbuild call per set of nodeModules (their externals differ). */
async function bundleAll(): Promise<Map<string, BundleContents>> {
  const groups = new Map<string, typeof functions>();
  for (const spec of functions) {
    const key = [...(spec.nodeModules ?? [])].sort().join(',');
    groups.set(key, [...(groups.get(key) ?? []), spec]);
  }
  const byEntry = new Map<string, BundleContents>();
  for (const specs of groups.values()) {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: Object.fromEntries(specs.map((spec) => [spec.id, spec.entry])),
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: TARGET,
      mainFields: ['module', 'main'],
      external: [...SDK_EXTERNALS, ...(specs[0]!.nodeModules ?? [])],
      outdir: 'bundles',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    for (const [entry, contents] of contentsByEntry(result.metafile)) byEntry.set(entry, contents);
  }
  return new Map(
    functions.map((spec) => [spec.id, byEntry.get(spec.entry) ?? { clients: [], bytes: 0, inputs: [] }]),
  );
}

/** Built once for every assertion below. */
let bundles: Promise<Map<string, BundleContents>> | undefined;
const allBundles = () => (bundles ??= bundleAll());

/** The functions that neither send nor read mail, and so bundle no mail library. */
const WITHOUT_MAIL = [
  'start-cycle',
  'open-cycle',
  'await-inputs',
  'await-approval',
  'await-minutes',
  'await-meeting',
  'await-follow-up',
  'compile-package',
  'close-cycle',
  'anchor-chain',
  'publish-anchor-key',
  'record-mail-event',
  'rotate-reply-key',
];

/** Bytes a bundle of a function in WITHOUT_MAIL or LEAN_SENDERS may have (minified, source map apart). */
const BUNDLE_LIMIT_BYTES = 400_000;

/**
 * The functions that send mail and stay within the limit: each names the notifier of the one message
 * family it sends, and none bundles the package renderer (only compile-package builds a package).
 */
const LEAN_SENDERS = [
  'held-mail-digest',
  'request-inputs',
  'check-inputs',
  'distribute-package',
  'request-minutes',
  'check-minutes',
  'check-approval',
  'record-outcomes',
  'follow-up-actions',
  'record-failure',
];

/**
 * Bytes the web function's bundle may have: above BUNDLE_LIMIT_BYTES (its pages, the evidence export
 * and verification), but no inbound mail pipeline: held mail is released by ingest-email.
 */
const WEB_BUNDLE_LIMIT_BYTES = 680_000;

describe('function bundles', () => {
  it(
    'hold exactly the SDK clients of the dependencies each handler names',
    { timeout: 120_000 },
    async () => {
      expect(Object.keys(EXPECTED_CLIENTS).sort()).toEqual(functions.map((spec) => spec.id).sort());
      const contents = await allBundles();
      const clients = new Map([...contents].map(([id, bundle]) => [id, bundle.clients]));
      expect(Object.fromEntries(clients)).toEqual(
        Object.fromEntries(Object.entries(EXPECTED_CLIENTS).map(([id, list]) => [id, [...list].sort()])),
      );
    },
  );

  it('hold one zod locale (English) and no JSON Schema parser: zod is imported as a namespace', async () => {
    for (const [id, bundle] of await allBundles()) {
      // Each locale is a file of its own; their index only names them.
      const locales = bundle.inputs.filter(
        (input) => input.includes('node_modules/zod/v4/locales/') && !input.endsWith('/index.js'),
      );
      expect(locales, id).toEqual(['node_modules/zod/v4/locales/en.js']);
      expect(
        bundle.inputs.filter((input) => input.includes('from-json-schema')),
        id,
      ).toEqual([]);
    }
  });

  it('of functions without mail hold no mail library and stay within the size limit', async () => {
    const contents = await allBundles();
    for (const id of WITHOUT_MAIL) {
      const bundle = contents.get(id)!;
      const mailLibraries = bundle.inputs.filter((input) =>
        /node_modules\/(nodemailer|mailparser|postal-mime|libmime|tldts|yaml)\//.test(input),
      );
      expect(mailLibraries, id).toEqual([]);
      expect(bundle.bytes, id).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
    }
  });

  it('read inbound mail with postal-mime: none holds mailparser or its charset tables', async () => {
    for (const [id, bundle] of await allBundles()) {
      const heavy = bundle.inputs.filter((input) =>
        /node_modules\/(mailparser|libmime|encoding-japanese|iconv-lite|htmlparser2|he)\//.test(input),
      );
      expect(heavy, id).toEqual([]);
    }
  });

  it('of functions that send mail hold no MIME library (shared/mail/mime.ts writes it) and the lean ones stay within the limit', async () => {
    const contents = await allBundles();
    for (const [id, bundle] of contents) {
      expect(
        bundle.inputs.filter((input) => /nodemailer\/.*\/(mail-composer|mime-node|mime-funcs)\//.test(input)),
        id,
      ).toEqual([]);
    }
    for (const id of LEAN_SENDERS) {
      expect(contents.get(id)!.inputs, id).not.toContain('shared/package/render.ts');
      expect(contents.get(id)!.bytes, id).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
    }
  });

  it('of the web function hold no inbound mail pipeline (ingest-email releases held mail) and stay within its limit', async () => {
    const web = (await allBundles()).get('web')!;
    const pipeline = web.inputs.filter(
      (input) =>
        /node_modules\/(postal-mime|yaml|tldts|tldts-core)\//.test(input) ||
        /^shared\/(ingest\/pipeline|minutes\/|notify\/input-messages|mail\/mail-authentication)/.test(input),
    );
    expect(pipeline).toEqual([]);
    expect(web.bytes).toBeLessThanOrEqual(WEB_BUNDLE_LIMIT_BYTES);
  });
});
