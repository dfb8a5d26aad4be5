/**
 * A meeting moved earlier after the package went out, on the synthesized state machine run by the
 * local Step Functions runtime: the workflow's wait for the meeting (a parked task token, not a Wait
 * state) is woken by the move, works out its sleep again from the new time, and the minutes request
 * goes out at the new meeting time, not the old one; nothing is sent twice, and the old time passes
 * without the workflow asking again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { recordApprovalAnswer } from '#shared/cycle/approvals.ts';
import { moveMeeting } from '#shared/cycle/meeting.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { LocalWorkflow } from '#infra/local/workflow.ts';
import { invocations, startQuarterlyCycle, workflowWorld } from './support.ts';

const programme = loadProgrammeFile('programme.example.yaml');
// Monday 4 January 2027, 09:00 in London: the meeting is on Monday 1 February, the package goes out
// on Wednesday 27 January.
const start = new Date('2027-01-04T09:00:00Z');
const cycleId = cycleIdFor('quarterly', start);
const DAY = 86_400_000;
const HOUR = 3_600_000;

let workflow: LocalWorkflow;
let repo: DynamoDbRepository;
let outbox: DynamoOutboxStore;

/**
 * Polls `probe` until it gives a value. `drive`: meanwhile moves simulated time on by that many ms
 * whenever the workflow is idle (asleep on a Wait state or a task timeout), so timers fire in order.
 */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  drive?: number,
): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (drive && workflow.clock.sleeping > 0) workflow.clock.advance(drive);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const parkedMeetingToken = async () => {
  const task = await repo.getParkedTask(cycleId, 'meeting');
  return task?.status === 'parked' ? task.taskToken : undefined;
};
const sentKeys = async () => (await outbox.listSent(cycleId)).map((m) => m.key);

beforeAll(async () => {
  ({ repo, outbox, workflow } = await workflowWorld('e2e-meeting', programme, start));
});

afterAll(async () => {
  await workflow?.close();
});

describe('the wait for the meeting on the synthesized definition', () => {
  it('is woken by a meeting moved earlier, and asks for the minutes at the new time, once', async () => {
    const { executionArn } = await startQuarterlyCycle(workflow, programme, cycleId, start);
    // No owner answers: at the deadline the package is built; the ISMS manager approves it.
    const asked = await until(
      'the package approval request',
      async () => (await repo.listEvents(cycleId)).find((e) => e.type === 'package.approval_requested'),
      3 * HOUR,
    );
    await recordApprovalAnswer({ repo }, cycleId, {
      subject: 'package',
      version: asked.data.version as number,
      sha256: asked.data.sha256 as string,
      by: 'alice',
      at: workflow.clock.now().toISOString(),
      answer: 'approve',
      messageId: '<approve-package@mail.example.com>',
    });
    const { resumeWaiting } = await import('#shared/cycle/service.ts');
    const { cycleDeps } = await import('#shared/wiring/cycle.ts');
    await resumeWaiting(await cycleDeps(), cycleId, 'package-approval');

    // The package goes out on its day; the workflow then parks its wait for the meeting.
    const first = await until('the wait for the meeting', parkedMeetingToken, 3 * HOUR);
    const distributed = (await repo.getCycle(cycleId))!;
    expect(distributed.phase).toBe('DISTRIBUTED');
    const planned = distributed.plannedMeetingAt;
    expect(Date.parse(planned)).toBe(Date.parse('2027-02-01T09:00:00Z'));
    expect(workflow.clock.now().getTime()).toBeLessThan(Date.parse(planned) - 4 * DAY);
    expect(invocations(workflow, executionArn, 'RequestMinutes')).toBe(1);
    // The handler parks its token before its invocation ends and is counted.
    await until('AwaitMeeting counted', async () => invocations(workflow, executionArn, 'AwaitMeeting') >= 1);
    expect(invocations(workflow, executionArn, 'AwaitMeeting')).toBe(1);

    // The meeting moves three days earlier, to Friday 29 January: the wait wakes, RequestMinutes
    // works its sleep out again from the new time, and the wait parks again.
    const movedTo = new Date(Date.parse(planned) - 3 * DAY).toISOString();
    await moveMeeting(await cycleDeps(), { cycleId, meetingAt: movedTo, by: 'alice' });
    await until('the wait parked again', async () => {
      const token = await parkedMeetingToken();
      return token !== first && token;
    });
    expect(invocations(workflow, executionArn, 'RequestMinutes')).toBe(2);
    await until(
      'AwaitMeeting counted again',
      async () => invocations(workflow, executionArn, 'AwaitMeeting') >= 2,
    );
    expect(invocations(workflow, executionArn, 'AwaitMeeting')).toBe(2);
    expect(await sentKeys()).not.toContain('minutes-request');

    // Nothing is asked for a minute before the new time; at the new time the minutes are.
    await until('the workflow asleep', async () => workflow.clock.sleeping > 0);
    workflow.clock.advance(Date.parse(movedTo) - 60_000 - workflow.clock.now().getTime());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(invocations(workflow, executionArn, 'RequestMinutes')).toBe(2);
    expect(await sentKeys()).not.toContain('minutes-request');
    workflow.clock.advance(2 * 60_000);
    const request = await until('the minutes request', async () =>
      (await outbox.listSent(cycleId)).find((m) => m.key === 'minutes-request'),
    );
    expect(Date.parse(request.sentAt!)).toBeGreaterThanOrEqual(Date.parse(movedTo));
    expect(Date.parse(request.sentAt!)).toBeLessThan(Date.parse(movedTo) + HOUR);
    expect((await repo.getCycle(cycleId))?.phase).toBe('AWAITING_MINUTES');
    // Counted once the step has returned, which is just after it sent the request.
    await until(
      'RequestMinutes returned',
      async () => invocations(workflow, executionArn, 'RequestMinutes') === 3,
    );

    // The old time passes: the workflow waits for the minutes and asks nothing again.
    await until(
      'the old meeting time passed',
      async () => workflow.clock.now().getTime() > Date.parse(planned) + HOUR,
      HOUR,
    );
    expect(invocations(workflow, executionArn, 'RequestMinutes')).toBe(3);
    expect(invocations(workflow, executionArn, 'AwaitMeeting')).toBe(2);
    const keys = await sentKeys();
    expect(new Set(keys).size, JSON.stringify(keys)).toBe(keys.length);
    expect(keys.filter((key) => key === 'minutes-request')).toHaveLength(1);
    // The attendees got one updated invitation, numbered after the one the package carried (the
    // package's version less one: a package rebuilt before it went out carries a higher number).
    const sent = (await repo.listEvents(cycleId)).find((e) => e.type === 'package.distributed');
    const carried = Number(sent?.data.icsSequence);
    expect(Number.isInteger(carried)).toBe(true);
    expect(keys.filter((key) => key.startsWith('meeting:'))).toEqual([`meeting:seq${carried + 1}`]);
    await workflow.runtime.stopExecution(executionArn);
  });
});
