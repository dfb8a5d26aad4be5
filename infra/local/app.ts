/**
 * `npm start`: everything a user needs on one machine. The local stack (DynamoDB Local, local SES,
 * local S3, inbound SMTP), the review-cycle state machine from the synthesized template run by the
 * local Step Functions runtime (Step Functions API on ISMS_PORT_SFN, default 8083), and inbound mail
 * from the SMTP server handed to the same ingest code the SES receipt rule invokes on AWS.
 *
 * Settings (environment): ISMS_PROGRAMME_FILE (default programme.example.yaml), ISMS_CLOCK_SPEED
 * (simulated seconds per real second; default 1, e.g. 86400 runs a day per second for a demo),
 * ISMS_PORT_SFN, ISMS_PORT_WEB / --port-web (the web app, default 8080; 0 = a free port), ISMS_TEMPLATE_FILE (a template `cdk synth` wrote for this programme; default: synthesize
 * at start), plus the stack's own (see start.ts). With a data folder, simulated time continues from
 * where the last run left it (infra/local/stepfunctions/clock-file.ts), so a restart resumes every
 * open cycle on its own timeline.
 *
 * Fault injection, for crash tests only: ISMS_LOCAL_CRASH_AFTER=<Task state or function> (a state name
 * such as RequestInputs, or a function's entry name such as request-inputs) makes the app kill itself
 * with SIGKILL as soon as that function's handler has returned for the first time: its side effects
 * are done and the state machine has not yet recorded its result (see crashAfter below).
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { OnInbound } from './emulators/smtp.ts';
import { BadStartOption, parseStartSettings, runLocalStack } from './start.ts';
import { LocalScheduler, schedulesFromTemplate } from './scheduler.ts';
import { functionIdFrom, importHandlerFrom, type ResolveHandler } from './stepfunctions/lambda.ts';
import { repoRoot } from './stepfunctions/runtime.ts';
import { loadDefinitionFromTemplate } from './stepfunctions/template.ts';
import { startLocalWorkflow, synthesizeTemplate } from './workflow.ts';

export class BadAppSetting extends Error {
  override name = 'BadAppSetting' as const;
}

/** Inbound mail from the local SMTP server goes through the same ingest as on AWS. */
const onInbound: OnInbound = async (message) => {
  const { ingestInbound } = await import('./ingest.ts');
  const outcome = await ingestInbound(message);
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
  const crashTarget = env.ISMS_LOCAL_CRASH_AFTER || undefined;
  // The crash hook finds its function in the template, so that one is synthesized first.
  const templatePath = env.ISMS_TEMPLATE_FILE || (crashTarget ? synthesizeTemplate(programme) : undefined);
  let markReady = (): void => {};
  const ready = new Promise<void>((resolveReady) => (markReady = resolveReady));
  const resolveHandler =
    crashTarget && templatePath
      ? crashAfter(
          importHandlerFrom(repoRoot),
          crashTarget,
          JSON.parse(readFileSync(templatePath, 'utf8')),
          ready,
        )
      : undefined;
  const stack = await runLocalStack({ handleSignals: false, onInbound });
  const workflow = await startLocalWorkflow({
    stack,
    programme,
    speed,
    apiPort,
    ...(templatePath ? { templatePath } : {}),
    ...(resolveHandler ? { resolveHandler } : {}),
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
  // The web app, on the same parts as the handlers of this process (infra/local/web.ts).
  const { webPort } = parseStartSettings(process.argv.slice(2), env);
  const { startLocalWeb } = await import('./web.ts');
  const web = await startLocalWeb({
    port: webPort,
    programmeId: programme.organisation.id,
  });
  if (stack.dataDir) {
    // Tell the CLI where the workflow runtime and the web app are.
    const file = join(stack.dataDir, 'stack.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { env: Record<string, string> };
    saved.env = {
      ...saved.env,
      ...workflow.env,
      PROGRAMME_ID: programme.organisation.id,
      ISMS_WEB_URL: web.url,
    };
    await writeFile(file, `${JSON.stringify(saved, null, 2)}\n`);
  }
  console.log(`  Step Functions API     ${workflow.api.endpoint} (machine ${workflow.stateMachineArn})`);
  console.log(`  Programme              ${programmeFile} (${programme.organisation.name}); apply it with`);
  console.log(`                         npx isms-review programme apply ${programmeFile}`);
  console.log(
    `  Clock                  ${speed === 1 ? 'real time' : `${speed}x real time`}, now ${workflow.clock.now().toISOString()}`,
  );

  console.log(`  Schedules              ${scheduler.describe().join('; ') || 'none'} (fired on this clock)`);
  console.log(`Web  ${web.url}`);
  markReady();

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping...`);
    scheduler
      .close()
      .then(() => web.close())
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

/**
 * ISMS_LOCAL_CRASH_AFTER: wraps the handler of the function `target` names (a top-level Task state
 * of the definition, or a function's entry name) so that the first time it returns, the process is
 * killed with SIGKILL: the worst moment for a crash, the work done and its result not yet recorded by
 * the state machine. Only this process dies, as a Lambda function's host would: the emulators in it
 * die too, but DynamoDB Local, a child process standing for a managed service, is left for whoever
 * started the app to stop in order (test/support/local-app.ts). A handler that returns while the app
 * is still starting (a resumed execution) holds its result until the app is ready, so that the crash
 * always comes after the app has said where it runs.
 */
export function crashAfter(
  resolveHandler: ResolveHandler,
  target: string,
  template: object,
  ready: Promise<void> = Promise.resolve(),
): ResolveHandler {
  const { definition, functions } = loadDefinitionFromTemplate(template);
  const state = (
    definition as {
      States: Record<string, { Type?: string; Resource?: unknown; Parameters?: { FunctionName?: unknown } }>;
    }
  ).States[target];
  const named = state?.Type === 'Task' ? (state.Parameters?.FunctionName ?? state.Resource) : undefined;
  const logicalId =
    typeof named === 'string'
      ? functionIdFrom(named)
      : [...functions].find(([, fn]) => fn.entry !== undefined && basename(fn.entry, '.ts') === target)?.[0];
  if (logicalId === undefined || !functions.has(logicalId)) {
    throw new BadAppSetting(
      `ISMS_LOCAL_CRASH_AFTER must name a Task state of the state machine or a function, not "${target}"`,
    );
  }
  return async (id, entry) => {
    const handler = await resolveHandler(id, entry);
    if (id !== logicalId) return handler;
    return async (event, context) => {
      const result = await handler(event, context);
      await ready;
      // Written synchronously (stdout is a pipe or a terminal), so the line is out before the kill.
      console.log(`ISMS_LOCAL_CRASH_AFTER=${target}: ${id} returned; killing the app (SIGKILL)`);
      process.kill(process.pid, 'SIGKILL');
      return result;
    };
  };
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runDirectly) {
  runLocalApp().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(error instanceof BadStartOption || error instanceof BadAppSetting ? 2 : 1);
  });
}
