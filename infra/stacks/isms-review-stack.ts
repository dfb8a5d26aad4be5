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
 *   Alarms → SNS topic: failed/timed-out/aborted executions, function errors, every DLQ not empty
 *
 * Functions come from the registry in infra/functions.ts; each gets the runtime environment
 * contract and exactly the grants it lists. Resources that hold records or evidence are RETAINed.
 * Every cdk-nag acknowledgement is made next to the resource it concerns, with its reason.
 */
import {
  ArnFormat,
  Aws,
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  Tags,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { InboundMail } from '#infra/constructs/inbound-mail.ts';
import { IsmsFunction } from '#infra/constructs/isms-function.ts';
import { functions as functionRegistry } from '#infra/functions.ts';
import type { FunctionGrant, FunctionSpec } from '#infra/functions.ts';
import { nagResourceFinding } from '#infra/nag.ts';
import { buildReviewCycleDefinition } from '#infra/workflow/definition.ts';
import { workflowFunctionIds } from '#infra/workflow/review-cycle.ts';
import {
  eventsTableDesign,
  eventsTableNameFor,
  tableDesign,
  TTL_ATTRIBUTE,
} from '#shared/store/table-design.ts';
import type { KeyAttribute } from '#shared/store/table-design.ts';

/** The parts of the review programme (programme.yaml) the stack is built from. */
export interface StackProgramme {
  readonly organisation: { readonly id: string; readonly name: string; readonly timeZone: string };
  readonly schedule: {
    readonly reviews: ReadonlyArray<{
      readonly type: string;
      readonly cron: string;
      readonly meetingAfterDays: number;
      readonly comprehensive?: boolean | undefined;
    }>;
  };
  readonly mail: { readonly fromAddress: string; readonly inboundDomain: string };
  readonly evidence: { readonly retentionDays: number };
}

export interface IsmsReviewStackProps extends StackProps {
  readonly programme: StackProgramme;
  /** Default: the registry in infra/functions.ts. */
  readonly functions?: readonly FunctionSpec[];
}

export class InvalidStackInput extends Error {
  override name = 'InvalidStackInput' as const;
}

/** The registry function the review schedules invoke to start a cycle. */
export const START_CYCLE_FUNCTION_ID = 'start-cycle';

/** The id a registry function may carry to receive every SES mail event (delivery, bounce, ...). */
export const MAIL_EVENT_FUNCTION_ID = 'record-mail-event';

/** SES sending events recorded as proof of distribution (and of failures to deliver). */
export const RECORDED_MAIL_EVENTS: readonly ses.EmailSendingEvent[] = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];

const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
/** No DeleteItem, no BatchWriteItem: nothing the functions do deletes a record. */
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** The events table is append-only: read an event, query a cycle's log, and add one (PutItem). */
const EVENTS_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'];
const EVENTS_WRITE_ACTIONS = ['dynamodb:PutItem'];

/** The registry function that signs and writes anchors (the state machine and the daily schedule invoke it). */
export const ANCHOR_FUNCTION_ID = 'anchor-chain';

/** The registry function CloudFormation asks for the anchoring key's public half (custom resource). */
export const KEY_PUBLISHER_FUNCTION_ID = 'publish-anchor-key';

/** When the daily anchor sweep runs, in the organisation's time zone: the end of the local day. */
export const DAILY_ANCHOR_CRON = 'cron(50 23 * * ? *)';

/** The registry function that emails the ISMS manager the day's held mail, and when (07:00). */
export const HELD_MAIL_DIGEST_FUNCTION_ID = 'held-mail-digest';
export const HELD_MAIL_DIGEST_CRON = 'cron(0 7 * * ? *)';

