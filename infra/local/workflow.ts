/**
 * The review-cycle workflow on one machine: the state machine definition that `cdk synth` produces
 * for this programme (synthesized here, in process, with bundling skipped: the definition is the same,
 * only the function code assets are not built), run by the local Step Functions runtime with the
 * Lambda handlers invoked in process, and the Step Functions API served over HTTP so that handler code
 * using @aws-sdk/client-sfn works unchanged.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Programme } from '#shared/programme/schema.ts';
import { createIsmsReviewApp, skipBundlingContext } from '../stacks/app.ts';
import type { LocalStackInfo } from './stack.ts';
import { persistentClock } from './stepfunctions/clock-file.ts';
import type { ResolveHandler } from './stepfunctions/lambda.ts';
import {
  ExecutionStore,
  LocalStateMachineRuntime,
  RuntimeClock,
  loadDefinitionFromTemplate,
  startSfnApiServer,
  type RunningSfnApiServer,
} from './stepfunctions/index.ts';

/** Synthesizes the stack for `programme` into `outdir` and returns the template's path. */
export function synthesizeTemplate(
  programme: Programme,
  outdir = mkdtempSync(join(tmpdir(), 'isms-synth-')),
): string {
  const { app, stack } = createIsmsReviewApp({
    programme,
    context: skipBundlingContext,
    nag: false,
    outdir,
    cloudFormationValidation: false,
  });
  app.synth();
  const file = readdirSync(outdir).find((name) => name === `${stack.stackName}.template.json`);
  if (!file) throw new Error(`cdk synth wrote no template for ${stack.stackName} in ${outdir}`);
  return join(outdir, file);
}

export interface LocalWorkflow {
  readonly runtime: LocalStateMachineRuntime;
  readonly api: RunningSfnApiServer;
  readonly clock: RuntimeClock;
  readonly stateMachineArn: string;
  /** The synthesized template the definition (and the local schedules) come from. */
  readonly templatePath: string;
  /** Variables the handlers (and a CLI) need in addition to the stack's. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export interface LocalWorkflowOptions {
  readonly stack: LocalStackInfo;
  readonly programme: Programme;
  /** Simulated milliseconds per real millisecond (86,400: one day per second). */
  readonly speed?: number;
  /**
   * Simulated start time; default now. With a data folder (`stack.dataDir`) the clock continues the
   * one saved there instead, and only a first run starts here.
   */
  readonly start?: Date;
  /** A template already synthesized (e.g. by `cdk synth`); default: synthesize now. */
  readonly templatePath?: string;
  readonly apiPort?: number;
  readonly log?: (line: string) => void;
  /** How a Lambda function's handler is found; default: import its entry file (fault tests wrap it). */
  readonly resolveHandler?: ResolveHandler;
}

/**
 * Starts the workflow runtime against a running local stack. It sets the handlers' environment in
 * this process (the stack's variables, the Step Functions endpoint and machine ARN, the clock), resumes
 * every execution an earlier run left RUNNING, and then serves the API.
 */
export async function startLocalWorkflow(options: LocalWorkflowOptions): Promise<LocalWorkflow> {
  const templatePath = options.templatePath ?? synthesizeTemplate(options.programme);
  const { definition, functions, stateMachineLogicalId } = loadDefinitionFromTemplate(
    JSON.parse(readFileSync(templatePath, 'utf8')) as object,
  );
  const stateMachineArn = `arn:aws:states:local:000000000000:stateMachine:${stateMachineLogicalId}`;
  // With a data folder, the clock continues where the last run left it (clock-file.ts).
  const saved = options.stack.dataDir
    ? persistentClock({
        dataDir: options.stack.dataDir,
        speed: options.speed ?? 1,
        ...(options.start ? { start: options.start } : {}),
      })
    : undefined;
  const clock =
    saved?.clock ??
    new RuntimeClock({
      speed: options.speed ?? 1,
      ...(options.start ? { start: options.start } : {}),
    });
  if (saved?.continued) options.log?.(`clock continues at ${saved.startedAt.toISOString()}`);
  // As the CDK stack does, the programme's mail settings win over the stack's defaults, so that
  // replies to the addresses the notifier writes are recognised by the ingest.
  // No CloudWatch here: metrics would only print to stdout.
  Object.assign(process.env, options.stack.env, {
    PROGRAMME_ID: options.programme.organisation.id,
    MAIL_FROM: options.programme.mail.fromAddress,
    INBOUND_DOMAIN: options.programme.mail.inboundDomain,
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const store = new ExecutionStore({
    client: new DynamoDBClient({ endpoint: options.stack.endpoints.dynamodb, region: options.stack.region }),
    tableName: options.stack.tableName,
  });
  const runtime = new LocalStateMachineRuntime({
    definition,
    functions,
    clock,
    store,
    stateMachineArn,
    ...(options.log ? { log: options.log } : {}),
    ...(options.resolveHandler ? { resolveHandler: options.resolveHandler } : {}),
  });
  const api = await startSfnApiServer(runtime, { port: options.apiPort ?? 0, host: '127.0.0.1' });
  const env = {
    AWS_ENDPOINT_URL_SFN: api.endpoint,
    STATE_MACHINE_ARN: stateMachineArn,
    MAIL_FROM: options.programme.mail.fromAddress,
    INBOUND_DOMAIN: options.programme.mail.inboundDomain,
  };
  Object.assign(process.env, env);
  // The handlers' dependencies are built again, from the environment just set.
  const { resetWiring } = await import('#shared/wiring/wiring.ts');
  resetWiring();
  // Start-up takes no simulated time: handlers load first, then the clock goes back to where this
  // run started and the executions an earlier run left RUNNING resume from there.
  await runtime.loadHandlers();
  saved?.rewind();
  await runtime.resumeAll();
  return {
    runtime,
    api,
    clock,
    stateMachineArn,
    templatePath,
    env,
    async close() {
      await runtime.close();
      await api.close();
      saved?.stop();
    },
  };
}
