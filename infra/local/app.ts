/**
 * `npm start`: everything a user needs on one machine. The local stack (DynamoDB Local, local SES,
 * local S3, inbound SMTP), the review-cycle state machine from the synthesized template run by the
 * local Step Functions runtime (Step Functions API on ISMS_PORT_SFN, default 8083), and inbound mail
 * from the SMTP server handed to the same ingest code the SES receipt rule invokes on AWS.
 *
 * Settings (environment): ISMS_PROGRAMME_FILE (default programme.example.yaml), ISMS_CLOCK_SPEED
 * (simulated seconds per real second; default 1, e.g. 86400 runs a day per second for a demo),
 * ISMS_PORT_SFN, ISMS_TEMPLATE_FILE (a template `cdk synth` wrote for this programme; default: synthesize
 * at start), plus the stack's own (see start.ts). With a data folder, simulated time continues from
 * where the last run left it (infra/local/stepfunctions/clock-file.ts), so a restart resumes every
 * open cycle on its own timeline.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { OnInbound } from './emulators/smtp.ts';
import { BadStartOption, runLocalStack } from './start.ts';
import { LocalScheduler, schedulesFromTemplate } from './scheduler.ts';
import { importHandlerFrom } from './stepfunctions/lambda.ts';
import { repoRoot } from './stepfunctions/runtime.ts';
import { startLocalWorkflow } from './workflow.ts';

export class BadAppSetting extends Error {
  override name = 'BadAppSetting' as const;
}

/** Inbound mail from the local SMTP server goes through the same ingest as on AWS. */
const ingestInbound: OnInbound = async (message) => {
  const { ingestFromSmtp, ingestDeps } = await import('#functions/ingest-email.ts');
  const outcome = await ingestFromSmtp(await ingestDeps(), message);
  console.log(`inbound ${message.key}: ${outcome.outcome} (${outcome.reason})`);
};

export async function runLocalApp(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const programmeFile = env.ISMS_PROGRAMME_FILE ?? 'programme.example.yaml';
  const programme = loadProgrammeFile(programmeFile);
  const speed = Number(env.ISMS_CLOCK_SPEED ?? '1');
  const apiPort = Number(env.ISMS_PORT_SFN ?? '8083');
  if (!Number.isFinite(speed) || speed <= 0)
    throw new BadAppSetting(`ISMS_CLOCK_SPEED must be a positive number, not "${env.ISMS_CLOCK_SPEED}"`);
  if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) {
    throw new BadAppSetting(`ISMS_PORT_SFN must be a port number, not "${env.ISMS_PORT_SFN}"`);
  }
  const stack = await runLocalStack({ handleSignals: false, onInbound: ingestInbound });
  const templatePath = env.ISMS_TEMPLATE_FILE || undefined;
  const workflow = await startLocalWorkflow({
    stack,
    programme,
    speed,
    apiPort,
    ...(templatePath ? { templatePath } : {}),
    log: (line) => console.log(line),
  });
  // The programme's review schedules, read from the same template, fire on the same clock.
  const scheduler = new LocalScheduler({
    // ISMS_SCHEDULES=off: cycles start only when asked (`cycle start`).
    schedules:
      env.ISMS_SCHEDULES === 'off'
        ? []
        : schedulesFromTemplate(JSON.parse(await readFile(workflow.templatePath, 'utf8'))),
    clock: workflow.clock,
    resolveHandler: importHandlerFrom(repoRoot),
    log: (line) => console.log(line),
  });
  scheduler.start();
  if (stack.dataDir) {
    // Tell the CLI where the workflow runtime is.
    const file = join(stack.dataDir, 'stack.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { env: Record<string, string> };
    saved.env = { ...saved.env, ...workflow.env, PROGRAMME_ID: programme.organisation.id };
    await writeFile(file, `${JSON.stringify(saved, null, 2)}\n`);
  }
  console.log(`  Step Functions API     ${workflow.api.endpoint} (machine ${workflow.stateMachineArn})`);
  console.log(`  Programme              ${programmeFile} (${programme.organisation.name}); apply it with`);
  console.log(`                         npx isms-review programme apply ${programmeFile}`);
  console.log(
    `  Clock                  ${speed === 1 ? 'real time' : `${speed}x real time`}, now ${workflow.clock.now().toISOString()}`,
  );

  console.log(`  Schedules              ${scheduler.describe().join('; ') || 'none'} (fired on this clock)`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping...`);
    scheduler
      .close()
      .then(() => workflow.close())
      .then(() => stack.stop())
      .then(
        () => {
          console.log('Stopped.');
          process.exit(0);
        },
        (error: unknown) => {
          console.error(`Stopping failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runDirectly) {
  runLocalApp().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(error instanceof BadStartOption || error instanceof BadAppSetting ? 2 : 1);
  });
}