/** Key administration for the account, without kms:Sign (the anchoring role alone signs). */
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:Verify',
];
/** What a role that only prints or checks the anchoring key's public half may do. */
const PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey', 'kms:DescribeKey'];
const KMS_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
/** Days between rotations of the reply keyring: a new key is published, the previous one signs. */
const REPLY_KEY_ROTATION_DAYS = 90;
const KMS_ENCRYPT_ACTIONS = [
  'kms:Encrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

export class IsmsReviewStack extends Stack {
  readonly dataKey: kms.Key;
  readonly opsKey: kms.Key;
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
  readonly alarmTopic: sns.Topic;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedules: readonly scheduler.Schedule[];
  readonly schedulesDeadLetterQueue: sqs.Queue;
  readonly mailEventsDeadLetterQueue: sqs.Queue;
  readonly mailEventsLogGroup: logs.LogGroup;

  private readonly stateMachineName: string;
  private readonly stateMachineArnString: string;
  private readonly fromDomain: string;
  private readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: IsmsReviewStackProps) {
    super(scope, id, props);
    const { programme } = props;
    const registry = props.functions ?? functionRegistry;
    this.fromDomain = domainOf(programme.mail.fromAddress);
    this.fromAddress = programme.mail.fromAddress;
    checkDomain(programme.mail.inboundDomain, 'mail.inboundDomain');
    if (!Number.isInteger(programme.evidence.retentionDays) || programme.evidence.retentionDays < 1) {
      throw new InvalidStackInput(
        `evidence.retentionDays must be a whole number of days (at least 1), got ${programme.evidence.retentionDays}`,
      );
    }
    Tags.of(this).add('project', 'isms-review');

    // ---- keys ---------------------------------------------------------------------------------
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: 'isms-review records: table, evidence bucket, reply-token key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.opsKey = new kms.Key(this, 'OpsKey', {
      description: 'isms-review operations: log groups and the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [...KMS_ENCRYPT_ACTIONS, ...KMS_DECRYPT_ACTIONS],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    this.opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    // The anchoring key: asymmetric (ECC_NIST_P256, SIGN_VERIFY), so the public half can be given
    // to anyone and the private half never leaves KMS. The account administers the key but may not
    // sign with it: the key policy allows kms:Sign to the anchoring function's role alone and denies
    // it to every other principal (the statements naming that role are added once it exists).
    // Asymmetric KMS keys do not rotate; a new key is a new fingerprint to publish.
    this.anchorSigningKey = new kms.Key(this, 'AnchorSigningKey', {
      description: 'isms-review anchoring key: signs evidence anchors and bundle manifests',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButDoesNotSign',
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'], // in a key policy, "*" is this key
          }),
        ],
      }),
    });

    // ---- table --------------------------------------------------------------------------------
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: toAttribute(tableDesign.partitionKey),
      sortKey: toAttribute(tableDesign.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    for (const index of tableDesign.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: toAttribute(index.partitionKey),
        sortKey: toAttribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // The event logs, in a table of their own so that IAM can make them append-only: roles hold
    // PutItem (the code writes with attribute_not_exists), GetItem and Query here, nothing else.
    this.eventsTable = new dynamodb.Table(this, 'EventsTable', {
      // Named after the main table (eventsTableNameFor), so that a client given only TABLE_NAME finds it.
      tableName: eventsTableNameFor(this.table.tableName),
      partitionKey: toAttribute(eventsTableDesign.partitionKey),
      sortKey: toAttribute(eventsTableDesign.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- buckets ------------------------------------------------------------------------------
    const bucketDefaults = {
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;

    // Server access logs can only be delivered to an SSE-S3 bucket.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      ...bucketDefaults,
      encryption: s3.BucketEncryption.S3_MANAGED,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the other buckets; logging it into itself would log its own log deliveries without end.',
    });

    // SES's S3 action writes with server-side encryption of the bucket. SSE-S3 (not KMS): SES
    // would otherwise need the KMS key, and the action's own kmsKeyArn option is client-side
    // encryption that only the S3 encryption client can read back.
    this.rawMailBucket = new s3.Bucket(this, 'RawMailBucket', {
      ...bucketDefaults,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'raw-mail/',
    });

    this.evidenceBucket = new s3.Bucket(this, 'EvidenceBucket', {
      ...bucketDefaults,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(programme.evidence.retentionDays),
      ),
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'evidence/',
    });

    // ---- reply-token key ----------------------------------------------------------------------
    // The reply keyring (shared/mail/reply-keyring.ts). It starts as one key of 64 hex characters
    // (generation 1); the rotation function (registry grant `replyKey:rotate`, which also sets the
    // rotation schedule: see grant()) turns it into a JSON keyring and adds a generation every
    // REPLY_KEY_ROTATION_DAYS, keeping old keys until every token they signed has expired.
    this.replyKeySecret = new secretsmanager.Secret(this, 'ReplyKey', {
      description:
        'HMAC keyring that signs reply addresses (rotated; old keys verify until their tokens expire)',
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: {
        passwordLength: 64,
        excludeUppercase: true,
        excludePunctuation: true,
        includeSpace: false,
        excludeCharacters: 'ghijklmnopqrstuvwxyz',
      },
    });

    // ---- mail: identities, configuration set, event record -------------------------------------
    const configurationSetName = `${this.stackName}-mail`;
    this.configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default'),
      ),
      events: [...RECORDED_MAIL_EVENTS],
    });

    const identities = new Map<string, ses.EmailIdentity>();
    identities.set(
      this.fromDomain,
      new ses.EmailIdentity(this, 'FromDomainIdentity', {
        identity: ses.Identity.domain(this.fromDomain),
        configurationSet: this.configurationSet,
      }),
    );
    if (!identities.has(programme.mail.inboundDomain)) {
      // SES only receives mail for a verified domain.
      identities.set(
        programme.mail.inboundDomain,
        new ses.EmailIdentity(this, 'InboundDomainIdentity', {
          identity: ses.Identity.domain(programme.mail.inboundDomain),
        }),
      );
    }

    this.mailEventsLogGroup = new logs.LogGroup(this, 'MailEventsLogs', {
      logGroupName: `/aws/events/${this.stackName}/mail-events`,
      retention: retentionAtLeast(programme.evidence.retentionDays),
      encryptionKey: this.opsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.mailEventsDeadLetterQueue = this.deadLetterQueue(
      'MailEventsDeadLetterQueue',
      'mail events EventBridge could not deliver',
    );
    const mailEventsRule = new events.Rule(this, 'MailEventsRule', {
      description: `SES sending events of configuration set ${configurationSetName}`,
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
    });
    mailEventsRule.addTarget(
      logGroupTarget(this.mailEventsLogGroup, this.mailEventsDeadLetterQueue, mailEventsRule),
    );

    // ---- functions ----------------------------------------------------------------------------
    this.stateMachineName = `${this.stackName}-review-cycle`;
    // Formatted from the name, not referenced: functions that resume the machine would otherwise
    // depend on it while it depends on them.
    this.stateMachineArnString = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const environment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      EVENTS_TABLE_NAME: this.eventsTable.tableName,
      RAW_MAIL_BUCKET: this.rawMailBucket.bucketName,
      EVIDENCE_BUCKET: this.evidenceBucket.bucketName,
      STATE_MACHINE_ARN: this.stateMachineArnString,
      MAIL_FROM: programme.mail.fromAddress,
      SES_CONFIGURATION_SET: configurationSetName,
      INBOUND_DOMAIN: programme.mail.inboundDomain,
      REPLY_KEY_SECRET_ARN: this.replyKeySecret.secretArn,
      PROGRAMME_ID: programme.organisation.id,
    };

    const seen = new Set<string>();
    const built = new Map<string, IsmsFunction>();
    for (const spec of registry) {
      if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(spec.id) || seen.has(spec.id)) {
        throw new InvalidStackInput(
          `Function id "${spec.id}" must be unique and kebab-case (e.g. ingest-email); check infra/functions.ts`,
        );
      }
      seen.add(spec.id);
      const usesAnchorKey = spec.grants.some(
        (grant) => grant === 'anchors:sign' || grant === 'anchors:publicKey',
      );
      const fn = new IsmsFunction(this, pascalCase(spec.id), {
        entry: spec.entry,
        description: spec.description,
        environment: usesAnchorKey
          ? { ...environment, ANCHOR_SIGNING_KEY_ID: this.anchorSigningKey.keyArn }
          : environment,
        timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memorySize,
        reservedConcurrentExecutions: spec.reservedConcurrency,
        ...(spec.nodeModules ? { nodeModules: [...spec.nodeModules] } : {}),
        logsKey: this.opsKey,
      });
      for (const grant of new Set(spec.grants)) this.grant(fn, grant, identities);
      built.set(spec.id, fn);
    }
    this.functions = built;
    this.protectAnchors(registry, built);

    const ingest = built.get('ingest-email');
    if (!ingest) {
      throw new InvalidStackInput('The function registry has no "ingest-email"; inbound mail needs it');
    }
    const recordMailEvent = built.get(MAIL_EVENT_FUNCTION_ID);
    if (recordMailEvent) {
      mailEventsRule.addTarget(
        new eventTargets.LambdaFunction(recordMailEvent.function, {
          deadLetterQueue: this.mailEventsDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      );
    }

    // ---- inbound mail -------------------------------------------------------------------------
    this.inboundMail = new InboundMail(this, 'InboundMail', {
      ruleSetName: `${this.stackName}-inbound`,
      ruleName: `${this.stackName}-replies`,
      recipients: [programme.mail.inboundDomain],
      rawMailBucket: this.rawMailBucket,
      objectKeyPrefix: 'inbound/',
      ingestFunction: ingest.function,
    });

    // ---- state machine ------------------------------------------------------------------------
    const stateMachineLogs = new logs.LogGroup(this, 'ReviewCycleLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.opsKey,
    });
    const fnsById: Record<string, IFunction> = Object.fromEntries(
      [...built].map(([fnId, fn]) => [fnId, fn.function]),
    );
    this.stateMachine = new sfn.StateMachine(this, 'ReviewCycle', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `ISMS management review cycle of ${programme.organisation.name}`,
      definitionBody: sfn.DefinitionBody.fromChainable(buildReviewCycleDefinition(this, fnsById)),
      // Execution data stays out of the logs: task tokens travel in task inputs.
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Each Lambda task grants the machine its own function (and its ":*" versions and aliases), so
    // the machine may invoke the workflow's functions and no other (not ingest-email, not start-cycle).
    const invokedByWorkflow = new Set<string>(workflowFunctionIds);
    for (const [fnId, fn] of built) {
      if (!invokedByWorkflow.has(fnId)) continue;
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[${nagResourceFinding(this, `${fn.function.functionArn}:*`)}]`,
        reason: `Invoking ${fn.entry}: the ":*" qualifier covers the versions and aliases of this one function (the form Step Functions' Lambda integration grants).`,
      });
    }
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Log delivery (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) actions do not support resource-level permissions, so their resource must be "*".',
    });

    // ---- schedules ----------------------------------------------------------------------------
    const scheduleGroupName = `${this.stackName}-reviews`;
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ReviewSchedules', { scheduleGroupName });
    this.schedulesDeadLetterQueue = this.deadLetterQueue(
      'SchedulesDeadLetterQueue',
      'scheduled review starts the scheduler could not deliver',
    );
    // The scheduler, for schedules of this group only.
    const schedulerPrincipal = new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': this.formatArn({
          service: 'scheduler',
          resource: 'schedule',
          resourceName: `${scheduleGroupName}/*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      },
    });
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invokes start-cycle, which starts review cycles',
      assumedBy: schedulerPrincipal,
    });
    const timeZone = TimeZone.of(programme.organisation.timeZone);
    const startCycle = built.get(START_CYCLE_FUNCTION_ID);
    if (!startCycle) {
      throw new InvalidStackInput(
        `The function registry has no "${START_CYCLE_FUNCTION_ID}"; the review schedules invoke it (infra/functions.ts)`,
      );
    }
    this.schedules = programme.schedule.reviews.map(
      (review, index) =>
        new scheduler.Schedule(this, `Review${index + 1}`, {
          scheduleName: `${this.stackName}-${index + 1}-${review.type}`.slice(0, 64),
          scheduleGroup: this.scheduleGroup,
          description: `${review.type} management review of ${programme.organisation.name}`,
          schedule: scheduler.ScheduleExpression.expression(review.cron, timeZone),
          // The target is the start-cycle function, not the machine itself: it names the execution
          // after the cycle (programme + type + scheduled time), so a schedule that fires twice
          // starts one cycle (the scheduler cannot set an execution name). The scheduler invokes it
          // asynchronously: a failed start lands in start-cycle's failure queue, which is alarmed.
          target: new InvokeUnqualifiedFunction(startCycle.function, {
            role: schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject({
              programmeId: programme.organisation.id,
              type: review.type,
              comprehensive: review.comprehensive ?? false,
              scheduledTime: scheduler.ContextAttribute.scheduledTime,
            }),
            deadLetterQueue: this.schedulesDeadLetterQueue,
            retryAttempts: 10,
            maxEventAge: Duration.hours(24),
          }),
        }),
    );

    /** A daily schedule (organisation time zone) with its own role, which may invoke `fn` and nothing else. */
    const daily = (
      scheduleId: string,
      fn: IsmsFunction,
      cron: string,
      description: string,
      input: Record<string, string>,
    ): scheduler.Schedule => {
      const role = new iam.Role(this, `${scheduleId}SchedulerRole`, {
        description: `EventBridge Scheduler: invokes ${fn.entry} (${description})`,
        assumedBy: schedulerPrincipal,
      });
      return new scheduler.Schedule(this, scheduleId, {
        scheduleName:
          `${this.stackName}-${scheduleId.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`.slice(0, 64),
        scheduleGroup: this.scheduleGroup,
        description: `${description} of ${programme.organisation.name}`,
        schedule: scheduler.ScheduleExpression.expression(cron, timeZone),
        target: new InvokeUnqualifiedFunction(fn.function, {
          role,
          input: scheduler.ScheduleTargetInput.fromObject(input),
          deadLetterQueue: this.schedulesDeadLetterQueue,
          retryAttempts: 10,
          maxEventAge: Duration.hours(24),
        }),
      });
    };

    // The daily anchor sweep: every open cycle whose chain moved since its last anchor gets a signed
    // anchor, so no stretch of a log between milestones stays unanchored for more than a day.
    const anchorChain = built.get(ANCHOR_FUNCTION_ID);
    this.dailyAnchorSchedule = anchorChain
      ? daily(
          'DailyAnchor',
          anchorChain,
          DAILY_ANCHOR_CRON,
          'Daily signed anchor of every open review cycle',
          {
            sweep: 'daily',
            programmeId: programme.organisation.id,
          },
        )
      : undefined;
    // The ISMS manager's daily list of mail held at the front door (nothing is sent when none is held).
    const heldMailDigest = built.get(HELD_MAIL_DIGEST_FUNCTION_ID);
    this.heldMailDigestSchedule = heldMailDigest
      ? daily(
          'DailyHeldMailDigest',
          heldMailDigest,
          HELD_MAIL_DIGEST_CRON,
          'Daily digest of held inbound mail',
          {
            programmeId: programme.organisation.id,
          },
        )
      : undefined;

    // ---- alarms -------------------------------------------------------------------------------
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'isms-review alarms',
      masterKey: this.opsKey,
      enforceSSL: true,
    });
    const alarmAction = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string): void => {
      new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(alarmAction);
    };
    const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) };
    const max = { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) };
    alarm('ReviewCycleFailedAlarm', this.stateMachine.metricFailed(sum), 'A review-cycle execution failed');
    alarm(
      'ReviewCycleTimedOutAlarm',
      this.stateMachine.metricTimedOut(sum),
      'A review-cycle execution timed out',
    );
    alarm(
      'ReviewCycleAbortedAlarm',
      this.stateMachine.metricAborted(sum),
      'A review-cycle execution was aborted',
    );
    for (const [fnId, fn] of built) {
      const name = pascalCase(fnId);
      alarm(`${name}ErrorsAlarm`, fn.function.metricErrors(sum), `${fnId} returned errors`);
      alarm(
        `${name}FailureQueueAlarm`,
        fn.failureQueue.metricApproximateNumberOfMessagesVisible(max),
        `Asynchronous invocations of ${fnId} failed for good and wait in its failure queue`,
      );
    }
    alarm(
      'SchedulesDeadLetterQueueAlarm',
      this.schedulesDeadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
      'A scheduled review did not start: see the schedules dead-letter queue',
    );
    alarm(
      'MailEventsDeadLetterQueueAlarm',
      this.mailEventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
      'Mail delivery events were not recorded: see the mail events dead-letter queue',
    );

    // ---- outputs ------------------------------------------------------------------------------
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventsTableName', {
      value: this.eventsTable.tableName,
      description: "The cycles' append-only event logs (EVENTS_TABLE_NAME for the CLI)",
    });
    const publisher = built.get(KEY_PUBLISHER_FUNCTION_ID);
    if (publisher) {
      // Read at deploy time by our own function (GetPublicKey only): the generic AwsCustomResource
      // would decode the binary SPKI as UTF-8 text and output garbage.
      const publicKey = new CustomResource(this, 'AnchorPublicKeyReader', {
        serviceToken: publisher.function.functionArn,
        resourceType: 'Custom::AnchorPublicKey',
        properties: { KeyId: this.anchorSigningKey.keyArn },
      });
      new CfnOutput(this, 'AnchorPublicKey', {
        value: publicKey.getAttString('PublicKey'),
        description:
          'Public half of the anchoring key (base64 SPKI DER). Its fingerprint is the SHA-256 of these bytes; `isms-review evidence key` prints it, and the package and minutes emails to top management carry it.',
      });
      new CfnOutput(this, 'AnchorKeyFingerprint', {
        value: publicKey.getAttString('FingerprintGrouped'),
        description:
          'SHA-256 of the anchoring public key: compare with `isms-review evidence key`, the package and minutes emails, and what `evidence verify` says it trusted',
      });
    }
    new CfnOutput(this, 'AnchorSigningKeyArn', {
      value: this.anchorSigningKey.keyArn,
      description:
        'The KMS key that signs anchors and bundle manifests (ANCHOR_SIGNING_KEY_ID for the CLI); only the anchoring function may sign with it',
    });
    new CfnOutput(this, 'RawMailBucketName', { value: this.rawMailBucket.bucketName });
    new CfnOutput(this, 'EvidenceBucketName', { value: this.evidenceBucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe the ISMS manager (and operations) to this topic',
    });
    for (const [domain, identity] of identities) {
      identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `Dkim${pascalCase(domain.replace(/\./g, '-'))}${index + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: `DKIM record ${index + 1} of ${domain}`,
        });
      });
    }
    new CfnOutput(this, 'InboundMxRecord', {
      value: `${programme.mail.inboundDomain} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
      description: 'DNS record that routes replies to SES',
    });
    new CfnOutput(this, 'ActivateReceiptRuleSet', {
      value: `aws ses set-active-receipt-rule-set --rule-set-name ${this.inboundMail.ruleSet.receiptRuleSetName} --region ${Aws.REGION}`,
      description:
        'Run once after the first deployment. Only one rule set is active per account and region: merge rules first if another set is active.',
    });
  }

  /**
   * The anchoring role alone signs with the anchoring key and writes under `anchors/`: the key policy
   * allows it kms:Sign and denies kms:Sign to every other principal (the account's administrators
   * included: they keep key administration, and a changed key policy is a CloudTrail event); the
   * evidence bucket's policy denies every write under `anchors/` without `If-None-Match: *` (an anchor
   * is never written over) and every write there by any other principal, and deletes there to all.
   */
  private protectAnchors(registry: readonly FunctionSpec[], built: ReadonlyMap<string, IsmsFunction>): void {
    const anchoring = registry.filter((spec) =>
      spec.grants.some((grant) => grant === 'anchors:sign' || grant === 'anchors:write'),
    );
    if (anchoring.length > 1) {
      throw new InvalidStackInput(
        `Only one function may sign or write anchors (anchors:sign, anchors:write), found ${anchoring
          .map((spec) => spec.id)
          .join(', ')}; check infra/functions.ts`,
      );
    }
    const role = anchoring[0] ? built.get(anchoring[0].id)?.role : undefined;
    const signs = anchoring[0]?.grants.includes('anchors:sign') ?? false;
    const writes = anchoring[0]?.grants.includes('anchors:write') ?? false;
    const anchorObjects = this.evidenceBucket.arnForObjects('anchors/*');
    const exceptAnchoringRole = (allowed: boolean) =>
      allowed && role ? { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } } : undefined;

    if (role && signs) {
      this.anchorSigningKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AnchoringRoleSigns',
          principals: [new iam.ArnPrincipal(role.roleArn)],
          actions: ['kms:Sign', 'kms:Verify', ...PUBLIC_KEY_ACTIONS],
          resources: ['*'], // in a key policy, "*" is this key
        }),
      );
    }
    this.anchorSigningKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NobodyElseSigns',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: exceptAnchoringRole(signs),
      }),
    );

    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AnchorsAreWrittenOnce',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [anchorObjects],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheAnchoringRoleWritesAnchors',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:PutObject',
          's3:PutObjectRetention',
          's3:PutObjectLegalHold',
          's3:BypassGovernanceRetention',
        ],
        resources: [anchorObjects],
        conditions: exceptAnchoringRole(writes),
      }),
    );
    this.evidenceBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NobodyDeletesAnchors',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [anchorObjects],
      }),
    );
  }

  /** An SQS dead-letter queue (SSE, TLS only, 14 days) that the stack alarms on. */
  private deadLetterQueue(queueId: string, holds: string): sqs.Queue {
    const queue = new sqs.Queue(this, queueId, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue (it holds ${holds}); its depth is alarmed on.`,
    });
    Validations.of(queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: `This queue is itself a dead-letter queue (it holds ${holds}); nothing consumes it automatically.`,
    });
    return queue;
  }

  private grant(
    fn: IsmsFunction,
    grant: FunctionGrant,
    identities: ReadonlyMap<string, ses.EmailIdentity>,
  ): void {
    const role = fn.role;
    const allow = (actions: string[], resources: string[]): void => {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    };
    /** A statement on a wildcard resource, acknowledged by that exact resource with its reason. */
    const allowWildcard = (actions: string[], resource: string, reason: string): void => {
      allow(actions, [resource]);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[${nagResourceFinding(this, resource)}]`,
        reason,
      });
    };
    const tableResources = [
      this.table.tableArn,
      ...tableDesign.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
    ];
    const eventsTable = [this.eventsTable.tableArn];
    /** Get and Put of evidence objects under one prefix, acknowledged with its reason. */
    const evidenceObjects = (actions: string[], prefix: string, reason: string): void =>
      allowWildcard(actions, this.evidenceBucket.arnForObjects(prefix), reason);
    switch (grant) {
      case 'table:read':
        allow(TABLE_READ_ACTIONS, tableResources);
        allow(EVENTS_READ_ACTIONS, eventsTable);
        allow(KMS_DECRYPT_ACTIONS, [this.dataKey.keyArn]);
        return;
      case 'table:readWrite':
        allow([...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], tableResources);
        allow([...EVENTS_READ_ACTIONS, ...EVENTS_WRITE_ACTIONS], eventsTable);
        allow([...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS], [this.dataKey.keyArn]);
        return;
      case 'table:claimPeriod':
        allow(TABLE_READ_ACTIONS, tableResources);
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:PutItem'],
            resources: [this.table.tableArn],
            // One cycle per programme, type and period: the claim item is the only thing it writes.
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PERIOD#*'] } },
          }),
        );
        allow([...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS], [this.dataKey.keyArn]);
        return;
      case 'rawMail:read':
        allowWildcard(
          ['s3:GetObject'],
          this.rawMailBucket.arnForObjects('inbound/*'),
          'Inbound messages are stored under inbound/<SES message id>; the function reads any of them, and nothing else in the bucket.',
        );
        return;
      case 'evidence:read':
      case 'evidence:readWrite': {
        const write = grant === 'evidence:readWrite';
        evidenceObjects(
          ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:GetObjectAttributes'],
          '*',
          'Evidence objects are keyed by cycle and content hash, unknown in advance; reading any of them (anchors included) is what exporting and checking evidence needs.',
        );
        if (write) {
          evidenceObjects(
            ['s3:PutObject'],
            'cycles/*',
            "A cycle's evidence is keyed by cycle id and content hash under cycles/, unknown in advance; Object Lock (COMPLIANCE) keeps every version whatever this role writes, and anchors/ is out of reach.",
          );
        }
        allow(['s3:ListBucket', 's3:ListBucketVersions'], [this.evidenceBucket.bucketArn]);
        allow([...KMS_DECRYPT_ACTIONS, ...(write ? KMS_ENCRYPT_ACTIONS : [])], [this.dataKey.keyArn]);
        return;
      }
      case 'evidence:ingest':
        evidenceObjects(
          ['s3:GetObject', 's3:PutObject'],
          'cycles/*/inbound/*',
          'Inbound mail that became evidence is kept under cycles/<cycle>/inbound/<SES message id>/ (raw message and attachments by SHA-256, written once with If-None-Match and read back to compare); ids are known only when mail arrives.',
        );
        evidenceObjects(
          ['s3:PutObject'],
          'cycles/*/mail/*',
          'The copies of the confirmations and rejections ingest sends are kept under cycles/<cycle>/mail/, keyed by cycle and message; Object Lock keeps every version.',
        );
        allow([...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS], [this.dataKey.keyArn]);
        return;
      case 'anchors:write':
        evidenceObjects(
          [
            's3:GetObject',
            's3:GetObjectVersion',
            's3:GetObjectRetention',
            's3:PutObject',
            's3:PutObjectRetention',
          ],
          'anchors/*',
          'Anchors are keyed by cycle and milestone under anchors/, written once (If-None-Match, which the bucket policy requires) with an explicit COMPLIANCE lock (PutObjectRetention), which can only be extended.',
        );
        allow(['s3:ListBucket', 's3:ListBucketVersions'], [this.evidenceBucket.bucketArn]);
        allow([...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS], [this.dataKey.keyArn]);
        return;
      case 'anchors:sign':
        // kms:Sign is in the key policy, which names this role alone (protectAnchors); the role's
        // own policy holds only what reading the public key needs.
        allow(PUBLIC_KEY_ACTIONS, [this.anchorSigningKey.keyArn]);
        return;
      case 'anchors:publicKey':
        allow(PUBLIC_KEY_ACTIONS, [this.anchorSigningKey.keyArn]);
        return;
      case 'replyKey:read':
        this.replyKeySecret.grantRead(role);
        return;
      case 'replyKey:rotate': {
        // Exactly the rotation contract's calls, on this secret only (no GetRandomPassword: the key
        // comes from the function's own CSPRNG), and the data key only through Secrets Manager.
        allow(
          [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          [this.replyKeySecret.secretArn],
        );
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: [...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS],
            resources: [this.dataKey.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
          }),
        );
        // The schedule itself, with the function as its rotation function. CfnRotationSchedule rather
        // than addRotationSchedule: the latter adds its own broader grants (GetRandomPassword on *).
        fn.function.addPermission('InvokedBySecretsManager', {
          principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
          sourceArn: this.replyKeySecret.secretArn,
        });
        const rotation = new secretsmanager.CfnRotationSchedule(this, 'ReplyKeyRotation', {
          secretId: this.replyKeySecret.secretArn,
          rotationLambdaArn: fn.function.functionArn,
          rotationRules: { automaticallyAfterDays: REPLY_KEY_ROTATION_DAYS },
          rotateImmediatelyOnUpdate: false,
        });
        rotation.node.addDependency(fn.function);
        return;
      }
      case 'mail:send':
        // Only as the programme's sending address: a function that is made to send cannot send as
        // anyone else of the verified domains.
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendRawEmail'],
            resources: [
              ...[...identities.keys()].map((domain) => this.sesArn('identity', domain)),
              this.sesArn('configuration-set', this.configurationSet.configurationSetName),
            ],
            conditions: { StringEquals: { 'ses:FromAddress': this.fromAddress } },
          }),
        );
        return;
      case 'workflow:respond':
        allow(
          ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          [this.stateMachineArnString],
        );
        return;
      case 'workflow:start': {
        allow(['states:StartExecution'], [this.stateMachineArnString]);
        const executions = this.formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${this.stateMachineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
        allowWildcard(
          ['states:DescribeExecution'],
          executions,
          'Executions are named by cycle id; the function may describe any execution of the review-cycle machine only.',
        );
        return;
      }
      default: {
        const unknown: never = grant;
        throw new InvalidStackInput(
          `Unknown function grant "${String(unknown)}"; see FunctionGrant in infra/functions.ts`,
        );
      }
    }
  }

  private sesArn(resource: string, name: string): string {
    return this.formatArn({
      service: 'ses',
      resource,
      resourceName: name,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

/**
 * Scheduler target that invokes one function by its unqualified ARN, which is what a schedule names.
 * `LambdaInvoke` would grant the role `lambda:InvokeFunction` on the function and on `<arn>:*` (every
 * version and alias); this grants the unqualified ARN only, so the role can invoke that function and
 * nothing else.
 */
class InvokeUnqualifiedFunction extends schedulerTargets.LambdaInvoke {
  private readonly invoked: IFunction;

  constructor(fn: IFunction, props: schedulerTargets.ScheduleTargetBaseProps) {
    super(fn, props);
    this.invoked = fn;
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invoked.functionArn] }),
    );
  }
}

/**
 * EventBridge target that writes events to a log group (with a DLQ and retries), granted by a
 * native AWS::Logs::ResourcePolicy rather than the custom-resource Lambda that
 * aws-events-targets' CloudWatchLogGroup target deploys for the same purpose.
 */
function logGroupTarget(
  logGroup: logs.LogGroup,
  deadLetterQueue: sqs.Queue,
  rule: events.Rule,
): events.IRuleTarget {
  const stack = Stack.of(logGroup);
  new logs.ResourcePolicy(stack, 'MailEventsLogsPolicy', {
    policyStatements: [
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
        ],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    ],
  });
  deadLetterQueue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowMailEventsRule',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [deadLetterQueue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
  return {
    bind: () => ({
      arn: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
      targetResource: logGroup,
    }),
  };
}

function toAttribute(attribute: KeyAttribute): dynamodb.Attribute {
  return {
    name: attribute.name,
    type: attribute.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
  };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function checkDomain(domain: string, field: string): string {
  if (!DOMAIN.test(domain)) {
    throw new InvalidStackInput(
      `${field}: "${domain}" is not a domain name; expected e.g. reply.example.com`,
    );
  }
  return domain;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) {
    throw new InvalidStackInput(
      `mail.fromAddress: "${address}" is not an email address; expected name@domain`,
    );
  }
  return checkDomain(address.slice(at + 1), 'mail.fromAddress');
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** CloudWatch Logs only accepts certain retention periods: the shortest that covers `days`. */
export function retentionAtLeast(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const fit = allowed.find((value) => value >= days);
  return (fit ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}
