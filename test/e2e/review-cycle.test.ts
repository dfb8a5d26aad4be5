/**
 * A whole review cycle on the synthesized state machine definition, run by the local Step Functions
 * runtime against the real emulators, in accelerated time: inputs requested, one answered on time,
 * the rest late or never (reminders, escalations, NOT PROVIDED at the deadline), the package built,
 * frozen and distributed, the minutes accepted, an action followed up the escalation ladder until its
 * owner reports it done (which wakes the sleeping follow-up at once), and the cycle closed with an
 * unbroken event chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { recordApprovalAnswer } from '#shared/cycle/approvals.ts';
import { acceptMinutes } from '#shared/minutes/accept.ts';
import { cycleIdFor, newSubmissionId } from '#shared/model/ids.ts';
import type { Cycle, CyclePhase } from '#shared/model/cycle.ts';
import type { InputRequest, InputSubmission } from '#shared/model/input.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { meetingMinutesOf, programmeCatalogue } from '#shared/programme/queries.ts';
import type { LocalWorkflow } from '#infra/local/workflow.ts';
import { localStack } from '#test/support/local-stack.ts';
import { invocations, startQuarterlyCycle, until, workflowWorld } from './support.ts';
import { listSentMail } from '#test/support/mailbox.ts';

const programme = loadProgrammeFile('programme.example.yaml');
const start = new Date('2027-01-04T09:00:00Z');
const cycleId = cycleIdFor('quarterly', start);
const DAY = 86_400_000;

let workflow: LocalWorkflow;
let repo: DynamoDbRepository;
let outbox: DynamoOutboxStore;
const testStarted = new Date(Date.now() - 1000);

/**
 * Moves simulated time forward in steps, but only while the workflow is idle (sleeping on a Wait
 * state or a task timeout), so that every timer fires in order however slow the machine is.
 */
