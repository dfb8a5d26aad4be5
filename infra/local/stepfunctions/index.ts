/**
 * The local Step Functions runtime: runs the synthesized state machine definition on this machine.
 *
 *   const { definition, functions, stateMachineLogicalId } = loadDefinitionFromTemplate('cdk.out/IsmsReview.template.json');
 *   const runtime = new LocalStateMachineRuntime({
 *     definition, functions,
 *     clock: new RuntimeClock({ speed: 86_400 }),          // one simulated day per real second
 *     store: new ExecutionStore({ client, tableName }),
 *     stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${stateMachineLogicalId}`,
 *   });
 *   await runtime.resumeAll();                               // executions left RUNNING by an earlier run
 *   const api = await startSfnApiServer(runtime, { port: 0, host: '127.0.0.1' });
 *   // handlers: AWS_ENDPOINT_URL_SFN = api.endpoint, STATE_MACHINE_ARN = runtime.stateMachineArn
 */
export { startSfnApiServer, type RunningSfnApiServer, type SfnApiServerOptions } from './api-server.ts';
export {
  CLOCK_ENV_VAR,
  clockFromEnvironment,
  parseClockEnvValue,
  RuntimeClock,
  SleepAborted,
  type ClockAnchor,
  type RuntimeClockOptions,
} from './clock.ts';
export * from './errors.ts';
export { importHandlerFrom, type LambdaHandler, type ResolveHandler } from './lambda.ts';
export {
  LocalStateMachineRuntime,
  runtimeReady,
  type ExecutionDescription,
  type ExecutionListItem,
  type ExecutionMetrics,
  type LambdaInvocationFigures,
  type LocalStateMachineRuntimeOptions,
  type StartExecutionInput,
  type StartExecutionOutput,
} from './runtime.ts';
export {
  ExecutionStore,
  type ExecutionRecord,
  type ExecutionStatus,
  type ExecutionStoreOptions,
} from './store.ts';
export {
  loadDefinitionFromTemplate,
  localFunctionArn,
  type LoadDefinitionOptions,
  type LoadedDefinition,
  type LocalFunction,
} from './template.ts';
