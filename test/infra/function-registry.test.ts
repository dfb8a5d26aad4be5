/**
 * The function registry drives the stack: every grant maps to exact statements whose wildcards are
 * acknowledged by name, a `record-mail-event` function receives the SES mail events, and a bad
 * registry is refused with a message that says what to fix.
 */
import { readFile } from 'node:fs/promises';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidFunctionEntry, IsmsFunction } from '#infra/constructs/isms-function.ts';
import type { FunctionSpec } from '#infra/functions.ts';
import { FONT_PACKAGE } from '#shared/package/fonts.ts';
import { RENDERER_MODULES, functions as registry } from '#infra/functions.ts';
import { unacknowledgedFindings } from '#infra/nag.ts';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import {
  InvalidStackInput,
  MAIL_EVENT_FUNCTION_ID,
  START_CYCLE_FUNCTION_ID,
} from '#infra/stacks/isms-review-stack.ts';
import { MissingWorkflowFunction } from '#infra/workflow/definition.ts';
import { tableDesign } from '#shared/store/table-design.ts';
import {
  actionsOf,
  logicalId,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  testContext,
  testProgramme,
} from './support.ts';

const ENTRY = 'functions/ingest-email.ts';
const build = (functions: readonly FunctionSpec[], env?: { account: string; region: string }) =>
  createIsmsReviewApp({
    programme: testProgramme,
    functions,
    env,
    context: testContext(),
    cloudFormationValidation: false,
    nag: false,
  });

describe('a bad registry', () => {
  const ingest = registry.find((spec) => spec.id === 'ingest-email')!;

  it('is refused when an id is repeated or not kebab-case', () => {
    expect(() => build([ingest, { ...ingest }])).toThrow(InvalidStackInput);
    expect(() => build([ingest, { ...ingest }])).toThrow(
      /Function id "ingest-email" must be unique and kebab-case/,
    );
    expect(() => build([ingest, { ...ingest, id: 'RecordMailEvent' }])).toThrow(
      /"RecordMailEvent" must be unique and kebab-case/,
    );
  });

  it('is refused without ingest-email, which the receipt rule invokes', () => {
    expect(() => build([{ ...ingest, id: 'record-mail-event' }])).toThrow(
      /no "ingest-email"; inbound mail needs it/,
    );
  });

  it('is refused without start-cycle, which the review schedules invoke', () => {
    const withoutStart = registry.filter((spec) => spec.id !== START_CYCLE_FUNCTION_ID);
    expect(() => build(withoutStart)).toThrow(InvalidStackInput);
    expect(() => build(withoutStart)).toThrow(/no "start-cycle"; the review schedules invoke it/);
  });

  it('is refused without a function the workflow runs, naming it', () => {
    const withoutCheck = registry.filter((spec) => spec.id !== 'check-minutes');
    expect(() => build(withoutCheck)).toThrow(MissingWorkflowFunction);
    expect(() => build(withoutCheck)).toThrow(
      /needs these functions in infra\/functions\.ts: check-minutes$/,
    );
  });

  it('is refused when an entry lies outside the repository', () => {
    expect(() => build([{ ...ingest, entry: '../elsewhere/handler.ts' }])).toThrow(InvalidFunctionEntry);
    expect(() => build([{ ...ingest, entry: '' }])).toThrow(/not a file inside the repository/);
  });
});

describe('an IsmsFunction used on its own', () => {
  it('makes a failure queue of its own when given none, and uses the one given otherwise', () => {
    const probe = new Stack(new App({ context: testContext() }), 'Probe');
    const alone = new IsmsFunction(probe, 'Alone', { entry: ENTRY, description: 'alone' });
    const given = new IsmsFunction(probe, 'Given', {
      entry: ENTRY,
      description: 'given',
      failureQueue: alone.failureQueue,
    });
    expect(alone.failureQueue.node.scope).toBe(alone);
    expect(given.failureQueue).toBe(alone.failureQueue);
    const probeTemplate = Template.fromStack(probe);
    probeTemplate.resourceCountIs('AWS::SQS::Queue', 1);
    probeTemplate.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
  });
});

