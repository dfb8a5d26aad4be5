/**
 * A wait for people sleeps until something falls due, on the synthesized state machine run by the
 * local Step Functions runtime: a moved meeting wakes the parked wait for inputs, whose check runs
 * again at once and parks again (nothing sent twice), and the wait then wakes by itself when the
 * first reminder falls due, not before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { moveMeeting } from '#shared/cycle/meeting.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { LocalWorkflow } from '#infra/local/workflow.ts';
import { invocations, startQuarterlyCycle, until, workflowWorld } from './support.ts';

const programme = loadProgrammeFile('programme.example.yaml');
// Monday 4 January 2027, 09:00 in London: the first reminder is due on Thursday at 09:00.
const start = new Date('2027-01-04T09:00:00Z');
const cycleId = cycleIdFor('quarterly', start);
const DAY = 86_400_000;

let workflow: LocalWorkflow;
let repo: DynamoDbRepository;
let outbox: DynamoOutboxStore;

const parkedToken = async () => {
  const task = await repo.getParkedTask(cycleId, 'inputs');
  return task?.status === 'parked' ? task.taskToken : undefined;
};

beforeAll(async () => {
  ({ repo, outbox, workflow } = await workflowWorld('e2e-wake', programme, start));
});

afterAll(async () => {
  await workflow?.close();
});

describe('a wait for people on the synthesized definition', () => {
  it('is woken by a moved meeting to check again at once, and otherwise sleeps until the first reminder falls due', async () => {
    const { executionArn } = await startQuarterlyCycle(workflow, programme, cycleId, start);
    const first = await until('the parked wait for inputs', parkedToken);
    expect(invocations(workflow, executionArn, 'CheckInputs')).toBe(1);
    const requests = (await outbox.listSent(cycleId)).length;
    expect(requests).toBeGreaterThan(0);

    // The meeting moves a week later: the wait wakes now, its check runs, and it parks again.
    const { cycleDeps } = await import('#shared/wiring/cycle.ts');
    const cycle = (await repo.getCycle(cycleId))!;
    const movedTo = new Date(Date.parse(cycle.plannedMeetingAt) + 7 * DAY).toISOString();
    await moveMeeting(await cycleDeps(), { cycleId, meetingAt: movedTo, by: 'alice' });
    const second = await until('the wait parked again', async () => {
      const token = await parkedToken();
      return token !== first && token;
    });
    expect(invocations(workflow, executionArn, 'CheckInputs')).toBe(2);
    // The handler parks the token before it returns, and its invocation is counted when it returns.
    await until(
      'the second park counted',
      async () => invocations(workflow, executionArn, 'AwaitInputs') >= 2,
    );
    expect(invocations(workflow, executionArn, 'AwaitInputs')).toBe(2);
    expect((await repo.getCycle(cycleId))?.plannedMeetingAt).toBe(movedTo);
    // The same move again (a retried command) wakes it once more, harmlessly.
    await moveMeeting(await cycleDeps(), { cycleId, meetingAt: movedTo, by: 'alice' });
    await until('the wait parked a third time', async () => {
      const token = await parkedToken();
      return token !== second && token;
    });
    expect(invocations(workflow, executionArn, 'CheckInputs')).toBe(3);
    expect((await outbox.listSent(cycleId)).length).toBe(requests);

    // Nothing falls due before Thursday 09:00: the wait sleeps through, then wakes by itself.
    const reminderDue = Date.parse('2027-01-07T09:00:00Z');
    await until('the workflow asleep', async () => workflow.clock.sleeping > 0);
    workflow.clock.advance(reminderDue - 60_000 - workflow.clock.now().getTime());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(invocations(workflow, executionArn, 'CheckInputs')).toBe(3);
    workflow.clock.advance(2 * 60_000);
    await until('the wait woken by the first reminder', async () =>
      invocations(workflow, executionArn, 'CheckInputs') === 4 ? true : undefined,
    );
    const reminders = await until('the first reminders', async () => {
      const sent = (await outbox.listSent(cycleId)).filter((m) => m.key.includes('reminder-1'));
      return sent.length > 0 && sent;
    });
    expect(reminders.every((m) => Date.parse(m.sentAt!) >= reminderDue)).toBe(true);
    await workflow.runtime.stopExecution(executionArn);
  });
});
