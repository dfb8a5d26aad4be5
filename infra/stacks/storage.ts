/**
 * Storage: the stack's one symmetric KMS key, the table and the append-only events table
 * (tableDesign, eventsTableDesign), the access-log, raw-mail and evidence buckets, and the reply
 * keyring secret; with the grants a registry function holds on them (table:*, rawMail:read,
 * evidence:*, replyKey:*). Everything that holds records or evidence is RETAINed.
 *
 * One customer-managed key encrypts everything at rest that is not SSE-S3 or SQS-managed: the tables,
 * the evidence bucket, the reply keyring secret, every log group and the alarm topic. Who may decrypt
 * what is decided by IAM (each role is granted the key only beside the resource it may read, some
 * through Secrets Manager only: kms:ViaService) and by the key policy, which lets a service principal
 * use it only for its own resources: CloudWatch Logs under an encryption context naming a log group of
 * this account and region, CloudWatch alarms publishing to the topic from this account. A ciphertext
 * is bound to its encryption context (the table, the bucket object, the secret, the log group), so a
 * service allowed the key for one of them cannot decrypt another. A second key for logs and the topic
 * (as the stack once had) bought no real separation: the same administrators hold both keys' policies,
 * and every role is limited by IAM in the same way; it cost USD 1 a month. The anchoring key stays
 * apart (anchoring.ts): it is asymmetric, signs, and its policy names one role.
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  eventsTableDesign,
  eventsTableNameFor,
  tableDesign,
  TTL_ATTRIBUTE,
} from '#shared/store/table-design.ts';
import type { KeyAttribute } from '#shared/store/table-design.ts';
import type { FunctionGrant } from '#infra/functions.ts';
import { allow, allowWildcard } from './grants.ts';
import type { Granters } from './grants.ts';
import type { StackProgramme } from './stack-input.ts';

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

export const KMS_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
export const KMS_ENCRYPT_ACTIONS = [
  'kms:Encrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];
/** Days between rotations of the reply keyring: a new key is published, the previous one signs. */
const REPLY_KEY_ROTATION_DAYS = 90;

/** The stack's one symmetric key: records (tables, evidence, secrets) and operations (logs, alarm topic). */
export interface DataKeys {
  readonly dataKey: kms.Key;
}

export interface Storage extends DataKeys {
  readonly table: dynamodb.Table;
  /** The cycles' event logs: append-only (no role holds UpdateItem, DeleteItem or BatchWriteItem). */
  readonly eventsTable: dynamodb.Table;
  readonly accessLogsBucket: s3.Bucket;
  readonly rawMailBucket: s3.Bucket;
  readonly evidenceBucket: s3.Bucket;
  readonly replyKeySecret: secretsmanager.Secret;
}

/** The grants storage answers for: on the tables, the raw-mail and evidence buckets, the reply key. */
export type StorageGrant = Extract<
  FunctionGrant,
  `table:${string}` | `rawMail:${string}` | `evidence:${string}` | `replyKey:${string}`
>;

