/**
 * Template assertions for IsmsReviewStack, synthesized once (bundling skipped) with the cdk-nag
 * packs registered exactly as `cdk synth` registers them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ENTRY_METADATA_KEY, FUNCTION_RUNTIME } from '#infra/constructs/isms-function.ts';
import { functions as registry } from '#infra/functions.ts';
import { applyNagPacks, unacknowledgedFindings } from '#infra/nag.ts';
import { createIsmsReviewApp, skipBundlingContext } from '#infra/stacks/app.ts';
import {
  MAIL_EVENT_FUNCTION_ID,
  InvalidStackInput,
  RECORDED_MAIL_EVENTS,
  START_CYCLE_FUNCTION_ID,
} from '#infra/stacks/isms-review-stack.ts';
import type { StackProgramme } from '#infra/stacks/isms-review-stack.ts';
import { WAKE_UP_PATHS, workflowFunctionIds } from '#infra/workflow/review-cycle.ts';
import type { WorkflowFunctionId } from '#infra/workflow/review-cycle.ts';
import { StartRequest } from '#shared/cycle/start.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { keyAttributes, tableDesign } from '#shared/store/table-design.ts';
import {
  actionsOf,
  cfnPlaceholder,
  logicalId,
  policyStatements,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  stateMachineDefinition,
  testContext,
  testProgramme,
} from './support.ts';
import type { AslDefinition, AslState } from './support.ts';

const build = (programme: StackProgramme, nag = true) =>
  createIsmsReviewApp({ programme, context: testContext(), cloudFormationValidation: false, nag });

const programme = testProgramme;
let { app, stack } = build(programme);
let synthError: unknown;
let template: Template;
try {
  template = Template.fromStack(stack);
} catch (error) {
  // Keep the other assertions meaningful when only cdk-nag objects: rebuild without the packs.
  synthError = error;
  ({ app, stack } = build(programme, false));
  template = Template.fromStack(stack);
}

const RUNTIME_CONTRACT = [
  'TABLE_NAME',
  'RAW_MAIL_BUCKET',
  'EVIDENCE_BUCKET',
  'STATE_MACHINE_ARN',
  'MAIL_FROM',
  'SES_CONFIGURATION_SET',
  'INBOUND_DOMAIN',
  'REPLY_KEY_SECRET_ARN',
  'PROGRAMME_ID',
];

describe('bad programme input', () => {
  it('rejects a from address without a domain', () => {
    const bad = { ...programme, mail: { ...programme.mail, fromAddress: 'management-review' } };
    expect(() => build(bad, false)).toThrow(InvalidStackInput);
    expect(() => build(bad, false)).toThrow(/mail\.fromAddress: "management-review" is not an email address/);
  });

  it('rejects an inbound domain that is not a domain name', () => {
    const bad = { ...programme, mail: { ...programme.mail, inboundDomain: 'reply@example.com' } };
    expect(() => build(bad, false)).toThrow(/mail\.inboundDomain: "reply@example\.com" is not a domain name/);
  });

  it('rejects an evidence retention that Object Lock cannot apply', () => {
    for (const retentionDays of [0, -5, 1.5]) {
      const bad = { ...programme, evidence: { retentionDays } };
      expect(() => build(bad, false)).toThrow(/evidence\.retentionDays must be a whole number of days/);
    }
  });
});

describe('cdk-nag', () => {
  it('synthesizes with the AwsSolutions and Serverless packs and no unacknowledged finding', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  it('fails synthesis on an unacknowledged finding (the packs are wired as plugins)', () => {
    const probe = new App({ context: skipBundlingContext, builtinCloudFormationValidation: false });
    const probeStack = new Stack(probe, 'Probe');
    new s3.Bucket(probeStack, 'Unlogged', { enforceSSL: true });
    applyNagPacks(probe);
    expect(() => probe.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('gives every acknowledgement a specific reason', () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledgements) {
      expect(rule, 'rule ids are specific rules or findings').toMatch(
        /^(Annotation::)?(AwsSolutions|Serverless)-/,
      );
      expect(reason.length, `reason for ${rule}`).toBeGreaterThan(40);
    }
    const onStack = stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules');
    expect(onStack, 'no stack-wide acknowledgements').toEqual([]);
  });
});

describe('table', () => {
  it('has the key schema, attributes and indexes of tableDesign, all projected', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDesign.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: tableDesign.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals(
        keyAttributes().map((attribute) => ({
          AttributeName: attribute.name,
          AttributeType: attribute.type,
        })),
      ),
      GlobalSecondaryIndexes: tableDesign.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('is on demand, point-in-time recoverable, deletion protected, KMS encrypted with a rotating key, retained', () => {
    const tableId = logicalId(stack.table);
    const table = resource(template, tableId);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
      },
    });
    const key = resource(template, logicalId(stack.dataKey));
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });
});

describe('keys', () => {
  type KeyStatement = {
    Sid?: string;
    Principal?: { Service?: unknown; AWS?: unknown };
    Action: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
  };
  const statements = () =>
    (resource(template, logicalId(stack.dataKey)).Properties?.KeyPolicy as { Statement: KeyStatement[] })
      .Statement;

  it('are two: the data key for everything at rest, and the anchoring key apart', () => {
    expect(
      resourcesOfType(template, 'AWS::KMS::Key')
        .map(([id]) => id)
        .sort(),
    ).toEqual([logicalId(stack.dataKey), logicalId(stack.anchorSigningKey)].sort());
    // Every log group and the alarm topic are under the data key too.
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThan(registry.length);
    for (const [id, group] of logGroups) {
      expect(group.Properties?.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] });
    }
    expect(resource(template, logicalId(stack.alarmTopic)).Properties?.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'],
    });
  });

  it('let a service use the data key only for its own resources: Logs per log group, alarms from this account', () => {
    const services = statements().filter((statement) => statement.Principal?.Service !== undefined);
    expect(services.map((statement) => statement.Sid).sort()).toEqual([
      'AllowCloudWatchAlarmsToPublish',
      'AllowCloudWatchLogs',
    ]);
    const logs = services.find((statement) => statement.Sid === 'AllowCloudWatchLogs')!;
    expect(JSON.stringify(logs.Principal?.Service)).toContain('logs.');
    expect(JSON.stringify(logs.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'])).toMatch(
      /:logs:.*:log-group:\*/,
    );
    const alarms = services.find((statement) => statement.Sid === 'AllowCloudWatchAlarmsToPublish')!;
    expect(alarms.Principal?.Service).toBe('cloudwatch.amazonaws.com');
    expect([alarms.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(alarms.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });
});

