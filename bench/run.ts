/**
 * `npm run bench`: measured speed, cost and resilience figures. Prints a report for people, ending
 * with every target and whether this run met it (section 7, verdict.ts), and as its last line one
 * JSON object holding every figure and that verdict (for CI and for comparing runs).
 *
 * It starts its own local stack (DynamoDB Local, local SES, local S3, SMTP) and stops it at the end;
 * Lambda bundles are built the way `cdk synth` builds them, into cdk.out/bench (ignored by git).
 * Figures are counts and ratios where possible: timings on a shared machine are noisy.
 *
 * Section 4 runs the demo's whole cycle (demo/run.ts) on its own ephemeral stack and counts what it
 * used; the cost estimate (section 5) is built from those counts.
 *
 * Environment: BENCH_IMPORT_REPETITIONS (default 5), BENCH_INGEST_MESSAGES (default 200),
 * BENCH_SKIP_BUNDLES=true (leave out section 1, e.g. while working on the others),
 * BENCH_SKIP_CYCLE=true (leave out sections 4 and 5: the whole cycle and the cost built from it),
 * BENCH_HISTORY=small,medium (measure section 2 at these history sizes only; default all three),
 * BENCH_TRACE_REQUESTS=true (section 2 prints every DynamoDB command with its keys and caller).
 */
import './quiet.ts';
import { join } from 'node:path';
import { repoRoot } from '#infra/constructs/isms-function.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import {
  bundled,
  bundleFunctions,
  clientNames,
  measureImports,
  summariseBundles,
  type BundleResult,
  type ImportFigure,
} from './bundles.ts';
import {
  CLOUDWATCH_FREE_TIER,
  estimateCycleCost,
  FIXED_MONTHLY_PRICES_USD,
  fixedMonthlyCost,
  historySurcharge,
  PRICE_REGION,
  UNIT_PRICES_USD,
} from './cost.ts';
import { countCycle, type CycleFigures } from './cycle.ts';
import {
  measureAllSizes,
  measureIngestThroughput,
  startBenchStack,
  targetsOf,
  type IngestFigures,
  type SizeFigures,
  type TargetFigure,
} from './operations.ts';
import { synthesizeTemplate } from './stack-template.ts';
import { LIMITS, verdictLines, verdictOf, type VerdictInputs } from './verdict.ts';

