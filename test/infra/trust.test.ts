/**
 * Template assertions for what an insider or an attacker on the internet-facing function could do:
 * the ingest role's least privilege, the anchoring key that only the anchoring role may use, anchors
 * that are written once and by that role only, and event logs that no role can rewrite.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INGEST_RESERVED_CONCURRENCY, functions as registry } from '#infra/functions.ts';
import type { FunctionSpec } from '#infra/functions.ts';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import {
  ANCHOR_FUNCTION_ID,
  DAILY_ANCHOR_CRON,
  heldMailDigestCron,
  HELD_MAIL_DIGEST_FUNCTION_ID,
  InvalidStackInput,
  KEY_PUBLISHER_FUNCTION_ID,
} from '#infra/stacks/isms-review-stack.ts';
import { eventsTableDesign } from '#shared/store/table-design.ts';
import {
  actionsOf,
  allPolicyStatements,
  keyPatternCovers,
  logicalId,
  objectPatternOf,
  policyStatements,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  statementCovers,
  testContext,
  testProgramme,
} from './support.ts';
import type { Statement } from './support.ts';

const build = (functions?: readonly FunctionSpec[]) =>
  createIsmsReviewApp({
    programme: testProgramme,
    context: testContext(),
    cloudFormationValidation: false,
    nag: false,
    ...(functions ? { functions } : {}),
  });

const { stack } = build();
const template = Template.fromStack(stack);

const fnOf = (id: string) => {
  const fn = stack.functions.get(id);
  if (!fn) throw new Error(`no function ${id} in the stack`);
  return fn;
};
const roleArn = (id: string) => ({ 'Fn::GetAtt': [logicalId(fnOf(id).role), 'Arn'] });
const evidenceId = () => logicalId(stack.evidenceBucket);
const eventsTableId = () => logicalId(stack.eventsTable);
const keyId = () => logicalId(stack.anchorSigningKey);
const keyPolicy = () => policyStatements(resource(template, keyId()).Properties?.KeyPolicy);
const S3_WRITES = [
  's3:PutObject',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:BypassGovernanceRetention',
];
const allows = (statement: Statement) => statement.Effect === 'Allow';
/** The object-key patterns of the evidence bucket a statement names (undefined for any other resource). */
const evidencePatterns = (statement: Statement): Array<string | undefined> =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((entry) =>
    JSON.stringify(entry).includes(`"${evidenceId()}"`)
      ? (objectPatternOf(entry, evidenceId()) ?? '*')
      : undefined,
  );

describe('a registry that would weaken the anchors', () => {
  const anchorChain = registry.find((spec) => spec.id === ANCHOR_FUNCTION_ID)!;

  it('is refused when a second function may sign or write anchors', () => {
    const second: FunctionSpec = { ...anchorChain, id: 'close-cycle-signer', grants: ['anchors:write'] };
    expect(() => build([...registry, second])).toThrow(InvalidStackInput);
    expect(() => build([...registry, second])).toThrow(
      /Only one function may sign or write anchors .*found anchor-chain, close-cycle-signer/,
    );
  });
});

describe('the internet-facing ingest function', () => {
  const ingest = () => roleStatements(template, logicalId(fnOf('ingest-email').role)).filter(allows);

  it('cannot delete or batch-write table items', () => {
    const actions = ingest().flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
    for (const statement of ingest()) {
      for (const forbidden of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan']) {
        expect(statementCovers(statement, forbidden), `${forbidden} in ${JSON.stringify(statement)}`).toBe(
          false,
        );
      }
    }
  });

  it('writes the evidence bucket only under cycles/<cycle>/inbound/ and cycles/<cycle>/mail/, never bucket-wide or anchors', () => {
    const writes = ingest().filter((statement) =>
      S3_WRITES.some((action) => statementCovers(statement, action)),
    );
    const patterns = writes.flatMap(evidencePatterns).filter((pattern) => pattern !== undefined);
    expect(patterns.sort()).toEqual(['cycles/*/inbound/*', 'cycles/*/mail/*']);
    for (const pattern of patterns) {
      expect(keyPatternCovers(pattern, 'anchors/C-1/000001-cycle-opened.json'), pattern).toBe(false);
      expect(keyPatternCovers(pattern, 'cycles/C-1/package/v1/manifest.json'), pattern).toBe(false);
    }
    // The only write it holds is PutObject (no retention, legal hold or delete), on those prefixes alone.
    expect(
      writes.flatMap(actionsOf).every((action) => action === 's3:PutObject' || action === 's3:GetObject'),
    ).toBe(true);
    expect(writes.flatMap(evidencePatterns)).not.toContain(undefined);
  });

  it('reads raw mail under inbound/ only, and nothing of the evidence beyond what it wrote', () => {
    const reads = ingest().filter((statement) => statementCovers(statement, 's3:GetObject'));
    const resources = reads.flatMap(resourcesOf);
    expect(resources).toContain(
      JSON.stringify({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.rawMailBucket), 'Arn'] }, '/inbound/*']],
      }),
    );
    expect(reads.flatMap(evidencePatterns).filter((pattern) => pattern !== undefined)).toEqual([
      'cycles/*/inbound/*',
    ]);
  });

  it('sends mail only with ses:FromAddress equal to the programme sending address', () => {
    const sends = ingest().filter((statement) => statementCovers(statement, 'ses:SendRawEmail'));
    expect(sends.length).toBeGreaterThan(0);
    for (const statement of sends) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': testProgramme.mail.fromAddress },
      });
    }
  });

  it('has reserved concurrency, so a flood of mail cannot take the workflow functions down', () => {
    expect(INGEST_RESERVED_CONCURRENCY).toBeGreaterThan(0);
    expect(
      resource(template, logicalId(fnOf('ingest-email').function)).Properties?.ReservedConcurrentExecutions,
    ).toBe(INGEST_RESERVED_CONCURRENCY);
  });

  it('has nothing to do with the anchoring key', () => {
    for (const statement of ingest()) {
      expect(
        actionsOf(statement).some((action) => action.startsWith('kms:') && /Sign|GetPublicKey/i.test(action)),
      ).toBe(false);
      expect(JSON.stringify(statement.Resource)).not.toContain(`"${keyId()}"`);
    }
  });
});

