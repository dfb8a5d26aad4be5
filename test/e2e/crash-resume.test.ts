/**
 * Resume after a crash: the real local app (`npm start`, infra/local/app.ts) in a child process with
 * its own data folder, free ports and an accelerated clock, killed with SIGKILL in the middle of a
 * review cycle and started again on the same data folder.
 *
 *   run 1 (1 h/s)   the cycle starts (CLI `cycle start`), inputs are requested, two owners answer by
 *                   SMTP, then kill -9 while the workflow awaits the other inputs
 *   run 2 (2 d/s)   a third owner answers; two never do (reminders, escalations, NOT PROVIDED); the
 *                   package goes out and the minutes are requested, then kill -9 awaiting the minutes
 *   run 3 (1 h/s)   the ISMS manager replies with the minutes: one action, due in a week; kill -9 in
 *                   the follow-up, while its first reminder is being sent if the test catches it
 *   run 4 (1 d/s)   the reminder is out, once; its owner replies DONE; the cycle closes
 *
 * Each run continues the simulated time of the last (infra/local/stepfunctions/clock-file.ts), at
 * the speed that phase needs: slow where the test must act before a deadline, fast where it waits.
 *
 * Then: every expected email was sent exactly once (by outbox key, and by subject and recipients in
 * the local SES mailbox, which the app keeps in its data folder across runs), and every submission
 * received before a crash is still recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { outboxKey } from '#shared/adapters/outbox-dynamodb.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import { inputLadder } from '#shared/cycle/input-policy.ts';
import { renderInputAnswer } from '#shared/mail/reply-format.ts';
import type { OutboxRecord } from '#shared/mail/outbox.ts';
import type { Cycle, CyclePhase } from '#shared/model/cycle.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { meetingMinutesOf, personById, programmeCatalogue } from '#shared/programme/queries.ts';
import { synthesizeTemplate } from '#infra/local/workflow.ts';
import { appStores, describeExecution, startLocalApp, type LocalApp } from '#test/support/local-app.ts';
import { listSentMail, type SentMail } from '#test/support/mailbox.ts';
import { main } from '../../cli/main.ts';
import { capture } from '../unit/cli/capture.ts';

const PROGRAMME_FILE = 'programme.example.yaml';
const programme = loadProgrammeFile(PROGRAMME_FILE);
/** Runs 1 and 3: one simulated hour per second, where the test acts before a deadline. */
const SLOW = 3_600;
/** Run 2: two simulated days per second, through input collection to the minutes request. */
const QUICK = 2 * 86_400;
/** Run 4: one simulated day per second, through the follow-up to the close. */
const DAILY = 86_400;