describe('a registry using every grant, in a concrete account and region', () => {
  // The real record-mail-event is replaced by one that holds every grant.
  const functions: FunctionSpec[] = [
    ...registry.filter((spec) => spec.id !== MAIL_EVENT_FUNCTION_ID),
    {
      id: MAIL_EVENT_FUNCTION_ID,
      entry: ENTRY,
      description: 'Records SES delivery events',
      grants: ['table:read', 'evidence:readWrite', 'workflow:start', 'replyKey:read'],
      timeoutSeconds: 120,
      memorySize: 1024,
      reservedConcurrency: 3,
    },
    {
      id: 'export-evidence',
      entry: ENTRY,
      description: 'Reads evidence',
      grants: ['evidence:read', 'mail:send'],
    },
  ];
  // With credentials `cdk synth` knows the account and region: ARNs become literals, and the
  // acknowledgements must still name the findings exactly.
  const { app, stack } = build(functions, { account: '123456789012', region: 'eu-central-1' });
  const template = Template.fromStack(stack);
  const statementsOf = (id: string) => roleStatements(template, logicalId(stack.functions.get(id)!.role));

  it('leaves no cdk-nag finding unacknowledged (each wildcard is acknowledged by its exact resource)', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  it('passes size, timeout and reserved concurrency through', () => {
    const fn = resource(template, logicalId(stack.functions.get(MAIL_EVENT_FUNCTION_ID)!.function));
    expect(fn.Properties).toMatchObject({ Timeout: 120, MemorySize: 1024, ReservedConcurrentExecutions: 3 });
    const defaults = resource(template, logicalId(stack.functions.get('export-evidence')!.function));
    expect(defaults.Properties).toMatchObject({ Timeout: 30, MemorySize: 512 });
    expect(defaults.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('grants table:read without any write, on the table and its named indexes only', () => {
    const table = statementsOf(MAIL_EVENT_FUNCTION_ID).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    const actions = table.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:Scan',
    ]) {
      expect(actions).not.toContain(write);
    }
    const resources = table.flatMap(resourcesOf).join(' ');
    for (const index of tableDesign.globalSecondaryIndexes)
      expect(resources).toContain(`/index/${index.indexName}"`);
    expect(resources).not.toContain('/index/*');
  });

  it('grants evidence:readWrite as put under cycles/ and read of objects, never anchors, delete or retention changes', () => {
    const statements = statementsOf(MAIL_EVENT_FUNCTION_ID);
    const s3Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(s3Actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject', 's3:ListBucket']));
    expect(
      s3Actions.filter((a) => /Delete|PutObjectRetention|BypassGovernance|PutObjectLegalHold/.test(a)),
    ).toEqual([]);
    // Puts go under cycles/ only: not bucket-wide, so never under anchors/.
    const puts = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(puts.map(actionsOf)).toEqual([['s3:PutObject']]);
    expect(resourcesOf(puts[0]!)).toHaveLength(1);
    expect(resourcesOf(puts[0]!)[0]).toMatch(/"\/cycles\/\*"\]\]\}$/);
    const readOnly = statementsOf('export-evidence').flatMap(actionsOf);
    expect(readOnly).toContain('s3:GetObject');
    expect(readOnly).not.toContain('s3:PutObject');
  });

  it('grants anchors:write and anchors:sign to the anchoring function alone, with PutObjectRetention under anchors/ only', () => {
    const statements = statementsOf('anchor-chain');
    const retention = statements.filter((s) => actionsOf(s).includes('s3:PutObjectRetention'));
    expect(retention).toHaveLength(1);
    expect(resourcesOf(retention[0]!)).toHaveLength(1);
    expect(resourcesOf(retention[0]!)[0]).toContain('/anchors/*"');
    for (const [id, fn] of stack.functions) {
      if (id === 'anchor-chain') continue;
      const actions = roleStatements(template, logicalId(fn.role)).flatMap(actionsOf);
      expect(actions, id).not.toContain('s3:PutObjectRetention');
      expect(actions, id).not.toContain('kms:Sign');
    }
  });

  it('grants workflow:start on the review-cycle machine only', () => {
    const start = statementsOf(MAIL_EVENT_FUNCTION_ID).find((s) =>
      actionsOf(s).includes('states:StartExecution'),
    );
    expect(resourcesOf(start!).join(' ')).toContain(`:stateMachine:${stack.stackName}-review-cycle`);
  });

  it('sends the SES mail events to record-mail-event as well as to the log group, both with a DLQ', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[0]![1];
    const targets = rule.Properties?.Targets as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }>;
    expect(targets).toHaveLength(2);
    const fnId = logicalId(stack.functions.get(MAIL_EVENT_FUNCTION_ID)!.function);
    expect(targets.map((target) => target.Arn)).toContainEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    for (const target of targets) {
      expect(target.DeadLetterConfig?.Arn).toEqual({
        'Fn::GetAtt': [logicalId(stack.mailEventsDeadLetterQueue), 'Arn'],
      });
    }
  });

  it('gives every function, the added ones too, the one failure queue, which one alarm watches', () => {
    for (const [id, fn] of stack.functions) expect(fn.failureQueue, id).toBe(stack.failureQueue);
    const onQueue = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
      JSON.stringify(alarm.Properties).includes(`"${logicalId(stack.failureQueue)}"`),
    );
    expect(onQueue).toHaveLength(1);
  });
});

describe('the renderers the package functions load at run time', () => {
  it('ship beside the bundles of exactly the functions that render documents', () => {
    // The package is built by compile-package alone (a late input sends the workflow back to it for
    // a new version); the minutes are rendered by record-outcomes, or by check-approval for the
    // chair, as a PDF without charts. Each PDF embeds the DejaVu fonts, so all of them ship the font
    // package. distribute-package sends what was frozen and renders nothing.
    const withModules = Object.fromEntries(
      registry.filter((spec) => spec.nodeModules !== undefined).map((spec) => [spec.id, spec.nodeModules]),
    );
    expect(withModules).toEqual({
      'compile-package': [...RENDERER_MODULES, FONT_PACKAGE],
      'check-approval': ['pdfkit', FONT_PACKAGE],
      'record-outcomes': ['pdfkit', FONT_PACKAGE],
    });
  });

  it('are the modules shared/package/renderers.ts loads, each a pinned dependency', async () => {
    const source = await readFile('shared/package/renderers.ts', 'utf8');
    const loaded = /loadRenderer<T>\(name: ([^)]*)\)/.exec(source)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(loaded.map((name) => name.slice(1, -1)).sort()).toEqual([...RENDERER_MODULES].sort());
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of [...RENDERER_MODULES, 'dejavu-fonts-ttf']) {
      expect(manifest.dependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