describe('buckets', () => {
  const buckets = () => ({
    accessLogs: logicalId(stack.accessLogsBucket),
    rawMail: logicalId(stack.rawMailBucket),
    evidence: logicalId(stack.evidenceBucket),
  });

  it('are versioned, private, retained and refuse plain HTTP', () => {
    const all = resourcesOfType(template, 'AWS::S3::Bucket');
    expect(all.map(([id]) => id).sort()).toEqual(Object.values(buckets()).sort());
    for (const [id, bucket] of all) {
      expect(bucket.DeletionPolicy, id).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
        ([, candidate]) => JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: id }),
      );
      expect(policy, `bucket policy of ${id}`).toBeDefined();
      const denyHttp = policyStatements(policy?.[1].Properties?.PolicyDocument).find(
        (statement) =>
          statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(denyHttp, `SSL-only statement on ${id}`).toMatchObject({
        Action: 's3:*',
        Principal: { AWS: '*' },
      });
    }
  });

  it('log server access of the raw mail and evidence buckets into the access-logs bucket', () => {
    const { accessLogs, rawMail, evidence } = buckets();
    for (const id of [rawMail, evidence]) {
      expect(resource(template, id).Properties?.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: accessLogs },
      });
    }
    // The log target bucket must use SSE-S3 for log delivery.
    expect(resource(template, accessLogs).Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('lock evidence in COMPLIANCE mode for the programme retention, under the data key', () => {
    expect(resource(template, buckets().evidence).Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: programme.evidence.retentionDays } },
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
            },
          },
        ],
      },
    });
  });

  it('let SES put raw mail under inbound/ only, from this account and this receipt rule only', () => {
    const { rawMail } = buckets();
    const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
      ([, candidate]) => JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: rawMail }),
    );
    const grants = policyStatements(policy?.[1].Properties?.PolicyDocument).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(grants).toHaveLength(1);
    const [grant] = grants;
    expect(grant?.Principal).toEqual({ Service: 'ses.amazonaws.com' });
    expect(grant?.Action).toBe('s3:PutObject');
    expect(resourcesOf(grant!)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [rawMail, 'Arn'] }, '/inbound/*']] }),
    ]);
    expect(grant?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(JSON.stringify(grant?.Condition?.StringEquals?.['aws:SourceArn'])).toContain(
      `:receipt-rule-set/${stack.stackName}-inbound:receipt-rule/${stack.stackName}-replies`,
    );
  });
});