describe('every role', () => {
  it('sends mail only as the programme sending address (ses:FromAddress on every SES send statement)', () => {
    const sends = allPolicyStatements(template).filter(
      ({ statement }) =>
        allows(statement) &&
        ['ses:SendRawEmail', 'ses:SendEmail', 'ses:SendTemplatedEmail'].some((action) =>
          statementCovers(statement, action),
        ),
    );
    expect(sends.length).toBeGreaterThan(1);
    for (const { roles, statement } of sends) {
      expect(statement.Condition?.StringEquals?.['ses:FromAddress'], roles.join()).toBe(
        testProgramme.mail.fromAddress,
      );
    }
  });

  it('holds no DeleteItem or BatchWriteItem on any table (nothing deletes a record)', () => {
    for (const { roles, statement } of allPolicyStatements(template).filter(({ statement }) =>
      allows(statement),
    )) {
      for (const forbidden of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
        expect(statementCovers(statement, forbidden), `${forbidden} for ${roles.join()}`).toBe(false);
      }
    }
  });
});

describe('the events table', () => {
  it('has the key schema of eventsTableDesign, and is point-in-time recoverable, deletion protected, KMS encrypted, retained', () => {
    const table = resource(template, eventsTableId());
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: eventsTableDesign.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: eventsTableDesign.sortKey.name, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.dataKey), 'Arn'] },
      },
    });
    expect(table.Properties?.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.Properties?.TimeToLiveSpecification).toBeUndefined();
  });

  it('is append-only for every role: PutItem, GetItem and Query at most, no UpdateItem, DeleteItem or BatchWriteItem', () => {
    const onEvents = allPolicyStatements(template).filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes(`"${eventsTableId()}"`),
    );
    expect(onEvents.length).toBeGreaterThan(0);
    for (const { roles, statement } of onEvents) {
      expect(statement.Effect).toBe('Allow');
      // The events table is named on its own, never beside the main table in one statement.
      expect(resourcesOf(statement), roles.join()).toEqual([
        JSON.stringify({ 'Fn::GetAtt': [eventsTableId(), 'Arn'] }),
      ]);
      for (const forbidden of [
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Scan',
      ]) {
        expect(statementCovers(statement, forbidden), `${forbidden} for ${roles.join()}`).toBe(false);
      }
      expect(
        actionsOf(statement).every((action) =>
          ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'].includes(
            action,
          ),
        ),
        JSON.stringify(actionsOf(statement)),
      ).toBe(true);
    }
    // No statement reaches the events table through a wildcard table ARN either.
    for (const { statement } of allPolicyStatements(template)) {
      expect(JSON.stringify(statement.Resource)).not.toMatch(/:table\/\*/);
    }
  });

  it('is named to every function as EVENTS_TABLE_NAME', () => {
    for (const fn of stack.functions.values()) {
      const variables = (
        resource(template, logicalId(fn.function)).Properties?.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(variables.EVENTS_TABLE_NAME, fn.entry).toEqual({ Ref: eventsTableId() });
    }
  });
});