export function createDataKeys(stack: Stack): DataKeys {
  const dataKey = new kms.Key(stack, 'DataKey', {
    description: 'isms-review data at rest: tables, evidence bucket, reply keyring, log groups, alarm topic',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // CloudWatch Logs encrypts the stack's log groups (functions, state machine, mail events, web
  // access logs); KMS binds each ciphertext to its log group's ARN, the condition below.
  dataKey.addToResourcePolicy(
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
  // The alarms publish to the encrypted alarm topic (SNS encrypts with the publisher's grant).
  dataKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  return { dataKey };
}

/** The tables, buckets and reply-key secret, encrypted with `keys`. */
export function createStorage(stack: Stack, programme: StackProgramme, keys: DataKeys): Storage {
  const { dataKey } = keys;
  const tableDefaults = {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: dataKey,
    removalPolicy: RemovalPolicy.RETAIN,
  } satisfies Partial<dynamodb.TableProps>;
  const table = new dynamodb.Table(stack, 'Table', {
    ...tableDefaults,
    partitionKey: toAttribute(tableDesign.partitionKey),
    sortKey: toAttribute(tableDesign.sortKey),
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });
  for (const index of tableDesign.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: toAttribute(index.partitionKey),
      sortKey: toAttribute(index.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  // The event logs, in a table of their own so that IAM can make them append-only: roles hold
  // PutItem (the code writes with attribute_not_exists), GetItem and Query here, nothing else.
  const eventsTable = new dynamodb.Table(stack, 'EventsTable', {
    // Named after the main table (eventsTableNameFor), so that a client given only TABLE_NAME finds it.
    tableName: eventsTableNameFor(table.tableName),
    partitionKey: toAttribute(eventsTableDesign.partitionKey),
    sortKey: toAttribute(eventsTableDesign.sortKey),
    ...tableDefaults,
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
  const accessLogsBucket = new s3.Bucket(stack, 'AccessLogsBucket', {
    ...bucketDefaults,
    encryption: s3.BucketEncryption.S3_MANAGED,
  });
  Validations.of(accessLogsBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the server access log bucket of the other buckets; logging it into itself would log its own log deliveries without end.',
  });

  // SES's S3 action writes with server-side encryption of the bucket. SSE-S3 (not KMS): SES
  // would otherwise need the KMS key, and the action's own kmsKeyArn option is client-side
  // encryption that only the S3 encryption client can read back.
  const rawMailBucket = new s3.Bucket(stack, 'RawMailBucket', {
    ...bucketDefaults,
    encryption: s3.BucketEncryption.S3_MANAGED,
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'raw-mail/',
  });

  const evidenceBucket = new s3.Bucket(stack, 'EvidenceBucket', {
    ...bucketDefaults,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: dataKey,
    bucketKeyEnabled: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
      Duration.days(programme.evidence.retentionDays),
    ),
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 'evidence/',
  });

  // ---- reply-token key ----------------------------------------------------------------------
  // The reply keyring (shared/mail/reply-keyring.ts). It starts as one key of 64 hex characters
  // (generation 1); the rotation function (registry grant `replyKey:rotate`, which also sets the
  // rotation schedule: see storageGrants) turns it into a JSON keyring and adds a generation every
  // REPLY_KEY_ROTATION_DAYS, keeping old keys until every token they signed has expired.
  const replyKeySecret = new secretsmanager.Secret(stack, 'ReplyKey', {
    description:
      'HMAC keyring that signs reply addresses (rotated; old keys verify until their tokens expire)',
    encryptionKey: dataKey,
    removalPolicy: RemovalPolicy.RETAIN,
    generateSecretString: {
      passwordLength: 64,
      excludeUppercase: true,
      excludePunctuation: true,
      includeSpace: false,
      excludeCharacters: 'ghijklmnopqrstuvwxyz',
    },
  });

  return { ...keys, table, eventsTable, accessLogsBucket, rawMailBucket, evidenceBucket, replyKeySecret };
}

/** The grants on the tables, the raw-mail and evidence buckets and the reply key. */
export function storageGrants(stack: Stack, storage: Storage): Granters<StorageGrant> {
  const { table, eventsTable, rawMailBucket, evidenceBucket, replyKeySecret, dataKey } = storage;
  const tableResources = [
    table.tableArn,
    ...tableDesign.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
  ];
  const eventsTableResources = [eventsTable.tableArn];
  const readWriteData = [...KMS_DECRYPT_ACTIONS, ...KMS_ENCRYPT_ACTIONS];
  const evidence =
    (write: boolean) =>
    ({ role }: { role: iam.IRole }): void => {
      allowWildcard(
        role,
        ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:GetObjectAttributes'],
        evidenceBucket.arnForObjects('*'),
        'Evidence objects are keyed by cycle and content hash, unknown in advance; reading any of them (anchors included) is what exporting and checking evidence needs.',
      );
      if (write) {
        allowWildcard(
          role,
          ['s3:PutObject'],
          evidenceBucket.arnForObjects('cycles/*'),
          "A cycle's evidence is keyed by cycle id and content hash under cycles/, unknown in advance; Object Lock (COMPLIANCE) keeps every version whatever this role writes, and anchors/ is out of reach.",
        );
      }
      allow(role, ['s3:ListBucket', 's3:ListBucketVersions'], [evidenceBucket.bucketArn]);
      allow(role, [...KMS_DECRYPT_ACTIONS, ...(write ? KMS_ENCRYPT_ACTIONS : [])], [dataKey.keyArn]);
    };
  return {
    'table:read': ({ role }) => {
      allow(role, TABLE_READ_ACTIONS, tableResources);
      allow(role, EVENTS_READ_ACTIONS, eventsTableResources);
      allow(role, KMS_DECRYPT_ACTIONS, [dataKey.keyArn]);
    },
    'table:readWrite': ({ role }) => {
      allow(role, [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], tableResources);
      allow(role, [...EVENTS_READ_ACTIONS, ...EVENTS_WRITE_ACTIONS], eventsTableResources);
      allow(role, readWriteData, [dataKey.keyArn]);
    },
    'table:claimPeriod': ({ role }) => {
      allow(role, TABLE_READ_ACTIONS, tableResources);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [table.tableArn],
          // One cycle per programme, type and period: the claim item is the only thing it writes.
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PERIOD#*'] } },
        }),
      );
      allow(role, readWriteData, [dataKey.keyArn]);
    },
    'rawMail:read': ({ role }) => {
      allowWildcard(
        role,
        ['s3:GetObject'],
        rawMailBucket.arnForObjects('inbound/*'),
        'Inbound messages are stored under inbound/<SES message id>; the function reads any of them, and nothing else in the bucket.',
      );
    },
    'evidence:read': evidence(false),
    'evidence:readWrite': evidence(true),
    'evidence:ingest': ({ role }) => {
      allowWildcard(
        role,
        ['s3:GetObject', 's3:PutObject'],
        evidenceBucket.arnForObjects('cycles/*/inbound/*'),
        'Inbound mail that became evidence is kept under cycles/<cycle>/inbound/<SES message id>/ (raw message and attachments by SHA-256, written once with If-None-Match and read back to compare); ids are known only when mail arrives.',
      );
      allowWildcard(
        role,
        ['s3:PutObject'],
        evidenceBucket.arnForObjects('cycles/*/mail/*'),
        'The copies of the confirmations and rejections ingest sends are kept under cycles/<cycle>/mail/, keyed by cycle and message; Object Lock keeps every version.',
      );
      allow(role, readWriteData, [dataKey.keyArn]);
    },
    'replyKey:read': ({ role }) => {
      replyKeySecret.grantRead(role);
    },
    'replyKey:rotate': (fn) => {
      // Exactly the rotation contract's calls, on this secret only (no GetRandomPassword: the key
      // comes from the function's own CSPRNG), and the data key only through Secrets Manager.
      allow(
        fn.role,
        [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        [replyKeySecret.secretArn],
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: readWriteData,
          resources: [dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
      // The schedule itself, with the function as its rotation function. CfnRotationSchedule rather
      // than addRotationSchedule: the latter adds its own broader grants (GetRandomPassword on *).
      fn.function.addPermission('InvokedBySecretsManager', {
        principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
        sourceArn: replyKeySecret.secretArn,
      });
      const rotation = new secretsmanager.CfnRotationSchedule(stack, 'ReplyKeyRotation', {
        secretId: replyKeySecret.secretArn,
        rotationLambdaArn: fn.function.functionArn,
        rotationRules: { automaticallyAfterDays: REPLY_KEY_ROTATION_DAYS },
        rotateImmediatelyOnUpdate: false,
      });
      rotation.node.addDependency(fn.function);
    },
  };
}

function toAttribute(attribute: KeyAttribute): dynamodb.Attribute {
  return {
    name: attribute.name,
    type: attribute.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
  };
}