describe('inbound mail', () => {
  it('stores the raw message in S3 first, then invokes ingest-email asynchronously', () => {
    const ingestId = logicalId(stack.functions.get('ingest-email')!.function);
    const rules = resourcesOfType(template, 'AWS::SES::ReceiptRule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties?.Rule).toMatchObject({
      Name: `${stack.stackName}-replies`,
      Enabled: true,
      ScanEnabled: true,
      Recipients: [programme.mail.inboundDomain],
      Actions: [
        { S3Action: { BucketName: { Ref: logicalId(stack.rawMailBucket) }, ObjectKeyPrefix: 'inbound/' } },
        { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [ingestId, 'Arn'] }, InvocationType: 'Event' } },
      ],
    });
    expect((rule.Properties?.Rule as { Actions: unknown[] }).Actions).toHaveLength(2);
    // SES checks both permissions when the rule is created.
    const bucketPolicyId = logicalId(stack.rawMailBucket.policy!);
    expect(rule.DependsOn).toEqual(expect.arrayContaining([bucketPolicyId]));
    const permission = resourcesOfType(template, 'AWS::Lambda::Permission').find(
      ([, p]) => p.Properties?.Principal === 'ses.amazonaws.com',
    );
    expect(permission).toBeDefined();
    expect(rule.DependsOn).toEqual(expect.arrayContaining([permission![0]]));
    expect(permission![1].Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [ingestId, 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect(JSON.stringify(permission![1].Properties?.SourceArn)).toContain(
      `receipt-rule/${stack.stackName}-replies`,
    );
  });

  it('verifies the from domain (with the configuration set) and the inbound domain', () => {
    const identities = resourcesOfType(template, 'AWS::SES::EmailIdentity').map(
      ([, identity]) => identity.Properties,
    );
    expect(identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          EmailIdentity: 'nordlicht.example',
          ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalId(stack.configurationSet) } },
        }),
        expect.objectContaining({ EmailIdentity: programme.mail.inboundDomain }),
      ]),
    );
  });

  it('records delivery, bounce, complaint and reject events of the configuration set', () => {
    const destination = resourcesOfType(template, 'AWS::SES::ConfigurationSetEventDestination');
    expect(destination).toHaveLength(1);
    const eventDestination = destination[0]![1].Properties?.EventDestination as {
      MatchingEventTypes: string[];
      EventBridgeDestination: unknown;
    };
    expect(eventDestination.MatchingEventTypes).toEqual(
      expect.arrayContaining(['delivery', 'bounce', 'complaint', 'reject']),
    );
    expect(eventDestination.MatchingEventTypes).toHaveLength(RECORDED_MAIL_EVENTS.length);
    expect(JSON.stringify(eventDestination.EventBridgeDestination)).toContain(':event-bus/default');

    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [`${stack.stackName}-mail`] } } },
      },
      Targets: Match.arrayWith([
        Match.objectLike({
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.mailEventsDeadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        }),
      ]),
    });
    // The receipts also go to record-mail-event, which appends them to the cycle's log.
    const recorder = stack.functions.get(MAIL_EVENT_FUNCTION_ID);
    expect(recorder).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: Match.arrayWith([
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(recorder!.function), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.mailEventsDeadLetterQueue), 'Arn'] } },
        }),
      ]),
    });
    // Kept at least as long as the evidence, encrypted, writable by EventBridge through a resource policy.
    const logGroup = resource(template, logicalId(stack.mailEventsLogGroup));
    expect(logGroup.Properties?.RetentionInDays).toBeGreaterThanOrEqual(programme.evidence.retentionDays);
    expect(logGroup.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] });
    const logPolicy = resourcesOfType(template, 'AWS::Logs::ResourcePolicy');
    expect(logPolicy).toHaveLength(1);
    expect(JSON.stringify(logPolicy[0]![1].Properties?.PolicyDocument)).toContain('events.amazonaws.com');
  });

  it('keeps the reply-token HMAC key as 64 generated hexadecimal characters under the data key', () => {
    // The stack's one secret: the web session keys are derived from it (test/infra/web.test.ts).
    const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret');
    expect(secrets.map(([id]) => id)).toEqual([logicalId(stack.replyKeySecret)]);
    const secret = resource(template, logicalId(stack.replyKeySecret));
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] });
    const generate = secret.Properties?.GenerateSecretString as Record<string, unknown>;
    expect(generate.PasswordLength).toBe(64);
    // Secrets Manager draws from letters, digits and punctuation: what is left after the exclusions.
    let alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    if (generate.ExcludeUppercase !== true) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    if (generate.ExcludePunctuation !== true) alphabet += '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    if (generate.IncludeSpace === true) alphabet += ' ';
    const excluded = new Set(String(generate.ExcludeCharacters ?? ''));
    const left = [...alphabet]
      .filter((character) => !excluded.has(character))
      .sort()
      .join('');
    expect(left).toBe('0123456789abcdef');
  });
});

