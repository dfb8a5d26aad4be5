import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitionFromTemplate, localFunctionArn } from '#infra/local/stepfunctions/template.ts';

const FIXTURE = new URL('../../fixtures/asl/cdk-lambda-tasks.template.json', import.meta.url);

/** A small stack: plain LambdaInvoke, a waitForTaskToken LambdaInvoke, a function-ARN task and a Wait. */
function synthesize(): Record<string, unknown> {
  const stack = new Stack(new App(), 'LocalRuntimeProbe');
  const fn = (id: string, entry?: string) => {
    const f = new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => null;'),
    });
    if (entry) (f.node.defaultChild as lambda.CfnFunction).addMetadata('isms-review:entry', entry);
    return f;
  };
  const open = fn('OpenCycleFn', 'functions/open-cycle.ts');
  const park = fn('AwaitInputsFn', 'functions/await-inputs.ts');
  fn('Untagged');
  const openCycle = new tasks.LambdaInvoke(stack, 'OpenCycle', {
    lambdaFunction: open,
    payload: sfn.TaskInput.fromObject({ cycleId: sfn.JsonPath.stringAt('$.cycleId') }),
    resultSelector: { 'cycle.$': '$.Payload' },
    resultPath: '$.opened',
  });
  const awaitInputs = new tasks.LambdaInvoke(stack, 'AwaitInputs', {
    lambdaFunction: park,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      taskToken: sfn.JsonPath.taskToken,
      cycleId: sfn.JsonPath.stringAt('$.cycleId'),
    }),
    taskTimeout: sfn.Timeout.duration(Duration.hours(6)),
    resultPath: sfn.JsonPath.DISCARD,
  });
  const compile = new tasks.LambdaInvoke(stack, 'Compile', {
    lambdaFunction: open,
    payloadResponseOnly: true,
  });
  const wait = new sfn.Wait(stack, 'WaitForMeeting', { time: sfn.WaitTime.timestampPath('$.meetingAt') });
  new sfn.StateMachine(stack, 'ReviewCycle', {
    definitionBody: sfn.DefinitionBody.fromChainable(openCycle.next(awaitInputs).next(wait).next(compile)),
  });
  return Template.fromStack(stack).toJSON() as Record<string, unknown>;
}

describe('loadDefinitionFromTemplate', () => {
  let template: Record<string, unknown>;

  beforeAll(() => {
    template = synthesize();
  }, 60_000);

  it('refuses what is not a template with one state machine', () => {
    expect(() => loadDefinitionFromTemplate({})).toThrow(/Not a CloudFormation template/);
    expect(() => loadDefinitionFromTemplate({ Resources: {} })).toThrow(
      /no AWS::StepFunctions::StateMachine/,
    );
    expect(() => loadDefinitionFromTemplate('/no/such/template.json')).toThrow(
      /Cannot read template.*cdk synth/,
    );
    expect(() => loadDefinitionFromTemplate(template, { stateMachineLogicalId: 'Nope' })).toThrow(
      /No AWS::StepFunctions::StateMachine with logical id Nope/,
    );
    const two = structuredClone(template) as { Resources: Record<string, { Type: string }> };
    const machineId = Object.keys(two.Resources).find(
      (id) => two.Resources[id]?.Type === 'AWS::StepFunctions::StateMachine',
    ) as string;
    two.Resources['Second'] = two.Resources[machineId] as { Type: string };
    expect(() => loadDefinitionFromTemplate(two)).toThrow(/2 state machines .*stateMachineLogicalId/);
    expect(loadDefinitionFromTemplate(two, { stateMachineLogicalId: 'Second' }).stateMachineLogicalId).toBe(
      'Second',
    );
    const unsupported = structuredClone(template) as {
      Resources: Record<string, { Properties?: Record<string, unknown> }>;
    };
    (unsupported.Resources[machineId] as { Properties: Record<string, unknown> }).Properties[
      'DefinitionString'
    ] = {
      'Fn::ImportValue': 'x',
    };
    expect(() => loadDefinitionFromTemplate(unsupported)).toThrow(/Fn::ImportValue is not supported/);
  });

  it('resolves the synthesized Fn::Join into ASL with local Lambda ARNs and reads each entry', () => {
    const { definition, functions, stateMachineLogicalId } = loadDefinitionFromTemplate(template);
    expect(stateMachineLogicalId).toMatch(/^ReviewCycle/);
    const ids = [...functions.keys()];
    const openId = ids.find((id) => id.startsWith('OpenCycleFn')) as string;
    const parkId = ids.find((id) => id.startsWith('AwaitInputsFn')) as string;
    const untaggedId = ids.find((id) => id.startsWith('Untagged')) as string;
    expect(functions.get(openId)).toEqual({ entry: 'functions/open-cycle.ts' });
    expect(functions.get(parkId)).toEqual({ entry: 'functions/await-inputs.ts' });
    expect(functions.get(untaggedId)).toEqual({});

    const states = definition.States as Record<string, Record<string, unknown>>;
    expect(definition.StartAt).toBe('OpenCycle');
    expect(states['OpenCycle']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: localFunctionArn(openId), Payload: { 'cycleId.$': '$.cycleId' } },
      ResultSelector: { 'cycle.$': '$.Payload' },
      ResultPath: '$.opened',
    });
    expect(states['AwaitInputs']).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: localFunctionArn(parkId), Payload: { 'taskToken.$': '$$.Task.Token' } },
      TimeoutSeconds: 21_600,
      ResultPath: null,
    });
    expect(states['Compile']).toMatchObject({ Resource: localFunctionArn(openId) });
    expect(states['WaitForMeeting']).toMatchObject({ Type: 'Wait', TimestampPath: '$.meetingAt' });
    expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"/);
  });

  it('reads a template file, and the fixture in test/fixtures/asl is what CDK synthesizes today', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-template-'));
    try {
      const path = join(dir, 'Stack.template.json');
      writeFileSync(path, JSON.stringify(template));
      expect(loadDefinitionFromTemplate(path)).toEqual(loadDefinitionFromTemplate(template));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as object;
    expect(loadDefinitionFromTemplate(fixture)).toEqual(loadDefinitionFromTemplate(template));
  });

  it('resolves Fn::Sub, DefinitionSubstitutions, pseudo parameters and other resources', () => {
    const { definition } = loadDefinitionFromTemplate(
      {
        Resources: {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: { Timeout: 30 },
            Metadata: { 'isms-review:entry': 'functions/x.ts' },
          },
          Alias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live' } },
          Table: { Type: 'AWS::DynamoDB::Table' },
          Machine: {
            Type: 'AWS::StepFunctions::StateMachine',
            Properties: {
              DefinitionString: {
                'Fn::Sub': [
                  '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}","Next":"B"},"B":{"Type":"Pass","Result":{"t":"${Table}","q":"${AliasArn}","n":"${!Name}"},"End":true}}}',
                  { AliasArn: { Ref: 'Alias' } },
                ],
              },
              DefinitionSubstitutions: { Name: { 'Fn::GetAtt': ['Table', 'Arn'] } },
            },
          },
        },
      },
      {
        resolveOther: (id, type, attribute) =>
          type === 'AWS::DynamoDB::Table' && !attribute ? `local-${id}` : undefined,
      },
    );
    const states = definition.States as Record<string, Record<string, unknown>>;
    expect(states['A']?.['Resource']).toBe(localFunctionArn('Fn'));
    expect(states['B']?.['Result']).toEqual({
      t: 'local-Table',
      q: `${localFunctionArn('Fn')}:live`,
      n: 'arn:aws:dynamodb:local:000000000000:Table',
    });
  });
});