let dataDir: string;
let synthDir: string;
let templatePath: string;
let app: LocalApp | undefined;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n--- app output ---\n${app?.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Every outbox record of the cycle, PENDING (being sent) or SENT. */
async function outboxRecords(running: LocalApp, cycleId: string): Promise<OutboxRecord[]> {
  const { client } = appStores(running);
  try {
    const { pk, sk: prefix } = outboxKey(cycleId, '');
    const page = await DynamoDBDocumentClient.from(client).send(
      new QueryCommand({
        TableName: running.info.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []) as OutboxRecord[];
  } finally {
    client.destroy();
  }
}

async function cli(argv: string[], running: LocalApp): Promise<Record<string, unknown>> {
  const out = capture(true);
  const code = await main([...argv, '--data-dir', dataDir, '--json'], out, {
    env: {},
    clock: running.clock,
  });
  if (code !== 0) throw new Error(`isms-review ${argv.join(' ')} exited ${code}: ${out.errors.join('\n')}`);
  return out.result1();
}

/** The mail the outbox sent under `key`, as the local SES mailbox holds it. */
async function mailFor(running: LocalApp, record: OutboxRecord): Promise<SentMail> {
  const all = await listSentMail(running.info.endpoints.ses);
  const found = all.find((mail) => mail.messageId === record.sesMessageId);
  if (!found) throw new Error(`${record.key} (SES id ${record.sesMessageId}) is not in the mailbox`);
  return found;
}

/** A reply as a mail client sends it, by SMTP to the app's inbound server. */
async function reply(running: LocalApp, fromId: string, to: SentMail, body: string): Promise<void> {
  const person = personById(programme, fromId);
  const address = to.replyTo[0];
  if (!address) throw new Error(`"${to.subject}" has no Reply-To address`);
  const transport = nodemailer.createTransport({
    host: running.info.smtp.host,
    port: running.info.smtp.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    // As a mail server does: a temporary refusal (4xx) is tried again a little later.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await transport.sendMail({
          from: { name: person.name, address: person.email },
          to: address,
          subject: `Re: ${to.subject}`,
          text: `${body}\n`,
        });
        return;
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode ?? 0;
        if (code < 400 || code >= 500 || attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  } finally {
    transport.close();
  }
}

async function answerInputs(running: LocalApp, cycleId: string, ownerId: string): Promise<void> {
  const { repo, outbox, client } = appStores(running);
  try {
    const request = await until(`the input request to ${ownerId}`, () =>
      outbox.get(cycleId, `input-request:${ownerId}`).then((r) => r?.status === 'SENT' && r),
    );
    const titles = new Map(programmeCatalogue(programme).map((input) => [input.key, input.title]));
    const owned = (await repo.listInputRequests(cycleId)).filter((r) => r.ownerId === ownerId);
    const blocks = owned.map((r) =>
      renderInputAnswer(
        {
          key: r.inputKey,
          kind: 'report',
          period: r.periodCovered,
          summary: `Input ${r.inputKey} reviewed for the period by ${ownerId}.`,
          // The figures the catalogue requires for the input (input-quality.ts refuses an answer without them).
          metrics: [
            { name: 'Open items', value: 3, unit: 'count' },
            ...inputFields(r.inputKey)
              .fields.filter((field) => field.required)
              .map((field, index) => ({ name: field.label, value: index + 1, unit: field.unit })),
          ],
        },
        titles.get(r.inputKey),
      ),
    );
    await reply(
      running,
      ownerId,
      await mailFor(running, request),
      ['Here is my input.', '', ...blocks].join('\n'),
    );
  } finally {
    client.destroy();
  }
}

/** The cycle now; throws at once when the cycle or its execution has failed. */
async function phaseOf(running: LocalApp, cycleId: string): Promise<Cycle | undefined> {
  const { repo, client } = appStores(running);
  try {
    const cycle = await repo.getCycle(cycleId);
    if (cycle?.phase === 'FAILED') throw new Error(`the cycle failed: ${JSON.stringify(cycle.failure)}`);
    if (cycle?.phase !== 'CLOSED') {
      const execution = await describeExecution(running, cycleId);
      if (execution.status !== 'RUNNING') {
        throw new Error(
          `the execution is ${execution.status}: ${execution.error} ${execution.cause}\n${running.output().slice(-3000)}`,
        );
      }
    }
    return cycle;
  } finally {
    client.destroy();
  }
}

const reached = (running: LocalApp, cycleId: string, phases: CyclePhase[], timeoutMs?: number) =>
  until(
    `phase ${phases.join(' or ')}`,
    async () => {
      const cycle = await phaseOf(running, cycleId);
      return cycle && phases.includes(cycle.phase) ? cycle : undefined;
    },
    timeoutMs,
  );

/** Real seconds from the test's start to each milestone, printed if it fails. */
const milestones: string[] = [];
let testStarted = Date.now();
function mark(what: string): void {
  milestones.push(`${((Date.now() - testStarted) / 1000).toFixed(1)} s ${what}`);
}

async function start(speed: number): Promise<LocalApp> {
  // Schedules off: the only cycle is the one the test starts (the clock passes quarter days).
  app = await startLocalApp({ dataDir, speed, templatePath, env: { ISMS_SCHEDULES: 'off' } });
  mark(`started at ${speed}x`);
  return app;
}

async function crash(): Promise<void> {
  if (!app) return;
  await app.kill();
  app = undefined;
  mark('killed');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'isms-crash-'));
  synthDir = await mkdtemp(join(tmpdir(), 'isms-crash-synth-'));
  templatePath = synthesizeTemplate(programme, synthDir);
}, 60_000);