const START = new Date('2027-01-04T09:00:00.000Z');
/** SMTP ingest throughput the bench must reach, on 2 cores, with nothing lost. */
const INGEST_TARGET_PER_SECOND = LIMITS.ingestMessagesPerSecond;
const say = (line = '') => process.stdout.write(`${line}\n`);
const pad = (text: string | number, width: number) => String(text).padStart(width);

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const began = performance.now();
  const repetitions = Number(process.env.BENCH_IMPORT_REPETITIONS ?? '5');
  const ingestMessages = Number(process.env.BENCH_INGEST_MESSAGES ?? '200');
  const programme = loadProgrammeFile(join(repoRoot, 'programme.example.yaml'));

  say('isms-review bench');
  say("1. Lambda bundles as CDK builds them (esbuild, the IsmsFunction construct's options)");
  const bundles: BundleResult[] =
    process.env.BENCH_SKIP_BUNDLES === 'true' ? [] : bundleFunctions(join(repoRoot, 'cdk.out', 'bench'));
  const imports: ImportFigure[] = measureImports(bundles.filter(bundled), repetitions);
  reportBundles(bundles, imports, repetitions);
  const bundleSummary = summariseBundles(bundles, imports);
  // Counted from the synthesized template: what the stack costs each month with no review running.
  const fixedCost = fixedMonthlyCost(synthesizeTemplate(programme));

  say('2. DynamoDB requests per operation (counted by SDK middleware, DynamoDB Local)');
  const bench = await startBenchStack();
  let sizes: SizeFigures[];
  let ingest: IngestFigures;
  let targets: TargetFigure[];
  try {
    sizes = await measureAllSizes(bench, programme, START, say);
    reportSizes(sizes);
    targets = targetsOf(sizes);
    reportTargets(targets);
    say(`3. Ingest through the local SMTP server: ${ingestMessages} messages, every fifth a duplicate`);
    ingest = await measureIngestThroughput(bench, programme, START, ingestMessages);
  } finally {
    await bench.stack.stop();
  }
  say(
    `   ${ingest.messages} messages (${ingest.distinctMessageIds} distinct) in ${ingest.seconds} s: ` +
      `${ingest.messagesPerSecond} messages/s, lost ${ingest.lost}, ` +
      `temporary failures resent ${ingest.temporaryFailures}; outcomes ${JSON.stringify(ingest.outcomes)}`,
  );
  say(
    `   DynamoDB ${ingest.dynamodbRequestsPerMessage} requests per message ${JSON.stringify(ingest.dynamodbByCommand)}`,
  );
  say(
    `   target: at least ${INGEST_TARGET_PER_SECOND} messages/s with 0 lost: ` +
      (ingest.messagesPerSecond >= INGEST_TARGET_PER_SECOND && ingest.lost === 0 ? 'met' : 'NOT met'),
  );

  const commonFigures = (seconds: number) => ({
    bench: 'isms-review',
    at: new Date().toISOString(),
    node: process.version,
    seconds,
    bundles: bundles.map((b) =>
      bundled(b)
        ? { entry: b.entry, bytes: b.bytes, sourceMapBytes: b.sourceMapBytes, sdkPackages: b.sdkPackages }
        : { entry: b.entry, bytes: null, error: b.error },
    ),
    importTime: { repetitions, functions: imports },
    bundleSummary,
    fixedMonthlyCost: {
      unitPricesUsd: FIXED_MONTHLY_PRICES_USD,
      freeTier: CLOUDWATCH_FREE_TIER,
      ...fixedCost,
    },
    dynamodb: sizes.map((s) => ({
      history: { cycles: s.size.cycles, closedActions: s.size.closedActions },
      seededItems: s.seededItems,
      operations: s.operations,
      emailsSent: s.emailsSent,
    })),
    packageBuildMsLarge: large.operations.compilePackage.ms,
    requestTargets: { met: targets.every((t) => t.met), operations: targets },
    ingest: { ...ingest, target: { messagesPerSecond: INGEST_TARGET_PER_SECOND, lost: 0 }, met: ingestMet },
  });
  const ingestMet = ingest.messagesPerSecond >= INGEST_TARGET_PER_SECOND && ingest.lost === 0;
  const large = sizes.at(-1)!;
  const verdictInputs: VerdictInputs = {
    ...(bundles.length > 0
      ? {
          bundles: {
            ...bundleSummary,
            functions: bundles.length,
            ratios: imports.filter((i) => i.ratio !== null).length,
          },
        }
      : {}),
    requestTargets: targets,
    ingest,
    fixedCost,
  };
  if (process.env.BENCH_SKIP_CYCLE === 'true') {
    say('4. and 5. left out (BENCH_SKIP_CYCLE=true)');
    const seconds = Math.round((performance.now() - began) / 1000);
    reportFixedCost(fixedCost);
    const verdict = reportVerdict({ ...verdictInputs, cost: undefined });
    say(`bench finished in ${seconds} s`);
    say(JSON.stringify({ ...commonFigures(seconds), cycle: null, cost: null, verdict }));
    return;
  }
  say('4. One quarterly review cycle through the synthesized state machine (the demo cycle, counted)');
  const cycle = await countCycle();
  reportCycle(cycle);

  const surcharge = historySurcharge(cycle, sizes[0]!, large);
  const cost = estimateCycleCost(cycle, surcharge);
  say('5. Estimated AWS cost of one quarterly review cycle (large history)');
  say(`   unit prices, ${PRICE_REGION}:`);
  for (const [name, { usd, per }] of Object.entries(UNIT_PRICES_USD)) {
    say(`     ${name}: USD ${usd} per ${per.toLocaleString('en-US')}`);
  }
  say(
    `   counted: ${cost.stateTransitions} state transitions, Lambda ${cost.lambdaInvocations} invocations / ` +
      `${cost.lambdaGbSeconds} GB-s, ${cost.counted.emailsSent} emails sent to ${cost.counted.emailRecipients} ` +
      `recipients, ${cost.counted.emailsReceived} received, ` +
      `DynamoDB ${cost.counted.dynamodbReadUnits} RRU + ${cost.counted.dynamodbWriteUnits} WRU`,
  );
  say(
    `   modelled: history surcharge DynamoDB ${surcharge.readUnits} RRU + ${surcharge.writeUnits} WRU ` +
      `(${surcharge.modelled})`,
  );
  say(`   not counted: ${cost.notCounted.join('; ')}`);
  say(
    `   USD: DynamoDB ${cost.usd.dynamodb} (${cost.dynamodbReadUnits} RRU + ${cost.dynamodbWriteUnits} WRU), ` +
      `Step Functions ${cost.usd.stepFunctions}, Lambda ${cost.usd.lambda}, SES ${cost.usd.ses}; ` +
      `total ${cost.usd.total}`,
  );
  reportFixedCost(fixedCost);
  const verdict = reportVerdict({ ...verdictInputs, cost });
  const seconds = Math.round((performance.now() - began) / 1000);
  say(`bench finished in ${seconds} s`);

  const figures = {
    ...commonFigures(seconds),
    cycle,
    cost: { priceRegion: PRICE_REGION, unitPricesUsd: UNIT_PRICES_USD, ...cost },
    verdict,
  };
  say(JSON.stringify(figures));
}

/** Section 7: every target with what this run measured (verdict.ts); returned for the JSON line. */
function reportVerdict(inputs: VerdictInputs) {
  const verdicts = verdictOf(inputs);
  say('7. Targets');
  for (const line of verdictLines(verdicts)) say(line);
  return { allMet: verdicts.every((v) => v.met === true), targets: verdicts };
}