describe('functions', () => {
  it('builds one function per registry entry, tagged with its entry for the local runtime', () => {
    const built = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(built).toHaveLength(registry.length);
    expect(built.map(([, fn]) => fn.Metadata?.[ENTRY_METADATA_KEY]).sort()).toEqual(
      registry.map((spec) => spec.entry).sort(),
    );
  });

  it('use the newest Node.js runtime, ARM64, X-Ray, explicit memory and timeout, JSON logs with retention', () => {
    expect(FUNCTION_RUNTIME.name).toBe('nodejs24.x');
    for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: FUNCTION_RUNTIME.name,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: expect.any(Number),
        Timeout: expect.any(Number),
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
      const logGroupId = (fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resource(template, logGroupId).Properties).toMatchObject({
        RetentionInDays: expect.any(Number),
        KmsKeyId: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
      });
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables)).toEqual(expect.arrayContaining(RUNTIME_CONTRACT));
      expect(variables.MAIL_FROM).toBe(programme.mail.fromAddress);
      expect(variables.INBOUND_DOMAIN).toBe(programme.mail.inboundDomain);
      expect(variables.PROGRAMME_ID).toBe(programme.organisation.id);
      expect(JSON.stringify(variables.STATE_MACHINE_ARN)).toContain(
        `:stateMachine:${stack.stackName}-review-cycle`,
      );
    }
  });

  it('send failed asynchronous invocations to the one encrypted, TLS-only failure queue of the stack', () => {
    const queues = new Map(resourcesOfType(template, 'AWS::SQS::Queue'));
    const failureQueueId = logicalId(stack.failureQueue);
    expect(queues.get(failureQueueId)?.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    // The failure queue and the two dead-letter queues (schedules, mail events): no queue per function.
    expect([...queues.keys()].sort()).toEqual(
      [
        failureQueueId,
        logicalId(stack.schedulesDeadLetterQueue),
        logicalId(stack.mailEventsDeadLetterQueue),
      ].sort(),
    );
    for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const config = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').find(
        ([, candidate]) => JSON.stringify(candidate.Properties?.FunctionName) === JSON.stringify({ Ref: id }),
      );
      expect(config, `EventInvokeConfig of ${id}`).toBeDefined();
      const destination = (
        config![1].Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }
      ).OnFailure.Destination as { 'Fn::GetAtt': [string, string] };
      const queueId = destination['Fn::GetAtt'][0];
      expect(queueId, `failure destination of ${id}`).toBe(failureQueueId);
      expect(queues.get(queueId)?.Properties?.SqsManagedSseEnabled, queueId).toBe(true);
      expect(fn.Properties?.Role).toBeDefined();
    }
    for (const [queueId] of queues) {
      const policy = resourcesOfType(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
        JSON.stringify(p.Properties?.Queues).includes(`"${queueId}"`),
      );
      const denyHttp = policyStatements(policy?.[1].Properties?.PolicyDocument).find(
        (statement) =>
          statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(denyHttp, `TLS-only policy on ${queueId}`).toBeDefined();
    }
  });

  it('run under their own roles without AWS managed policies, and never with dynamodb:Scan', () => {
    for (const fn of stack.functions.values()) {
      const role = resource(template, logicalId(fn.role));
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      const actions = roleStatements(template, logicalId(fn.role)).flatMap(actionsOf);
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    }
  });

  it('ingest-email may resume the workflow and send mail only through the identities and configuration set', () => {
    const ingest = stack.functions.get('ingest-email')!;
    const statements = roleStatements(template, logicalId(ingest.role));
    const send = statements.find((statement) => actionsOf(statement).includes('ses:SendRawEmail'));
    expect(send).toBeDefined();
    const sendTargets = resourcesOf(send!).join(' ');
    expect(sendTargets).toContain(':identity/nordlicht.example');
    expect(sendTargets).toContain(':configuration-set/');
    expect(sendTargets).not.toContain('"*"');
    const respond = statements.find((statement) => actionsOf(statement).includes('states:SendTaskSuccess'));
    expect(actionsOf(respond!).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    expect(resourcesOf(respond!).join(' ')).toContain(`:stateMachine:${stack.stackName}-review-cycle`);
  });
});