describe('the anchoring key', () => {
  it('is an ECC_NIST_P256 signing key, retained', () => {
    const key = resource(template, keyId());
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  });

  it('lets the anchoring role alone sign: its key policy allows it, denies every other principal, and the account administers without signing', () => {
    const statements = keyPolicy();
    const signers = statements.filter(
      (statement) => allows(statement) && statementCovers(statement, 'kms:Sign'),
    );
    expect(signers.map((statement) => statement.Principal)).toEqual([{ AWS: roleArn(ANCHOR_FUNCTION_ID) }]);
    const deny = statements.filter(
      (statement) => statement.Effect === 'Deny' && statementCovers(statement, 'kms:Sign'),
    );
    expect(deny).toHaveLength(1);
    expect(deny[0]).toMatchObject({
      Principal: { AWS: '*' },
      Action: 'kms:Sign',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArn(ANCHOR_FUNCTION_ID) } },
    });
    // The account keeps administration (so the key stays manageable), but not kms:Sign.
    const admin = statements.find((statement) => JSON.stringify(statement.Principal).includes(':root'));
    expect(admin).toBeDefined();
    expect(statementCovers(admin!, 'kms:PutKeyPolicy')).toBe(true);
    expect(statementCovers(admin!, 'kms:ScheduleKeyDeletion')).toBe(true);
    expect(statementCovers(admin!, 'kms:GetPublicKey')).toBe(true);
    expect(statementCovers(admin!, 'kms:Sign')).toBe(false);
  });

  it('is not signable through any IAM policy', () => {
    for (const { roles, statement } of allPolicyStatements(template)) {
      if (!allows(statement)) continue;
      expect(statementCovers(statement, 'kms:Sign'), roles.join()).toBe(false);
    }
  });

  it('is named (ANCHOR_SIGNING_KEY_ID) to the anchoring function, to the two that put its fingerprint in emails and to the web app that verifies anchors, with GetPublicKey', () => {
    const holders = [...stack.functions.entries()]
      .filter(([, fn]) => {
        const variables = (
          resource(template, logicalId(fn.function)).Properties?.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        return variables.ANCHOR_SIGNING_KEY_ID !== undefined;
      })
      .map(([id]) => id);
    expect(holders.sort()).toEqual(
      [ANCHOR_FUNCTION_ID, KEY_PUBLISHER_FUNCTION_ID, 'distribute-package', 'record-outcomes', 'web'].sort(),
    );
    for (const id of holders) {
      const variables = (
        resource(template, logicalId(fnOf(id).function)).Properties?.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(variables.ANCHOR_SIGNING_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
      const onKey = roleStatements(template, logicalId(fnOf(id).role)).filter((statement) =>
        JSON.stringify(statement.Resource).includes(`"${keyId()}"`),
      );
      expect(onKey.flatMap(actionsOf).sort(), id).toEqual(['kms:DescribeKey', 'kms:GetPublicKey']);
    }
  });

  it('is given as stack outputs: its ARN and its public key (base64 SPKI), whose SHA-256 is the fingerprint', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    expect(outputs.AnchorSigningKeyArn?.Value).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
    expect(outputs.EventsTableName?.Value).toEqual({ Ref: eventsTableId() });
    // Read at deploy time by the publishing function, which may read the public key and nothing else.
    const readers = resourcesOfType(template, 'Custom::AnchorPublicKey');
    expect(readers).toHaveLength(1);
    const [readerId, reader] = readers[0]!;
    expect(reader.Properties).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': [logicalId(fnOf(KEY_PUBLISHER_FUNCTION_ID).function), 'Arn'] },
      KeyId: { 'Fn::GetAtt': [keyId(), 'Arn'] },
    });
    expect(outputs.AnchorPublicKey?.Value).toEqual({ 'Fn::GetAtt': [readerId, 'PublicKey'] });
    expect(outputs.AnchorPublicKey?.Description).toMatch(/SHA-256 .*isms-review evidence key/);
    expect(outputs.AnchorKeyFingerprint?.Value).toEqual({ 'Fn::GetAtt': [readerId, 'FingerprintGrouped'] });
    const publisher = roleStatements(template, logicalId(fnOf(KEY_PUBLISHER_FUNCTION_ID).role)).filter(
      (statement) => !actionsOf(statement).every((action) => /^(logs|xray|sqs):/.test(action)),
    );
    expect(publisher.flatMap(actionsOf).sort()).toEqual(['kms:DescribeKey', 'kms:GetPublicKey']);
  });
});

