/**
 * Workflow: the registry's functions (each with the runtime environment contract and exactly the
 * grants it lists), the `workflow:*` grants, and the review-cycle state machine (STANDARD, logs
 * ALL without execution data, X-Ray) that invokes the workflow's functions and no other.
 */
import { ArnFormat, Duration, Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { IsmsFunction } from '#infra/constructs/isms-function.ts';
import type { FunctionGrant, FunctionSpec } from '#infra/functions.ts';
import { nagResourceFinding } from '#infra/nag.ts';
import { buildReviewCycleDefinition } from '#infra/workflow/definition.ts';
import { workflowFunctionIds } from '#infra/workflow/review-cycle.ts';
import { usesAnchorKey } from './anchoring.ts';
import { allow, allowWildcard } from './grants.ts';
import type { Granter, Granters } from './grants.ts';
import type { Mail } from './mail.ts';
import { InvalidStackInput, pascalCase } from './stack-input.ts';
import type { StackProgramme } from './stack-input.ts';
import type { Storage } from './storage.ts';

/** The review-cycle state machine's name and ARN, known before the machine exists. */
export interface StateMachineIdentity {
  readonly name: string;
  readonly arn: string;
}

export function stateMachineIdentity(stack: Stack): StateMachineIdentity {
  const name = `${stack.stackName}-review-cycle`;
  // Formatted from the name, not referenced: functions that resume the machine would otherwise
  // depend on it while it depends on them.
  const arn = stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { name, arn };
}

/** The grants on the state machine: resuming its waiting tasks, starting and describing executions. */
export function workflowGrants(
  stack: Stack,
  machine: StateMachineIdentity,
): Granters<'workflow:respond' | 'workflow:start'> {
  return {
    'workflow:respond': ({ role }) =>
      allow(
        role,
        ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        [machine.arn],
      ),
    'workflow:start': ({ role }) => {
      allow(role, ['states:StartExecution'], [machine.arn]);
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${machine.name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      allowWildcard(
        role,
        ['states:DescribeExecution'],
        executions,
        'Executions are named by cycle id; the function may describe any execution of the review-cycle machine only.',
      );
    },
  };
}

export interface FunctionsProps {
  readonly programme: StackProgramme;
  readonly registry: readonly FunctionSpec[];
  readonly storage: Storage;
  readonly mail: Mail;
  readonly machine: StateMachineIdentity;
  readonly anchorSigningKey: kms.Key;
  /** The one on-failure queue of every function's asynchronous invocations. */
  readonly failureQueue: sqs.Queue;
  /**
   * Who gives each grant: every part of the stack answers for its own resources (`ingest:invoke`,
   * on a function of this registry, is given here).
   */
  readonly grants: Granters<Exclude<FunctionGrant, 'ingest:invoke'>>;
}

/** The function the `ingest:invoke` grant lets a function call: the inbound mail pipeline's. */
export const INGEST_FUNCTION_ID = 'ingest-email';

/**
 * `ingest:invoke`: lambda:InvokeFunction on the ingest function alone (no version or alias), and its
 * name as INGEST_FUNCTION_NAME. The ingest function is built first (the registry's order).
 */
function ingestInvokeGrant(built: ReadonlyMap<string, IsmsFunction>): Granter {
  return (fn) => {
    const ingest = built.get(INGEST_FUNCTION_ID);
    if (!ingest) {
      throw new InvalidStackInput(
        `${fn.entry} holds ingest:invoke, but no "${INGEST_FUNCTION_ID}" is built before it: list ${INGEST_FUNCTION_ID} earlier in infra/functions.ts`,
      );
    }
    allow(fn.role, ['lambda:InvokeFunction'], [ingest.function.functionArn]);
    fn.function.addEnvironment('INGEST_FUNCTION_NAME', ingest.function.functionName);
  };
}

/** One IsmsFunction per registry entry, by id, with the environment contract and its grants. */
export function createFunctions(stack: Stack, props: FunctionsProps): Map<string, IsmsFunction> {
  const { programme, storage, mail } = props;
  const environment: Record<string, string> = {
    TABLE_NAME: storage.table.tableName,
    EVENTS_TABLE_NAME: storage.eventsTable.tableName,
    RAW_MAIL_BUCKET: storage.rawMailBucket.bucketName,
    EVIDENCE_BUCKET: storage.evidenceBucket.bucketName,
    STATE_MACHINE_ARN: props.machine.arn,
    MAIL_FROM: programme.mail.fromAddress,
    SES_CONFIGURATION_SET: mail.configurationSetName,
    INBOUND_DOMAIN: programme.mail.inboundDomain,
    REPLY_KEY_SECRET_ARN: storage.replyKeySecret.secretArn,
    PROGRAMME_ID: programme.organisation.id,
  };

  const built = new Map<string, IsmsFunction>();
  const grants: Granters<FunctionGrant> = { ...props.grants, 'ingest:invoke': ingestInvokeGrant(built) };
  for (const spec of props.registry) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(spec.id) || built.has(spec.id)) {
      throw new InvalidStackInput(
        `Function id "${spec.id}" must be unique and kebab-case (e.g. ingest-email); check infra/functions.ts`,
      );
    }
    const fn = new IsmsFunction(stack, pascalCase(spec.id), {
      entry: spec.entry,
      description: spec.description,
      environment: usesAnchorKey(spec)
        ? { ...environment, ANCHOR_SIGNING_KEY_ID: props.anchorSigningKey.keyArn }
        : environment,
      timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memorySize,
      reservedConcurrentExecutions: spec.reservedConcurrency,
      ...(spec.nodeModules ? { nodeModules: [...spec.nodeModules] } : {}),
      logsKey: storage.dataKey,
      failureQueue: props.failureQueue,
    });
    for (const grant of new Set(spec.grants)) {
      if (!Object.hasOwn(grants, grant)) {
        throw new InvalidStackInput(
          `Unknown function grant "${String(grant)}"; see FunctionGrant in infra/functions.ts`,
        );
      }
      grants[grant](fn);
    }
    built.set(spec.id, fn);
  }
  return built;
}