describe('state machine', () => {
  /** Which function each Task state runs (by registry id). */
  const TASK_FUNCTIONS: Record<string, WorkflowFunctionId> = {
    OpenCycle: 'open-cycle',
    RequestInputs: 'request-inputs',
    CheckInputs: 'check-inputs',
    AwaitInputs: 'await-inputs',
    CompilePackage: 'compile-package',
    Distribute: 'distribute-package',
    RequestMinutes: 'request-minutes',
    CheckMinutes: 'check-minutes',
    AwaitMinutes: 'await-minutes',
    AwaitMeeting: 'await-meeting',
    CheckPackageApproval: 'check-approval',
    AwaitPackageApproval: 'await-approval',
    CheckMinutesApproval: 'check-approval',
    AwaitMinutesApproval: 'await-approval',
    RecordOutcomes: 'record-outcomes',
    FollowUp: 'follow-up-actions',
    AwaitFollowUp: 'await-follow-up',
    CloseCycle: 'close-cycle',
    RecordFailure: 'record-failure',
    AnchorOpened: 'anchor-chain',
    AnchorPackage: 'anchor-chain',
    AnchorMinutes: 'anchor-chain',
    AnchorClosed: 'anchor-chain',
  };
  /** The Lambda service errors AWS recommends retrying on every Lambda task. */
  const LAMBDA_SERVICE_ERRORS = [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];
  const WAIT_FOR_TASK_TOKEN = `arn:${cfnPlaceholder({ Ref: 'AWS::Partition' })}:states:::lambda:invoke.waitForTaskToken`;

  let parsed: AslDefinition | undefined;
  const definition = (): AslDefinition =>
    (parsed ??= stateMachineDefinition(template, logicalId(stack.stateMachine)));
  const states = () => Object.entries(definition().States);
  const tasks = () => states().filter(([, state]) => state.Type === 'Task');
  const arnOf = (fnId: string) =>
    cfnPlaceholder({ 'Fn::GetAtt': [logicalId(stack.functions.get(fnId)!.function), 'Arn'] });
  /** A task with payloadResponseOnly names its function as the Resource; a callback task in its Parameters. */
  const invokedBy = (state: AslState): unknown =>
    state.Resource === WAIT_FOR_TASK_TOKEN ? state.Parameters?.FunctionName : state.Resource;

  it('is a STANDARD machine that logs ALL (without execution data) to an encrypted group, with X-Ray', () => {
    const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    const [, machine] = machines[0]!;
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: `${stack.stackName}-review-cycle`,
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const destination = (
      machine.Properties?.LoggingConfiguration as {
        Destinations: Array<{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }>;
      }
    ).Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resource(template, destination).Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
      RetentionInDays: expect.any(Number),
    });
  });

  it('is one connected JSONPath graph from OpenCycle: every transition names a state, every state is reachable', () => {
    const { StartAt, States, QueryLanguage } = definition();
    expect(StartAt).toBe('OpenCycle');
    // The local runner evaluates JSONPath only.
    expect(QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, state] of states()) {
      expect(state.QueryLanguage ?? 'JSONPath', name).toBe('JSONPath');
    }
    const targets = (state: AslState): string[] => [
      ...(state.Next === undefined ? [] : [state.Next]),
      ...(state.Default === undefined ? [] : [state.Default]),
      ...(state.Choices ?? []).map((choice) => choice.Next),
      ...(state.Catch ?? []).map((catcher) => catcher.Next),
    ];
    for (const [name, state] of states()) {
      for (const target of targets(state)) expect(States[target], `${name} → ${target}`).toBeDefined();
      const terminal = ['Succeed', 'Fail'].includes(state.Type) || state.End === true;
      expect(terminal || state.Next !== undefined || state.Type === 'Choice', `${name} leads somewhere`).toBe(
        true,
      );
    }
    const reached = new Set([StartAt]);
    const queue = [StartAt];
    while (queue.length > 0) {
      for (const target of targets(States[queue.shift()!]!)) {
        if (!reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    expect([...reached].sort()).toEqual(Object.keys(States).sort());
    expect(
      states()
        .filter(([, state]) => state.Type === 'Succeed')
        .map(([name]) => name),
    ).toEqual(['Closed']);
  });

  it('runs each phase on its own workflow function, through the two Lambda integrations only', () => {
    expect(new Set(Object.values(TASK_FUNCTIONS))).toEqual(new Set(workflowFunctionIds));
    const byState = Object.fromEntries(tasks().map(([name, state]) => [name, invokedBy(state)]));
    expect(byState).toEqual(
      Object.fromEntries(Object.entries(TASK_FUNCTIONS).map(([name, fnId]) => [name, arnOf(fnId)])),
    );
    for (const [name, state] of tasks()) {
      const callback = state.Resource === WAIT_FOR_TASK_TOKEN;
      // Only a callback task hands out a task token; the others return the handler's result as is.
      expect(JSON.stringify(state.Parameters).includes('$$.Task.Token'), name).toBe(callback);
      if (!callback) expect(state.Parameters?.FunctionName, name).toBeUndefined();
    }
  });

  it('waits for people with a task token that sleeps until its check says something falls due, then goes to the check', () => {
    const { States } = definition();
    const callbacks = states().filter(([, state]) => String(state.Resource).endsWith('.waitForTaskToken'));
    const checks: Record<string, string> = {
      AwaitInputs: 'CheckInputs',
      AwaitMinutes: 'CheckMinutes',
      AwaitPackageApproval: 'CheckPackageApproval',
      AwaitMinutesApproval: 'CheckMinutesApproval',
      AwaitMeeting: 'RequestMinutes',
      AwaitFollowUp: 'FollowUp',
    };
    expect(callbacks.map(([name]) => name).sort()).toEqual(Object.keys(checks).sort());
    for (const [name, state] of callbacks) {
      const check = checks[name]!;
      // No fixed tick: the timeout is the seconds the check before it returned (shared/cycle/wake-up.ts).
      expect(state.TimeoutSeconds, `${name} has no fixed TimeoutSeconds`).toBeUndefined();
      expect(state.TimeoutSecondsPath, name).toBe(
        `${(States[check] as { ResultPath?: string }).ResultPath}.sleepSeconds`,
      );
      expect(state.TimeoutSecondsPath, name).toBe(WAKE_UP_PATHS[name as keyof typeof WAKE_UP_PATHS]);
      // The check's result reaches the wait unchanged: only its own Choice stands between them.
      const decision = States[States[check]!.Next!]!;
      expect(decision.Type, `${check} → decision`).toBe('Choice');
      expect(decision.Default, `${check} waits again`).toBe(name);
      expect(state.Resource, name).toBe(WAIT_FOR_TASK_TOKEN);
      expect(state.Parameters?.Payload, name).toEqual({
        'cycleId.$': '$.cycle.cycleId',
        'taskToken.$': '$$.Task.Token',
        ...(name.endsWith('Approval')
          ? { subject: name.startsWith('AwaitPackage') ? 'package' : 'minutes' }
          : {}),
        // What its timeout was worked out for: a change before the park resumes it at once.
        ...(name === 'AwaitMeeting' ? { 'meetingAt.$': '$.cycle.meetingAt' } : {}),
        ...(name === 'AwaitFollowUp' ? { 'dueAt.$': '$.followUp.dueAt' } : {}),
        ...(['AwaitInputs', 'AwaitMinutes', 'AwaitPackageApproval', 'AwaitMinutesApproval'].includes(name)
          ? { 'stamp.$': `${(States[check] as { ResultPath?: string }).ResultPath}.stamp` }
          : {}),
      });
      // The first matching Catch wins: the timeout must come before the catch-all, and keep $ as it is.
      expect(state.Catch?.[0], name).toEqual({
        ErrorEquals: ['States.Timeout'],
        ResultPath: null,
        Next: check,
      });
      expect(state.Next, name).toBe(check);
      // A retried timeout would park the token again instead of sending the due reminders.
      expect(
        state.Retry?.flatMap((retrier) => retrier.ErrorEquals),
        name,
      ).not.toContain('States.Timeout');
    }
  });

  it('waits for the meeting with a parked token that a move wakes, not a Wait state: the minutes are asked for once it is held', () => {
    const { States } = definition();
    // The package out and anchored, RequestMinutes asks for the minutes, or says how long to wait.
    expect(States.AnchorPackage!.Next).toBe('RequestMinutes');
    expect(invokedBy(States.RequestMinutes!)).toBe(arnOf('request-minutes'));
    expect(States.RequestMinutes!.Next).toBe('MeetingHeld?');
    const held = States['MeetingHeld?']!;
    expect(held.Choices).toEqual([
      { Variable: '$.cycle.meetingHeld', BooleanEquals: true, Next: 'CheckMinutes' },
    ]);
    expect(held.Default).toBe('AwaitMeeting');
    // Woken by a move (SendTaskSuccess) or at the meeting time (States.Timeout): RequestMinutes again.
    const wait = States.AwaitMeeting!;
    expect(invokedBy(wait)).toBe(arnOf('await-meeting'));
    expect(wait.TimeoutSecondsPath).toBe('$.cycle.sleepSeconds');
    expect(wait.Next).toBe('RequestMinutes');
    expect(wait.Catch?.[0]?.Next).toBe('RequestMinutes');
    // Nothing sleeps on the meeting time itself: a sleeping Wait state cannot be woken.
    for (const [name, state] of states()) expect(state.TimestampPath, name).not.toBe('$.cycle.meetingAt');
  });

  it('retries Lambda service errors on every task with capped exponential backoff and full jitter, never business errors', () => {
    expect(tasks().length).toBe(Object.keys(TASK_FUNCTIONS).length);
    for (const [name, state] of tasks()) {
      expect(state.Retry?.length, `${name} Retry`).toBeGreaterThan(0);
      for (const retrier of state.Retry!) {
        expect(retrier.JitterStrategy, name).toBe('FULL');
        expect(retrier.BackoffRate, name).toBeGreaterThan(1);
        expect(retrier.MaxDelaySeconds, name).toBeGreaterThan(0);
        expect(retrier.MaxAttempts, name).toBeGreaterThan(0);
      }
      const retried = state.Retry!.flatMap((retrier) => retrier.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(LAMBDA_SERVICE_ERRORS));
      for (const broad of ['States.ALL', 'States.TaskFailed', 'States.Timeout', 'States.Runtime']) {
        expect(retried, name).not.toContain(broad);
      }
    }
  });

  it('catches every other error of a task: RecordFailure records it on the cycle and tells the ISMS manager, then the execution fails', () => {
    const { States } = definition();
    const recordFailure = States.RecordFailure!;
    expect(invokedBy(recordFailure)).toBe(arnOf('record-failure'));
    expect(recordFailure.Parameters).toMatchObject({
      'cycleId.$': '$.cycle.cycleId',
      'error.$': '$.failure',
    });
    const failState = (name: string | undefined) => {
      expect(States[name ?? '']).toMatchObject({
        Type: 'Fail',
        ErrorPath: '$.failure.Error',
        CausePath: '$.failure.Cause',
      });
    };
    failState(recordFailure.Next);
    // The failure handler never loops into itself.
    for (const catcher of recordFailure.Catch ?? []) expect(States[catcher.Next]?.Type).toBe('Fail');

    for (const [name, state] of tasks()) {
      if (name === 'RecordFailure') continue;
      expect(state.Catch?.length, `${name} Catch`).toBeGreaterThan(0);
      const catchAll = state.Catch!.at(-1)!;
      // States.ALL must be alone and last; the error goes to $.failure, the cycle view stays.
      expect(catchAll.ErrorEquals, name).toEqual(['States.ALL']);
      expect(catchAll.ResultPath, name).toBe('$.failure');
      expect(
        state.Catch!.slice(0, -1).flatMap((catcher) => catcher.ErrorEquals),
        name,
      ).not.toContain('States.ALL');
      if (name === 'OpenCycle') {
        // No cycle exists yet to record the failure on: fail with the error as it is.
        failState(catchAll.Next);
      } else {
        expect(catchAll.Next, name).toBe('RecordFailure');
      }
    }
  });

  it('waits for the dates the cycle holds (TimestampPath), never a fixed delay', () => {
    const waits = states().filter(([, state]) => state.Type === 'Wait');
    expect(Object.fromEntries(waits.map(([name, state]) => [name, state.TimestampPath]))).toEqual({
      WaitForDistribution: '$.cycle.packageSendAt',
    });
    for (const [name, state] of waits) expect(state.Seconds, name).toBeUndefined();
  });

  it('may invoke the workflow functions and no other function', () => {
    const statements = roleStatements(template, logicalId(stack.stateMachine.role));
    const lambda = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('lambda:')),
    );
    expect(lambda.flatMap(actionsOf).every((action) => action === 'lambda:InvokeFunction')).toBe(true);
    const expected = workflowFunctionIds.flatMap((fnId) => {
      const arn = { 'Fn::GetAtt': [logicalId(stack.functions.get(fnId)!.function), 'Arn'] };
      return [JSON.stringify(arn), JSON.stringify({ 'Fn::Join': ['', [arn, ':*']] })];
    });
    expect(lambda.flatMap(resourcesOf).sort()).toEqual(expected.sort());
    for (const other of ['ingest-email', START_CYCLE_FUNCTION_ID]) {
      expect(JSON.stringify(statements)).not.toContain(
        `"${logicalId(stack.functions.get(other)!.function)}"`,
      );
    }
  });
});

