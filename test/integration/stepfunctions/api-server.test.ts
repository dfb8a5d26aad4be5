import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnApiServer, type RunningSfnApiServer } from '#infra/local/stepfunctions/api-server.ts';
import { SfnWorkflow } from '#shared/adapters/sfn-workflow.ts';
import { WorkflowTaskEnded } from '#shared/store/workflow.ts';
import { arn, harness, signal, within, type Harness } from './support.ts';

const definition = {
  StartAt: 'AwaitMinutes',
  States: {
    AwaitMinutes: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: arn('Park'),
        Payload: { 'taskToken.$': '$$.Task.Token', 'cycleId.$': '$.cycleId' },
      },
      Catch: [{ ErrorEquals: ['MinutesIncomplete'], Next: 'Incomplete' }],
      ResultPath: '$.minutes',
      End: true,
    },
    Incomplete: { Type: 'Pass', End: true },
  },
};

describe('Step Functions API over HTTP, called with @aws-sdk/client-sfn', () => {
  const tokens = new Map<string, ReturnType<typeof signal<string>>>();
  const tokenFor = (cycleId: string) => {
    if (!tokens.has(cycleId)) tokens.set(cycleId, signal<string>());
    return tokens.get(cycleId) as ReturnType<typeof signal<string>>;
  };
  let h: Harness;
  let server: RunningSfnApiServer;
  let sfn: SFNClient;

  beforeAll(async () => {
    h = await harness(definition, {
      Park: async (event) => {
        const { taskToken, cycleId } = event as { taskToken: string; cycleId: string };
        tokenFor(cycleId).resolve(taskToken);
        return null;
      },
    });
    server = await startSfnApiServer(h.runtime, { port: 0, host: '127.0.0.1' });
    sfn = new SFNClient({
      endpoint: server.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    sfn?.destroy();
    await server?.close();
    await h?.runtime.close();
  });

  it('answers bad calls with the SDK named exceptions', async () => {
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:nope',
          name: 'x',
        }),
      ),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'bad', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new SendTaskHeartbeatCommand({ taskToken: `AQ${'A'.repeat(128)}` })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${h.runtime.stateMachineArn.replace(':stateMachine:', ':execution:')}:none`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    // Handler code builds its client from the environment only: AWS_ENDPOINT_URL_SFN reaches this server.
    const previous = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = server.endpoint;
    const fromEnv = new SFNClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    try {
      await expect(
        fromEnv.send(new SendTaskFailureCommand({ taskToken: `AQ${'B'.repeat(128)}` })),
      ).rejects.toBeInstanceOf(TaskDoesNotExist);
    } finally {
      fromEnv.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = previous;
    }
    const raw = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSStepFunctions.DeleteStateMachine' },
      body: '{}',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('starts (idempotently), resumes, describes, lists and stops executions', async () => {
    const stateMachineArn = h.runtime.stateMachineArn;
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'cycle-a', input: '{"cycleId":"a"}' }),
    );
    expect(started.executionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:cycle-a`);
    expect(started.startDate).toBeInstanceOf(Date);
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'cycle-a', input: '{"cycleId":"a"}' }),
    );
    expect(again.executionArn).toBe(started.executionArn);
    expect(again.startDate?.getTime()).toBe(started.startDate?.getTime());
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'cycle-a', input: '{"cycleId":"other"}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const token = await within(tokenFor('a').promise);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    await within(h.runtime.waitForExecution(started.executionArn as string));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      name: 'cycle-a',
      stateMachineArn,
      input: '{"cycleId":"a"}',
      output: '{"cycleId":"a","minutes":{"approved":true}}',
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    // The product's adapter: a task no longer waiting is WorkflowTaskEnded; a malformed token is not.
    const adapter = new SfnWorkflow(sfn);
    await expect(adapter.sendTaskSuccess('bad', {})).rejects.toBeInstanceOf(InvalidToken);
    await expect(adapter.sendTaskSuccess(token, { cycleId: 'a' })).rejects.toBeInstanceOf(WorkflowTaskEnded);

    const failing = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'cycle-b', input: '{"cycleId":"b"}' }),
    );
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: await within(tokenFor('b').promise),
        error: 'MinutesIncomplete',
        cause: 'No decisions.',
      }),
    );
    await within(h.runtime.waitForExecution(failing.executionArn as string));
    expect(
      (await sfn.send(new DescribeExecutionCommand({ executionArn: failing.executionArn }))).output,
    ).toBe('{"Error":"MinutesIncomplete","Cause":"No decisions."}');

    const stopped = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'cycle-c', input: '{"cycleId":"c"}' }),
    );
    await within(tokenFor('c').promise);
    const stop = await sfn.send(
      new StopExecutionCommand({ executionArn: stopped.executionArn, error: 'Cancelled' }),
    );
    expect(stop.stopDate).toBeInstanceOf(Date);

    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions?.map((e) => [e.name, e.status]).sort()).toEqual([
      ['cycle-a', 'SUCCEEDED'],
      ['cycle-b', 'SUCCEEDED'],
      ['cycle-c', 'ABORTED'],
    ]);
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions?.map((e) => e.name)).toEqual(['cycle-c']);
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    expect(page.executions).toHaveLength(2);
    const rest = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: page.nextToken }),
    );
    expect(rest.executions).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
  });
});