function reportBundles(
  bundles: readonly BundleResult[],
  imports: readonly ImportFigure[],
  repetitions: number,
) {
  for (const bundle of bundles) {
    if (!bundled(bundle)) {
      say(`   ${bundle.entry.padEnd(34)} NOT BUNDLED: ${bundle.error}`);
      continue;
    }
    const time = imports.find((i) => i.entry === bundle.entry);
    say(
      `   ${bundle.entry.padEnd(34)} ${pad(bundle.bytes, 9)} B` +
        (time
          ? `  import ${pad(time.handlerMs, 7)} ms vs SDK ${pad(time.sdkMs, 7)} ms: ratio ${pad(time.ratio ?? 'n/a', 4)}`
          : '') +
        `  SDK: ${clientNames(bundle.sdkPackages) || 'none'}`,
    );
  }
  say(`   (import times: median of ${repetitions} fresh node processes each)`);
  const summary = summariseBundles(bundles, imports);
  say(
    `   largest bundle ${summary.largestBytes ?? 'n/a'} B (limit ${summary.limitBytes}; over: ${summary.overLimit.length}), ` +
      `highest import ratio ${summary.highestRatio ?? 'n/a'} (limit ${summary.ratioLimit}; over: ${summary.overRatio.length})`,
  );
}

function reportTargets(targets: readonly TargetFigure[]) {
  for (const t of targets) {
    say(
      `   target ${t.operation}: ${t.requests} requests for ${t.units} ${t.units === 1 ? 'unit' : 'units'}, ` +
        `at most ${t.allowed}; by history size ${t.bySize.join(' / ')} (${t.flat ? 'flat' : 'NOT flat'}): ` +
        (t.met ? 'met' : 'NOT met'),
    );
  }
}

function reportCycle(cycle: CycleFigures) {
  say(
    `   cycle ${cycle.cycleId} ${cycle.phase} after ${cycle.simulatedDays} simulated days (${cycle.seconds} s here): ` +
      `${cycle.stateTransitions} state transitions (${cycle.statesEntered} states entered, ${cycle.retries} retries)`,
  );
  say(`   ${'function'.padEnd(20)}${pad('invocations', 12)}${pad('ms', 9)}${pad('MB', 6)}${pad('GB-s', 8)}`);
  for (const [id, f] of Object.entries(cycle.lambda)) {
    say(
      `   ${id.padEnd(20)}${pad(f.invocations, 12)}${pad(f.ms, 9)}${pad(f.memoryMb, 6)}${pad(f.gbSeconds, 8)}`,
    );
  }
  say(
    `   ${'total'.padEnd(20)}${pad(cycle.lambdaInvocations, 12)}${pad('', 15)}${pad(cycle.lambdaGbSeconds, 8)}` +
      `  (durations in process on this machine)`,
  );
  say(
    `   emails ${cycle.emailsSent} sent (${cycle.emailRecipients} recipients), ${cycle.emailsReceived} received; ` +
      `DynamoDB ${cycle.dynamodb.requests} requests, ${cycle.dynamodb.readUnits} RRU + ${cycle.dynamodb.writeUnits} WRU`,
  );
}

function reportSizes(sizes: readonly SizeFigures[]) {
  const names = Object.keys(sizes[0]!.operations) as (keyof SizeFigures['operations'])[];
  say(
    `   ${'operation'.padEnd(20)}` +
      sizes.map((s) => pad(`${s.size.cycles} cycles/${s.size.closedActions} actions`, 30)).join(''),
  );
  for (const name of names) {
    say(
      `   ${name.padEnd(20)}` +
        sizes
          .map((s) => {
            const op = s.operations[name];
            return pad(`${op.requests} req ${op.readUnits}R/${op.writeUnits}W ${op.ms} ms`, 30);
          })
          .join(''),
    );
  }
  say(`   emails sent by the cycle: ${sizes.map((s) => s.emailsSent).join(' / ')}`);
}

function reportFixedCost(fixed: ReturnType<typeof fixedMonthlyCost>) {
  say('6. Fixed monthly cost with no review running (counted from the synthesized template)');
  for (const [item, { usd, per }] of Object.entries(FIXED_MONTHLY_PRICES_USD)) {
    const key = item as keyof typeof FIXED_MONTHLY_PRICES_USD;
    say(
      `   ${item.padEnd(12)} ${pad(fixed.counted[key], 4)} x USD ${usd} per ${per} = USD ${fixed.usd[key]}`,
    );
  }
  const free = CLOUDWATCH_FREE_TIER;
  const dashboards = fixed.dashboardMetrics.map((metrics) =>
    metrics > free.metricsPerDashboard
      ? `${metrics} metrics (over ${free.metricsPerDashboard}: billed)`
      : `${metrics} metrics`,
  );
  say(`   dashboards: ${dashboards.join(', ') || 'none'}`);
  say(`   not counted: ${fixed.notCounted.join('; ')}`);
  say(`   USD per month: total ${fixed.usd.total} at list price`);
  say(
    `   USD per month after CloudWatch's always-free tier (${free.alarmMetrics} alarm metrics, ` +
      `${free.dashboards} dashboards of up to ${free.metricsPerDashboard} metrics; KMS keys and secrets have none): ` +
      `total ${fixed.usdAfterFreeTier.total} (alarms ${fixed.usdAfterFreeTier.alarmMetric}, dashboard ${fixed.usdAfterFreeTier.dashboard})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