describe('schedules', () => {
  const startCycleArn = () => ({
    'Fn::GetAtt': [logicalId(stack.functions.get(START_CYCLE_FUNCTION_ID)!.function), 'Arn'],
  });
  /** The review schedules (the daily anchor sweep has its own assertions below). */
  const schedules = () =>
    resourcesOfType(template, 'AWS::Scheduler::Schedule')
      .map(([, s]) => s.Properties!)
      .filter((s) => JSON.stringify((s.Target as { Arn: unknown }).Arn) === JSON.stringify(startCycleArn()));

  it('invoke start-cycle once per programme review, in the organisation time zone, with a DLQ and retries', () => {
    expect(schedules()).toHaveLength(programme.schedule.reviews.length);
    programme.schedule.reviews.forEach((review, index) => {
      const schedule = schedules()[index]!;
      expect(schedule).toMatchObject({
        ScheduleExpression: review.cron,
        ScheduleExpressionTimezone: programme.organisation.timeZone,
        GroupName: `${stack.stackName}-reviews`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: startCycleArn(),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.schedulesDeadLetterQueue), 'Arn'] } },
        },
      });
      const target = schedule.Target as { Input: string };
      expect(JSON.parse(target.Input)).toEqual({
        programmeId: programme.organisation.id,
        type: review.type,
        comprehensive: review.comprehensive ?? false,
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
    });
  });

  it('give start-cycle an input it accepts, naming one valid execution per review and scheduled time', () => {
    // What the scheduler puts in place of <aws.scheduler.scheduled-time>.
    const firedAt = '2026-02-02T07:30:00Z';
    const cycleIds = schedules().map((schedule) => {
      const input = JSON.parse((schedule.Target as { Input: string }).Input) as Record<string, unknown>;
      const fired = StartRequest.safeParse({ ...input, scheduledTime: firedAt });
      expect(fired.error, JSON.stringify(input)).toBeUndefined();
      return cycleIdFor(fired.data!.type, new Date(fired.data!.scheduledTime));
    });
    for (const cycleId of cycleIds) {
      // Step Functions execution names: 1-80 characters, none of whitespace, brackets, wildcards or "#%\^|~`$&,;:/.
      expect(cycleId).toMatch(/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/);
    }
    // Two reviews due at the same minute still start two cycles.
    expect(new Set(cycleIds).size).toBe(cycleIds.length);
  });

  it('use a role that may only invoke start-cycle and write to the schedules dead-letter queue', () => {
    const roleIds = new Set(
      schedules().map(
        (s) => (s.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0],
      ),
    );
    expect(roleIds.size).toBe(1);
    const [roleId] = [...roleIds];
    const role = resource(template, roleId!);
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties?.Policies).toBeUndefined();
    const trust = policyStatements(role.Properties?.AssumeRolePolicyDocument);
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust[0]!.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(JSON.stringify(trust[0]!.Condition?.ArnLike?.['aws:SourceArn'])).toContain(
      `:schedule/${stack.stackName}-reviews/*`,
    );
    const statements = roleStatements(template, roleId!);
    expect(statements.map((statement) => statement.Effect)).toEqual(['Allow', 'Allow']);
    // The unqualified function only: not its versions or aliases (":*"), not the state machine.
    expect(statements.map((statement) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [['lambda:InvokeFunction'], [JSON.stringify(startCycleArn())]],
      [
        ['sqs:SendMessage'],
        [JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.schedulesDeadLetterQueue), 'Arn'] })],
      ],
    ]);
  });

  it('leave the start to start-cycle, which may start and describe executions of the review-cycle machine only, and claim the period', () => {
    const startCycle = stack.functions.get(START_CYCLE_FUNCTION_ID)!;
    const statements = roleStatements(template, logicalId(startCycle.role));
    const states = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('states:')),
    );
    expect(states.flatMap(actionsOf).sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
    const start = states.find((statement) => actionsOf(statement).includes('states:StartExecution'))!;
    expect(resourcesOf(start)).toHaveLength(1);
    expect(resourcesOf(start)[0]).toContain(`:stateMachine:${stack.stackName}-review-cycle"`);
    const describe = states.find((statement) => actionsOf(statement).includes('states:DescribeExecution'))!;
    expect(resourcesOf(describe).join(' ')).toContain(`:execution:${stack.stackName}-review-cycle:*"`);
    // On the table it reads, and writes only the period claim (one cycle per programme, type and period).
    const tableWrites = statements.filter((statement) =>
      actionsOf(statement).some(
        (a) => a.startsWith('dynamodb:') && !/:(Get|BatchGet|Query|ConditionCheck|Describe)/.test(a),
      ),
    );
    expect(tableWrites.flatMap(actionsOf)).toEqual(['dynamodb:PutItem']);
    expect(tableWrites[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PERIOD#*'] },
    });
    // It touches nothing else (no bucket, secret or mail) but the failure queue.
    const others = statements.filter((statement) =>
      actionsOf(statement).some((action) => !/^(states|logs|xray|dynamodb|kms):/.test(action)),
    );
    expect(others.flatMap(actionsOf).every((action) => action.startsWith('sqs:'))).toBe(true);
    expect(others.flatMap(resourcesOf)).toEqual(
      others.map(() => JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.failureQueue), 'Arn'] })),
    );
  });
});

