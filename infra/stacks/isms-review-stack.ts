/**
 * IsmsReviewStack: everything isms-review needs on AWS, in one stack.
 *
 *   Scheduler (one schedule per programme review, organisation time zone)
 *     └─ invokes start-cycle ─ StartExecution named by the cycle id ─→ review-cycle state machine
 *        (STANDARD, logs ALL, X-Ray) ─→ the workflow's functions
 *   SES receipt rule (inbound domain): raw message → S3 `inbound/`, then ingest-email (Event)
 *   SES configuration set: send/delivery/bounce/complaint/reject events → EventBridge → log group
 *   DynamoDB table (tableDesign) and events table (eventsTableDesign: append-only, PutItem only),
 *   evidence bucket (Object Lock COMPLIANCE; anchors/ written once, by the anchoring role only),
 *   reply-key secret, anchoring key (KMS, ECC_NIST_P256, kms:Sign for the anchoring role alone)
 *   Daily schedule → anchor-chain (anchors every open cycle whose chain moved)
 *   One failure queue: every function's asynchronous invocations that fail after Lambda's retries
 *   Alarms → SNS topic (alarms.ts): failed/timed-out/aborted executions, the failure queue and each
 *   dead-letter queue not empty, the web API's 5xx, reply-key rotation errors
 *   Operations dashboard (CloudWatch): executions, steps, inbound mail by outcome, queue depths,
 *   SES bounces and complaints, cost drivers (dashboard.ts)
 *   API Gateway HTTP API ($default stage: throttled, JSON access logs) → web (web/app.ts); its
 *   session keys derived from the reply keyring (no secret of their own)
 *
 * The parts live beside this file, each with the grants on its own resources: storage.ts (the data
 * key, tables, buckets, reply key), anchoring.ts (the anchoring key and who may use it), mail.ts,
 * workflow.ts (functions, state machine), schedules.ts, alarms.ts, web.ts (the HTTP API). Every resource's scope is this
 * stack, so logical ids do not depend on which file creates it.
 *
 * Functions come from the registry in infra/functions.ts; each gets the runtime environment
 * contract and exactly the grants it lists. Resources that hold records or evidence are RETAINed.
 * Every cdk-nag acknowledgement is made next to the resource it concerns, with its reason.
 */
import { CfnOutput, Stack, Tags } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { InboundMail } from '#infra/constructs/inbound-mail.ts';
import { createFailureQueue, type IsmsFunction } from '#infra/constructs/isms-function.ts';
import { functions as functionRegistry } from '#infra/functions.ts';
import type { FunctionSpec } from '#infra/functions.ts';
import { createAlarms } from './alarms.ts';
import { createDashboard, dashboardName } from './dashboard.ts';
import {
  anchorGrants,
  anchorKeyOutputs,
  createAnchorSigningKey,
  KEY_PUBLISHER_FUNCTION_ID,
  protectAnchors,
} from './anchoring.ts';
import { connectMailFunctions, createMail, mailGrants, mailOutputs } from './mail.ts';
import type { Mail } from './mail.ts';
import { createSchedules } from './schedules.ts';
import { checkProgramme } from './stack-input.ts';
import type { StackProgramme } from './stack-input.ts';
import { createDataKeys, createStorage, storageGrants } from './storage.ts';
import type { Storage } from './storage.ts';
import { createWebApi } from './web.ts';
import type { Web } from './web.ts';
import { createFunctions, createStateMachine, stateMachineIdentity, workflowGrants } from './workflow.ts';

export { ANCHOR_FUNCTION_ID, KEY_PUBLISHER_FUNCTION_ID } from './anchoring.ts';
export { MAIL_EVENT_FUNCTION_ID, RECORDED_MAIL_EVENTS, retentionAtLeast } from './mail.ts';
export {
  DAILY_ANCHOR_CRON,
  heldMailDigestCron,
  HELD_MAIL_DIGEST_FUNCTION_ID,
  START_CYCLE_FUNCTION_ID,
} from './schedules.ts';
export { InvalidStackInput } from './stack-input.ts';
export { WEB_BASE_URL_CONTEXT, WEB_FUNCTION_ID, WEB_THROTTLE } from './web.ts';
export type { StackProgramme } from './stack-input.ts';

export interface IsmsReviewStackProps extends StackProps {
  readonly programme: StackProgramme;
  /** Default: the registry in infra/functions.ts. */
  readonly functions?: readonly FunctionSpec[];
}