function driveTime(stepMs = 3 * 3_600_000): () => void {
  let running = true;
  void (async () => {
    while (running) {
      if (workflow.clock.sleeping > 0) workflow.clock.advance(stepMs);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return () => {
    running = false;
  };
}

const phaseReached = (phase: CyclePhase) =>
  until(`phase ${phase}`, async () => {
    const cycle = await repo.getCycle(cycleId);
    if (cycle?.phase === 'FAILED') throw new Error(`cycle failed: ${JSON.stringify(cycle.failure)}`);
    return cycle?.phase === phase ? cycle : undefined;
  });

async function answer(request: InputRequest, summary: string): Promise<void> {
  const now = workflow.clock.now();
  const submission: InputSubmission = {
    id: newSubmissionId(now),
    cycleId,
    programmeId: request.programmeId,
    inputKey: request.inputKey,
    submitterId: request.ownerId!,
    kind: 'report',
    periodCovered: request.periodCovered,
    receivedAt: now.toISOString(),
    summary,
    metrics: [{ name: 'Open items', value: 3, unit: 'count' }],
    attachments: [],
    source: { channel: 'cli' },
  };
  await repo.recordSubmission(
    submission,
    { ...request, status: 'SUBMITTED', submissionId: submission.id },
    {
      event: {
        type: 'input.submitted',
        at: now.toISOString(),
        actor: request.ownerId!,
        data: { inputKey: request.inputKey },
      },
    },
  );
}

/** Records `by`'s APPROVE of `version` and resumes the waiting workflow, as the ingest does. */
async function approve(
  subject: 'package' | 'minutes',
  version: number,
  sha256: string,
  by: string,
): Promise<void> {
  await recordApprovalAnswer({ repo }, cycleId, {
    subject,
    version,
    sha256,
    by,
    at: workflow.clock.now().toISOString(),
    answer: 'approve',
    messageId: `<approve-${subject}@mail.example.com>`,
  });
  const { resumeWaiting } = await import('#shared/cycle/service.ts');
  const { cycleDeps } = await import('#shared/wiring/cycle.ts');
  await resumeWaiting(await cycleDeps(), cycleId, `${subject}-approval`);
}

beforeAll(async () => {
  ({ repo, outbox, workflow } = await workflowWorld('e2e', programme, start));
});

afterAll(async () => {
  await workflow?.close();
});

describe('a review cycle end to end on the synthesized definition', () => {
  it('runs from the schedule to a sealed cycle, with every phase recorded and every email sent once', async () => {
    const { executionArn } = await startQuarterlyCycle(workflow, programme, cycleId, start);
    // A schedule that fires twice starts one cycle.
    await expect(
      workflow.runtime.startExecution({ name: cycleId, input: JSON.stringify({ other: true }) }),
    ).rejects.toThrow();

    // Inputs: one request per owner, then the risk owner answers on time; others never do.
    await phaseReached('AWAITING_INPUTS');
    const requests = await repo.listInputRequests(cycleId);
    const keys = programmeCatalogue(programme).map((i) => i.key);
    expect(requests.map((r) => r.inputKey).sort()).toEqual([...keys].sort());
    for (const request of requests.filter((r) => r.ownerId === 'risk-owner')) {
      await answer(request, `Risk register reviewed for input ${request.inputKey}.`);
    }

    // The deadline passes: missing inputs are NOT PROVIDED, the package is built and frozen.
    let stop = driveTime();
    const compiled = await until('the package', async () => {
      const cycle = await repo.getCycle(cycleId);
      return cycle?.packageHash ? cycle : undefined;
    });
    const after = await repo.listInputRequests(cycleId);
    expect(after.filter((r) => r.ownerId === 'risk-owner').every((r) => r.status === 'SUBMITTED')).toBe(true);
    expect(
      after
        .filter((r) => !r.automatic && r.ownerId !== 'risk-owner')
        .every((r) => r.status === 'NOT_PROVIDED'),
    ).toBe(true);
    expect(compiled.packageHash).toMatch(/^[0-9a-f]{64}$/);

    // The ISMS manager is asked to approve the package; the workflow waits for the answer (given
    // here as the ingest records an APPROVE reply, which the approval tests send by mail).
    const asked = await until('the package approval request', async () =>
      (await repo.listEvents(cycleId)).find((e) => e.type === 'package.approval_requested'),
    );
    await approve('package', asked.data.version as number, asked.data.sha256 as string, 'alice');

    // Minutes: the ISMS manager is asked after the meeting; the accepted minutes create one action.
    const awaiting: Cycle = await phaseReached('AWAITING_MINUTES');
    stop();
    expect(awaiting.packageSentAt).toBeDefined();
    // The minutes are sent once the meeting has ended (its planned start plus its planned length).
    const meetingEnds =
      Date.parse(awaiting.plannedMeetingAt) + meetingMinutesOf(programme, awaiting.type) * 60_000;
    workflow.clock.advance(Math.max(0, meetingEnds - workflow.clock.now().getTime()));
    // Inputs nobody provided are noted as such, with what the meeting did about them.
    const notProvided = new Set(after.filter((r) => r.status === 'NOT_PROVIDED').map((r) => r.inputKey));
    const noteOf = (key: string) =>
      key === 'd1'
        ? 'not provided; no audit results this quarter, hence D1'
        : notProvided.has(key)
          ? 'not provided; its owner to report at the next review'
          : 'considered, nothing to report';
    const meetingDay = awaiting.plannedMeetingAt.slice(0, 10);
    const due = new Date(Date.parse(awaiting.plannedMeetingAt) + 10 * DAY).toISOString().slice(0, 10);
    const minutes = `meeting:
  date: ${meetingDay}
  time: '${awaiting.plannedMeetingAt.slice(11, 16)}' # London is on UTC in February
attendees:
  - { person: ceo, status: present }
  - { person: cfo, status: present }
  - { person: cto, status: absent }
  - { person: alice, status: present }
inputsConsidered:
${keys.map((k) => `  ${k}: ${noteOf(k)}`).join('\n')}
decisions:
  - { ref: D1, category: processes_and_controls, text: Ask every input owner to answer on time, input: d1 }
actions:
  - { title: Agree input deadlines with every owner, owner: ciso, due: ${due}, decision: D1 }
changesToTheIsms: Input owners agree their deadlines with the ISMS manager (D1).
resourceNeeds: "no additional resources needed: the owners have the time, they need earlier notice"
assessment:
  suitability: { verdict: yes, rationale: Scope matches the business. }
  adequacy: { verdict: partly, rationale: Several inputs were not provided. }
  effectiveness: { verdict: yes, rationale: Objectives met. }
  alignment: { verdict: yes, rationale: Supports the strategy. }
`;
    const accepted = await acceptMinutes(
      { repo, clock: workflow.clock },
      {
        cycleId,
        text: minutes,
        submittedBy: 'alice',
        source: { channel: 'cli' },
        programme,
        catalogueKeys: keys,
      },
    );
    expect(accepted.ok ? [] : accepted.problems).toEqual([]);
    const { resumeWaiting } = await import('#shared/cycle/service.ts');
    const { cycleDeps } = await import('#shared/wiring/cycle.ts');
    await resumeWaiting(await cycleDeps(), cycleId, 'minutes');
    // The chair approves the minutes before they are distributed.
    const minutesAsked = await until('the minutes approval request', async () =>
      (await repo.listEvents(cycleId)).find((e) => e.type === 'minutes.approval_requested'),
    );
    await approve('minutes', minutesAsked.data.version as number, minutesAsked.data.sha256 as string, 'ceo');

    // Follow-up: the action goes up the ladder until its owner reports it done.
    await phaseReached('FOLLOW_UP');
    const [action] = await repo.listActionsOfCycle(cycleId);
    expect(action).toBeDefined();
    stop = driveTime();
    await until(
      'escalation to top management',
      async () => (await repo.getAction(action!.id))?.escalationLevel === 3,
    );
    stop();
    // The owner reports it done, as a reply does (every channel goes through changeAction). The
    // follow-up sleeps until its next step (at least a minute, up to a week); the change wakes it at
    // once, so the cycle closes before the clock, which runs in real time here, has moved a minute.
    const { changeAction } = await import('#shared/actions/register.ts');
    const stoodAt = workflow.clock.now().getTime();
    // Asleep: each sweep so far was followed by a park of its own (counted once the park returned).
    const sweeps = () => invocations(workflow, executionArn, 'FollowUpActions');
    await until('the follow-up asleep', async () => {
      const parks = invocations(workflow, executionArn, 'AwaitFollowUp');
      const task = await repo.getParkedTask(cycleId, 'follow-up');
      return parks > 0 && parks === sweeps() && task?.status === 'parked';
    });
    const sweptBefore = sweeps();
    const done = await changeAction(
      { repo, clock: workflow.clock, workflow: (await cycleDeps()).workflow },
      {
        actionId: action!.id,
        by: 'ciso',
        source: { channel: 'email', messageId: '<done-d1@mail.example.com>' },
        command: {
          kind: 'done',
          evidence: 'Deadlines agreed with every owner: https://intranet.example.com/isms/input-deadlines',
        },
      },
    );
    expect(done.action.status).toBe('done');
    const closed = await phaseReached('CLOSED');
    expect(workflow.clock.now().getTime() - stoodAt).toBeLessThan(60_000);
    expect(sweeps()).toBe(sweptBefore + 1);
    expect(closed.status).toBe('closed');
    const execution = await until('the execution to end', async () => {
      const d = await workflow.runtime.describeExecution(executionArn);
      return d.status !== 'RUNNING' ? d : undefined;
    });
    expect(execution.status).toBe('SUCCEEDED');

    // Every email went out once, through the outbox, and is in the local SES mailbox.
    const sent = await outbox.listSent(cycleId);
    const keysSent = sent.map((m) => m.key);
    expect(new Set(keysSent).size).toBe(keysSent.length);
    const count = (prefix: string) => keysSent.filter((k) => k.startsWith(prefix)).length;
    expect(count('input-request:'), JSON.stringify(keysSent)).toBe(5);
    expect(
      keysSent.filter((k) => /^input:.*:reminder-/.test(k)).length,
      JSON.stringify(keysSent),
    ).toBeGreaterThan(0);
    expect(keysSent.filter((k) => /^input:.*:escalate-/.test(k)).length).toBeGreaterThan(0);
    expect(count('package-approval:v1:request')).toBe(1);
    expect(count('package:v1')).toBe(1);
    expect(count('minutes-request')).toBe(1);
    expect(count('minutes-approval:v1:request')).toBe(1);
    expect(count('minutes:v')).toBe(1);
    expect(keysSent).toEqual(
      expect.arrayContaining([
        `action:${action!.id}:${action!.dueDate}:overdue-notice`,
        `action:${action!.id}:${action!.dueDate}:escalate-manager`,
        `action:${action!.id}:${action!.dueDate}:escalate-top`,
      ]),
    );
    const mailbox = await listSentMail(localStack().endpoints.ses, {
      since: testStarted,
      to: 'daniel.okafor@example.com',
    });
    const managerMailbox = await listSentMail(localStack().endpoints.ses, {
      since: testStarted,
      to: 'alice.morgan@example.com',
    });
    // This cycle's messages, by the SES message id the outbox recorded (other tests send to the same people).
    const sentUnder = (key: string, to = mailbox) => {
      const record = sent.find((m) => m.key === key);
      return to.find((m) => record?.sesMessageId !== undefined && m.messageId === record.sesMessageId);
    };
    const packageMail = sentUnder('package:v1');
    expect(packageMail?.subject).toMatch(/^Management review package/);
    // The minutes form to fill in at the meeting goes to the ISMS manager alone, in a mail of its own.
    expect(packageMail?.attachments.some((a) => a.filename?.startsWith('minutes-template'))).toBe(false);
    expect(count('minutes-form:v1')).toBe(1);
    const form = sentUnder('minutes-form:v1', managerMailbox);
    expect(form?.to).toEqual(['alice.morgan@example.com']);
    const template = form?.attachments.find((a) => a.filename === `minutes-template-${cycleId}.yaml`);
    expect(template?.content.toString('utf8')).toContain(`cycle: ${cycleId}`);
    expect(template?.content.toString('utf8')).toContain('inputsConsidered:');
    // The minutes go to the attendees as a PDF too.
    const minutesMail = sentUnder('minutes:v1');
    expect(minutesMail?.subject).toMatch(/^Minutes:/);
    const minutesPdf = minutesMail?.attachments.find((a) => a.contentType === 'application/pdf');
    expect(minutesPdf?.filename).toBe(`minutes-${cycleId}-v1.pdf`);
    expect(minutesPdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The event log is one unbroken chain from opening to close.
    const events = await repo.listEvents(cycleId);
    expect(verifyChain(events)).toMatchObject({ ok: true });
    const types = events.map((e) => e.type);
    for (const type of [
      'cycle.opened',
      'input.not_provided',
      'package.built',
      'package.distributed',
      'minutes.accepted',
      'action.escalated',
      'cycle.closed',
    ]) {
      expect(types).toContain(type);
    }
    // Approved before it goes out: the package by the ISMS manager, the minutes by the chair.
    expect(types.indexOf('package.approved')).toBeGreaterThan(types.indexOf('package.built'));
    expect(types.indexOf('package.approved')).toBeLessThan(types.indexOf('package.distributed'));
    expect(types.indexOf('minutes.approved')).toBeGreaterThan(types.indexOf('minutes.accepted'));
    const minutesSent = events.findIndex((e) => e.type === 'mail.sent' && e.data.key === 'minutes:v1');
    expect(types.indexOf('minutes.approved')).toBeLessThan(minutesSent);
  }, 120_000);
});