describe('alarms', () => {
  const alarms = () =>
    resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);
  const dimension = (alarm: Record<string, unknown>, name: string) =>
    (alarm.Dimensions as Array<{ Name: string; Value: unknown }>).find((d) => d.Name === name)?.Value;

  it('notify the encrypted alarm topic', () => {
    const topicId = logicalId(stack.alarmTopic);
    expect(resource(template, topicId).Properties?.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'],
    });
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('watch failed, timed-out and aborted executions', () => {
    const machine = { Ref: logicalId(stack.stateMachine) };
    const onMachine = alarms().filter((alarm) => alarm.Namespace === 'AWS/States');
    expect(onMachine.map((alarm) => alarm.MetricName).sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    for (const alarm of onMachine) expect(dimension(alarm, 'StateMachineArn')).toEqual(machine);
  });

  it("are 8, within the 10 alarm metrics of CloudWatch's always-free tier, each watching one metric", () => {
    expect(alarms()).toHaveLength(8);
    for (const alarm of alarms()) {
      expect(alarm.Metrics).toBeUndefined();
      expect(alarm.MetricName).toEqual(expect.any(String));
    }
  });

  it("watch the web API's server errors and the reply-key rotation's errors, no other function's", () => {
    const errorAlarms = alarms().filter(
      (alarm) => alarm.Namespace === 'AWS/Lambda' && alarm.MetricName === 'Errors',
    );
    expect(errorAlarms.map((alarm) => dimension(alarm, 'FunctionName'))).toEqual([
      { Ref: logicalId(stack.functions.get('rotate-reply-key')!.function) },
    ]);
    const apiAlarms = alarms().filter((alarm) => alarm.Namespace === 'AWS/ApiGateway');
    expect(apiAlarms.map((alarm) => alarm.MetricName)).toEqual(['5xx']);
    expect(dimension(apiAlarms[0]!, 'ApiId')).toEqual({ Ref: logicalId(stack.web!.api) });
  });

  it("watch every queue's depth: the failure queue and the two dead-letter queues", () => {
    const depthAlarms = alarms().filter((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(depthAlarms.map((alarm) => JSON.stringify(dimension(alarm, 'QueueName'))).sort()).toEqual(
      resourcesOfType(template, 'AWS::SQS::Queue')
        .map(([id]) => JSON.stringify({ 'Fn::GetAtt': [id, 'QueueName'] }))
        .sort(),
    );
  });
});