describe('anchors in the evidence bucket', () => {
  const bucketPolicy = () => {
    const found = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
      ([, candidate]) =>
        JSON.stringify(candidate.Properties?.Bucket) === JSON.stringify({ Ref: evidenceId() }),
    );
    return policyStatements(found?.[1].Properties?.PolicyDocument);
  };
  const anchors = () =>
    JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidenceId(), 'Arn'] }, '/anchors/*']] });

  it('are never written over: a put under anchors/ without If-None-Match is denied to everyone', () => {
    const deny = bucketPolicy().filter(
      (statement) =>
        statement.Effect === 'Deny' && statement.Condition?.Null?.['s3:if-none-match'] === 'true',
    );
    expect(deny).toHaveLength(1);
    expect(deny[0]).toMatchObject({ Principal: { AWS: '*' }, Action: 's3:PutObject' });
    expect(resourcesOf(deny[0]!)).toEqual([anchors()]);
  });

  it('are written by the anchoring role only, and deleted by nobody', () => {
    const denies = bucketPolicy().filter(
      (statement) => statement.Effect === 'Deny' && resourcesOf(statement).includes(anchors()),
    );
    const others = denies.find(
      (statement) => statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined,
    );
    expect(others?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).toEqual(roleArn(ANCHOR_FUNCTION_ID));
    expect(others?.Principal).toEqual({ AWS: '*' });
    expect(actionsOf(others!)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:PutObjectRetention']));
    const deletes = denies.find((statement) => statementCovers(statement, 's3:DeleteObjectVersion'));
    expect(deletes?.Condition).toBeUndefined();
    expect(actionsOf(deletes!)).toEqual(
      expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion']),
    );
  });

  it('are out of reach of every other role: no write whose resource covers anchors/', () => {
    const anchorRole = logicalId(fnOf(ANCHOR_FUNCTION_ID).role);
    let anchorWrites = 0;
    for (const { roles, statement } of allPolicyStatements(template)) {
      if (!allows(statement) || !S3_WRITES.some((action) => statementCovers(statement, action))) continue;
      const coversAnchors = evidencePatterns(statement).some(
        (pattern) =>
          pattern !== undefined && keyPatternCovers(pattern, 'anchors/C-1/000001-cycle-opened.json'),
      );
      if (!coversAnchors) continue;
      expect(roles, JSON.stringify(statement)).toEqual([anchorRole]);
      expect(evidencePatterns(statement)).toEqual(['anchors/*']);
      anchorWrites += 1;
    }
    expect(anchorWrites).toBe(1);
  });
});

describe('the held-mail digest’s time', () => {
  it('is the start of each business day: the default week, another week and hour, and nothing to time', () => {
    expect(heldMailDigestCron(undefined)).toBe('cron(0 9 ? * MON,TUE,WED,THU,FRI *)');
    expect(heldMailDigestCron({ days: ['sun', 'mon', 'tue', 'wed', 'thu'], start: '08:30' })).toBe(
      'cron(30 8 ? * SUN,MON,TUE,WED,THU *)',
    );
    expect(() => heldMailDigestCron({ days: [], start: '09:00' })).toThrow(InvalidStackInput);
    expect(() => heldMailDigestCron({ days: ['mon'], start: 'nine' })).toThrow(InvalidStackInput);
  });
});

describe.each([
  {
    what: 'the daily anchor sweep',
    fnId: ANCHOR_FUNCTION_ID,
    cron: DAILY_ANCHOR_CRON,
    input: { sweep: 'daily', programmeId: testProgramme.organisation.id },
  },
  {
    what: 'the daily digest of held mail',
    fnId: HELD_MAIL_DIGEST_FUNCTION_ID,
    cron: heldMailDigestCron(testProgramme.mail.businessHours),
    input: { programmeId: testProgramme.organisation.id },
  },
])('$what', ({ fnId, cron, input }) => {
  const daily = () =>
    resourcesOfType(template, 'AWS::Scheduler::Schedule')
      .map(([, schedule]) => schedule.Properties!)
      .filter(
        (schedule) =>
          JSON.stringify((schedule.Target as { Arn: unknown }).Arn) ===
          JSON.stringify({ 'Fn::GetAtt': [logicalId(fnOf(fnId).function), 'Arn'] }),
      );

  it(`invokes ${fnId} once a day in the organisation time zone, for the programme, with a DLQ and retries`, () => {
    expect(daily()).toHaveLength(1);
    const [schedule] = daily();
    expect(schedule).toMatchObject({
      ScheduleExpression: cron,
      ScheduleExpressionTimezone: testProgramme.organisation.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.schedulesDeadLetterQueue), 'Arn'] } },
      },
    });
    expect(JSON.parse((schedule!.Target as { Input: string }).Input)).toEqual(input);
  });

  it(`uses a role that may invoke ${fnId} and write to the dead-letter queue, nothing else`, () => {
    const roleId = (daily()[0]!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn[
      'Fn::GetAtt'
    ][0];
    const statements = roleStatements(template, roleId);
    expect(statements.map((statement) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [
        ['lambda:InvokeFunction'],
        [JSON.stringify({ 'Fn::GetAtt': [logicalId(fnOf(fnId).function), 'Arn'] })],
      ],
      [
        ['sqs:SendMessage'],
        [JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.schedulesDeadLetterQueue), 'Arn'] })],
      ],
    ]);
  });
});