afterAll(async () => {
  await crash();
  for (const dir of [dataDir, synthDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a review cycle survives kill -9 of the local app', () => {
  it('resumes after kill -9 awaiting inputs, awaiting minutes and mid-send in follow-up: nothing sent twice, nothing lost', async () => {
    testStarted = Date.now();
    onTestFailed(() => {
      console.error(`--- milestones ---\n${milestones.join('\n')}`);
      console.error(`--- local app output (last run) ---\n${app?.output().slice(-6000) ?? '(not running)'}`);
    });
    // ---- run 1: start the cycle, two owners answer, crash while awaiting the rest
    let running = await start(SLOW);
    await cli(['programme', 'apply', PROGRAMME_FILE], running);
    // The meeting in 20 days: inputs are due in ten, after reminders on days 3 and 6.
    const meeting = DateTime.fromJSDate(running.clock.now(), { zone: programme.organisation.timeZone })
      .plus({ days: 20 })
      .toFormat("yyyy-MM-dd'T'HH:00");
    const started = await cli(['cycle', 'start', '--type', 'quarterly', '--meeting', meeting], running);
    const cycleId = String(started.cycleId);
    mark(`cycle ${cycleId} started`);
    await reached(running, cycleId, ['AWAITING_INPUTS']);
    await answerInputs(running, cycleId, 'risk-owner');
    await answerInputs(running, cycleId, 'auditor');
    const answeredFirst = await until('the first answers to be recorded', async () => {
      const { repo, client } = appStores(running);
      try {
        const requests = await repo.listInputRequests(cycleId);
        const mine = requests.filter((r) => r.ownerId === 'risk-owner' || r.ownerId === 'auditor');
        return mine.every((r) => r.status === 'SUBMITTED') && mine;
      } finally {
        client.destroy();
      }
    });
    expect(answeredFirst.map((r) => r.inputKey).sort()).toEqual(['c', 'd1', 'd3', 'f']);
    mark('first answers recorded');
    expect((await phaseOf(running, cycleId))?.phase).toBe('AWAITING_INPUTS');
    await crash();

    // ---- run 2: the answers are still there; a third owner answers; crash awaiting the minutes
    running = await start(QUICK);
    {
      const { repo, client } = appStores(running);
      const kept = await repo.listInputRequests(cycleId);
      client.destroy();
      for (const before of answeredFirst) {
        const after = kept.find((r) => r.inputKey === before.inputKey);
        expect(after?.status, before.inputKey).toBe('SUBMITTED');
        expect(after?.submissionId, before.inputKey).toBe(before.submissionId);
      }
    }
    await answerInputs(running, cycleId, 'ciso');
    // The package is built; the ISMS manager approves it by reply before it goes to top management.
    const approvalAsked = await until(
      'the package approval request',
      async () => {
        await phaseOf(running, cycleId);
        const record = (await outboxRecords(running, cycleId)).find(
          (r) => r.key === 'package-approval:v1:request',
        );
        return record?.status === 'SENT' && record;
      },
      45_000,
    );
    await reply(running, 'alice', await mailFor(running, approvalAsked), 'APPROVE');
    const minutesRequested = await until(
      'the minutes request',
      async () => {
        await phaseOf(running, cycleId);
        const { outbox, client } = appStores(running);
        try {
          const record = await outbox.get(cycleId, 'minutes-request');
          return record?.status === 'SENT' && record;
        } finally {
          client.destroy();
        }
      },
      45_000,
    );
    mark('minutes requested');
    expect((await phaseOf(running, cycleId))?.phase).toBe('AWAITING_MINUTES');
    await crash();

    // ---- run 3 (slow again): the ISMS manager replies with the minutes; actions are created
    running = await start(SLOW);
    const awaiting = (await phaseOf(running, cycleId))!;
    expect(awaiting.phase).toBe('AWAITING_MINUTES');
    // Minutes are refused before the meeting's planned start plus its planned length.
    const meetingEnds = new Date(
      Date.parse(awaiting.plannedMeetingAt) + meetingMinutesOf(programme, awaiting.type) * 60_000,
    );
    await until('the meeting to end', async () => running.clock.now() >= meetingEnds);
    const notProvided = await (async () => {
      const { repo, client } = appStores(running);
      try {
        const requests = await repo.listInputRequests(cycleId);
        return new Set(requests.filter((r) => r.status === 'NOT_PROVIDED').map((r) => r.inputKey));
      } finally {
        client.destroy();
      }
    })();
    // Due in a week: the follow-up starts with the 7-day reminder, six days before the next rung.
    const due = DateTime.fromJSDate(running.clock.now(), { zone: programme.organisation.timeZone })
      .plus({ days: 7 })
      .toISODate()!;
    await reply(
      running,
      'alice',
      await mailFor(running, minutesRequested),
      minutesFor(awaiting, due, notProvided),
    );
    // The chair approves the minutes by reply before they are distributed.
    const minutesApprovalAsked = await until(
      'the minutes approval request',
      async () => {
        await phaseOf(running, cycleId);
        const record = (await outboxRecords(running, cycleId)).find(
          (r) => r.key === 'minutes-approval:v1:request',
        );
        return record?.status === 'SENT' && record;
      },
      45_000,
    );
    await reply(running, 'ceo', await mailFor(running, minutesApprovalAsked), 'APPROVE');
    // The minutes create the action and the follow-up starts with its 7-day reminder: kill while the
    // reminder is being sent (claimed, not yet SENT) if the test catches it in flight, else as soon
    // as it is out.
    // The reminder goes in the owner's business hours: when the follow-up starts on a Friday evening
    // it waits for Monday 09:00, up to 64 simulated hours (64 s at this speed).
    const caught = await until(
      'the first reminder of the action',
      async () => (await outboxRecords(running, cycleId)).find((r) => /^action:.*:remind-7d$/.test(r.key)),
      100_000,
      5,
    );
    await crash();
    const inFlight = caught.status;
    mark(`reminder ${inFlight} at the kill`);

    // ---- run 4: the reminder is out (once); its owner replies DONE; the cycle closes
    running = await start(DAILY);
    const followUp = (await phaseOf(running, cycleId))!;
    expect(followUp.phase).toBe('FOLLOW_UP');
    const { repo: repo2, client: client2 } = appStores(running);
    const actions = await repo2.listActionsOfCycle(cycleId);
    client2.destroy();
    expect(actions).toHaveLength(1);
    const action = actions[0]!;
    const reminderKey = `action:${action.id}:${action.dueDate}:remind-7d`;
    expect(caught.key).toBe(reminderKey);
    const reminder = await until('the reminder to be sent', async () => {
      await phaseOf(running, cycleId);
      const { outbox, client } = appStores(running);
      try {
        const record = await outbox.get(cycleId, reminderKey);
        return record?.status === 'SENT' && record;
      } finally {
        client.destroy();
      }
    });
    await reply(
      running,
      action.ownerId,
      await mailFor(running, reminder),
      'DONE Input deadlines agreed: https://intranet.example.com/review/deadlines',
    );
    const closed = await reached(running, cycleId, ['CLOSED'], 45_000);
    mark('closed');
    expect(closed.status).toBe('closed');

    // ---- every expected email once, none missing, nothing lost
    const { repo, outbox, client } = appStores(running);
    const sent = await outbox.listSent(cycleId);
    const records = (await repo.getCycleRecords(cycleId))!;
    const events = await repo.listEvents(cycleId);
    client.destroy();
    const keys = sent.map((r) => r.key);
    expect(new Set(keys).size, JSON.stringify(keys)).toBe(keys.length);

    // Every notice the workflow decided to send (it claims each before sending) went out.
    // (`:done` marks an input follow-up step complete; it is not a message of its own.)
    const claimedNotSent = records.notificationsSent.filter(
      (key) => !key.endsWith(':done') && !keys.includes(key),
    );
    expect(claimedNotSent, `claimed but never sent (the reminder was ${inFlight} at the third kill)`).toEqual(
      [],
    );
    // The mail each phase always sends: one request per input owner, the package's approval request,
    // the package, the minutes request, the minutes' approval request and the minutes, and the
    // action's reminder, whether or not the kill caught it in flight. The reminders to the owners who
    // never answer wait for their business hours, and one held past the input deadline is dropped, so
    // which of them went depends on the weekday the (real-time) clock started on: each at most once.
    const owners = [...new Set(records.inputRequests.filter((r) => !r.automatic).map((r) => r.ownerId!))];
    expect(owners.sort()).toEqual(['alice', 'auditor', 'ciso', 'customer-lead', 'risk-owner']);
    const [firstReminder] = inputLadder(new Date(closed.openedAt), new Date(closed.inputsDueAt), {
      reminderEveryDays: programme.leadTimes.inputReminderEveryDays,
      remindersBeforeEscalation: programme.escalation.inputEscalation.remindersBeforeEscalation,
    });
    expect(firstReminder?.id).toBe('reminder-1');
    const expected = [
      ...owners.map((owner) => `input-request:${owner}`),
      'package-approval:v1:request',
      'package:v1',
      'minutes-request',
      'minutes-approval:v1:request',
      'minutes:v1',
    ];
    expect(keys, JSON.stringify(keys)).toEqual(expect.arrayContaining(expected));
    expect(keys.filter((key) => key === reminderKey)).toHaveLength(1);
    // Each reply got exactly one answer: two input replies before the first crash, one after, the
    // package's approval, the minutes, their approval and the DONE.
    expect(keys.filter((key) => key.startsWith('reply:'))).toHaveLength(7);

    // Submissions from before the first crash are still in the cycle's records.
    for (const before of answeredFirst) {
      expect(
        records.submissions.some((s) => s.id === before.submissionId),
        before.inputKey,
      ).toBe(true);
    }
    expect(
      records.inputRequests
        .filter((r) => r.ownerId === 'alice' || r.ownerId === 'customer-lead')
        .every((r) => r.status === 'NOT_PROVIDED'),
    ).toBe(true);

    // The mailbox (kept across runs): exactly the outbox's messages, each once.
    const mailbox = await listSentMail(running.info.endpoints.ses);
    const outboxIds = new Set(sent.map((r) => r.sesMessageId));
    const ofCycle = mailbox.filter((m) => outboxIds.has(m.messageId));
    expect(ofCycle).toHaveLength(sent.length);
    const byRecipientAndSubject = new Map<string, number>();
    for (const mail of mailbox) {
      const id = `${[...mail.to, ...mail.cc].sort().join(',')}|${mail.subject}`;
      byRecipientAndSubject.set(id, (byRecipientAndSubject.get(id) ?? 0) + 1);
    }
    const repeated = [...byRecipientAndSubject].filter(([, n]) => n > 1);
    expect(repeated, JSON.stringify(repeated)).toEqual([]);

    expect(verifyChain(events)).toMatchObject({ ok: true });
    // The cycle is CLOSED as CloseCycle returns; the execution ends a moment later.
    const execution = await until('the execution to end', async () => {
      const described = await describeExecution(running, cycleId);
      return described.status !== 'RUNNING' && described;
    });
    expect(execution.status, `${execution.error} ${execution.cause}`).toBe('SUCCEEDED');
  }, 240_000);
});

/**
 * Minutes as the ISMS manager replies them: one decision (on input d1), one action due on `due`
 * (yyyy-mm-dd), and the inputs nobody provided noted as such.
 */
function minutesFor(cycle: Cycle, due: string, notProvided: ReadonlySet<string>): string {
  const keys = programmeCatalogue(programme).map((input) => input.key);
  const meeting = new Date(cycle.plannedMeetingAt);
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: programme.organisation.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(meeting);
  return [
    'meeting:',
    `  date: ${cycle.plannedMeetingAt.slice(0, 10)}`,
    `  time: '${local}'`,
    'attendees:',
    '  - { person: ceo, status: present }',
    '  - { person: cfo, status: present }',
    '  - { person: cto, status: present }',
    '  - { person: alice, status: present }',
    'inputsConsidered:',
    ...keys.map((key) =>
      key === 'd1'
        ? '  d1: Inputs arrived late again; see D1.'
        : notProvided.has(key)
          ? `  ${key}: not provided; its owner to report at the next review`
          : `  ${key}: considered, nothing to report`,
    ),
    'decisions:',
    '  - { ref: D1, category: processes_and_controls, text: Agree input deadlines with every owner, input: d1 }',
    'actions:',
    `  - { title: Agree input deadlines with every owner, owner: ciso, due: ${due}, decision: D1 }`,
    'changesToTheIsms: Input deadlines are agreed with every owner (D1).',
    'resourceNeeds: "no additional resources needed: the owners need earlier notice, not more time"',
    'assessment:',
    '  suitability: { verdict: yes, rationale: The scope matches the business. }',
    '  adequacy: { verdict: partly, rationale: Two inputs were not provided. }',
    '  effectiveness: { verdict: yes, rationale: Objectives were met. }',
    '  alignment: { verdict: yes, rationale: The ISMS supports the strategy. }',
  ].join('\n');
}