export class IsmsReviewStack extends Stack {
  /** The one symmetric key of data at rest: tables, evidence, secrets, log groups, alarm topic. */
  readonly dataKey: kms.Key;
  readonly table: dynamodb.Table;
  /** The cycles' event logs: append-only (no role holds UpdateItem, DeleteItem or BatchWriteItem). */
  readonly eventsTable: dynamodb.Table;
  /** Signs anchors and bundle manifests; kms:Sign for the anchoring role alone. */
  readonly anchorSigningKey: kms.Key;
  /** The daily anchor sweep (undefined when the registry has no anchoring function). */
  readonly dailyAnchorSchedule: scheduler.Schedule | undefined;
  readonly heldMailDigestSchedule: scheduler.Schedule | undefined;
  readonly accessLogsBucket: s3.Bucket;
  readonly rawMailBucket: s3.Bucket;
  readonly evidenceBucket: s3.Bucket;
  readonly replyKeySecret: secretsmanager.Secret;
  readonly configurationSet: ses.ConfigurationSet;
  readonly inboundMail: InboundMail;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: ReadonlyMap<string, IsmsFunction>;
  /** The one on-failure destination of every function's asynchronous invocations. */
  readonly failureQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  /** The operations dashboard (dashboard.ts). */
  readonly dashboard: cloudwatch.Dashboard;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedules: readonly scheduler.Schedule[];
  readonly schedulesDeadLetterQueue: sqs.Queue;
  readonly mailEventsDeadLetterQueue: sqs.Queue;
  readonly mailEventsLogGroup: logs.LogGroup;
  /** The HTTP API in front of the web function (undefined when the registry has none). */
  readonly web: Web | undefined;

  constructor(scope: Construct, id: string, props: IsmsReviewStackProps) {
    super(scope, id, props);
    const { programme } = props;
    const registry = props.functions ?? functionRegistry;
    const { fromDomain } = checkProgramme(programme);
    Tags.of(this).add('project', 'isms-review');

    // The order of creation is the order of the template: keep it when moving things around.
    const keys = createDataKeys(this);
    this.anchorSigningKey = createAnchorSigningKey(this);
    const storage = createStorage(this, programme, keys);
    const mail = createMail(this, programme, fromDomain, keys.dataKey);

    const machine = stateMachineIdentity(this);
    const failureQueue = createFailureQueue(this, 'FailureQueue', 'every function of the stack');
    const functions = createFunctions(this, {
      programme,
      registry,
      storage,
      mail,
      machine,
      anchorSigningKey: this.anchorSigningKey,
      failureQueue,
      grants: {
        ...storageGrants(this, storage),
        ...anchorGrants(this.anchorSigningKey, storage),
        ...mailGrants(this, programme, mail),
        ...workflowGrants(this, machine),
      },
    });
    protectAnchors(this.anchorSigningKey, storage, registry, functions);
    const inboundMail = connectMailFunctions(this, programme, mail, storage, functions);
    const stateMachine = createStateMachine(this, programme, machine, keys.dataKey, functions);
    const schedules = createSchedules(this, programme, functions);
    const web = createWebApi(this, functions, keys.dataKey);
    const alarmTopic = createAlarms(this, {
      dataKey: keys.dataKey,
      stateMachine,
      functions,
      failureQueue,
      web,
      schedulesDeadLetterQueue: schedules.schedulesDeadLetterQueue,
      mailEventsDeadLetterQueue: mail.mailEventsDeadLetterQueue,
    });
    this.dashboard = createDashboard(this, {
      stateMachine,
      functions,
      table: storage.table,
      failureQueue,
      schedulesDeadLetterQueue: schedules.schedulesDeadLetterQueue,
      mailEventsDeadLetterQueue: mail.mailEventsDeadLetterQueue,
    });

    this.dataKey = storage.dataKey;
    this.table = storage.table;
    this.eventsTable = storage.eventsTable;
    this.accessLogsBucket = storage.accessLogsBucket;
    this.rawMailBucket = storage.rawMailBucket;
    this.evidenceBucket = storage.evidenceBucket;
    this.replyKeySecret = storage.replyKeySecret;
    this.configurationSet = mail.configurationSet;
    this.mailEventsLogGroup = mail.mailEventsLogGroup;
    this.mailEventsDeadLetterQueue = mail.mailEventsDeadLetterQueue;
    this.functions = functions;
    this.failureQueue = failureQueue;
    this.inboundMail = inboundMail;
    this.stateMachine = stateMachine;
    this.scheduleGroup = schedules.scheduleGroup;
    this.schedules = schedules.schedules;
    this.schedulesDeadLetterQueue = schedules.schedulesDeadLetterQueue;
    this.dailyAnchorSchedule = schedules.dailyAnchorSchedule;
    this.heldMailDigestSchedule = schedules.heldMailDigestSchedule;
    this.alarmTopic = alarmTopic;
    this.web = web;

    this.outputs(programme, storage, mail);
  }

  /** What an operator reads after deploying: names, ARNs, the anchoring key, DNS records. */
  private outputs(programme: StackProgramme, storage: Storage, mail: Mail): void {
    new CfnOutput(this, 'TableName', { value: storage.table.tableName });
    new CfnOutput(this, 'EventsTableName', {
      value: storage.eventsTable.tableName,
      description: "The cycles' append-only event logs (EVENTS_TABLE_NAME for the CLI)",
    });
    anchorKeyOutputs(this, this.anchorSigningKey, this.functions.get(KEY_PUBLISHER_FUNCTION_ID));
    new CfnOutput(this, 'RawMailBucketName', { value: storage.rawMailBucket.bucketName });
    new CfnOutput(this, 'EvidenceBucketName', { value: storage.evidenceBucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe the ISMS manager (and operations) to this topic',
    });
    new CfnOutput(this, 'DashboardName', {
      value: dashboardName(this),
      description: 'The operations dashboard in CloudWatch',
    });
    mailOutputs(this, programme, mail, this.inboundMail);
  }
}