/**
 * The review-cycle state machine, named `machine.name`. Each Lambda task grants the machine its own
 * function (and its ":*" versions and aliases), so the machine may invoke the workflow's functions
 * and no other (not ingest-email, not start-cycle).
 */
export function createStateMachine(
  stack: Stack,
  programme: StackProgramme,
  machine: StateMachineIdentity,
  dataKey: kms.Key,
  built: ReadonlyMap<string, IsmsFunction>,
): sfn.StateMachine {
  const stateMachineLogs = new logs.LogGroup(stack, 'ReviewCycleLogs', {
    logGroupName: `/aws/vendedlogs/states/${machine.name}`,
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: dataKey,
  });
  const fnsById: Record<string, IFunction> = Object.fromEntries(
    [...built].map(([fnId, fn]) => [fnId, fn.function]),
  );
  const stateMachine = new sfn.StateMachine(stack, 'ReviewCycle', {
    stateMachineName: machine.name,
    stateMachineType: sfn.StateMachineType.STANDARD,
    comment: `ISMS management review cycle of ${programme.organisation.name}`,
    definitionBody: sfn.DefinitionBody.fromChainable(buildReviewCycleDefinition(stack, fnsById)),
    // Execution data stays out of the logs: task tokens travel in task inputs.
    logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });
  const invokedByWorkflow = new Set<string>(workflowFunctionIds);
  for (const [fnId, fn] of built) {
    if (!invokedByWorkflow.has(fnId)) continue;
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(stack, `${fn.function.functionArn}:*`)}]`,
      reason: `Invoking ${fn.entry}: the ":*" qualifier covers the versions and aliases of this one function (the form Step Functions' Lambda integration grants).`,
    });
  }
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Log delivery (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) actions do not support resource-level permissions, so their resource must be "*".',
  });
  return stateMachine;
}
