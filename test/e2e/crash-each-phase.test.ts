/**
 * A crash in every phase: the real local app (`npm start`, infra/local/app.ts) runs one review cycle
 * on one data folder and is killed with SIGKILL once inside each top-level Task state of the
 * synthesized state machine, then started again on the same data folder.
 *
 * The crash is exact, not timed: each run sets ISMS_LOCAL_CRASH_AFTER=<state>, and the app kills
 * itself (SIGKILL) as soon as that state's handler has returned, its side effects done (mail sent,
 * records written, a task token parked) and its result not yet recorded by the state machine.
 * DynamoDB Local, which stands for the managed service and so survives the crash, is then stopped in
 * order (test/support/local-app.ts says why). The next run resumes the execution from its checkpoint, which must be that
 * state, runs it again (idempotent handlers) and goes on to the next crash point:
 *
 *   OpenCycle, AnchorOpened, RequestInputs, CheckInputs, AwaitInputs (its token parked),
 *   CompilePackage (after every owner has answered by SMTP), CheckPackageApproval,
 *   AwaitPackageApproval, Distribute (after the ISMS manager's APPROVE), AnchorPackage,
 *   RequestMinutes (before the meeting: it asks for nothing yet), AwaitMeeting (its token parked),
 *   CheckMinutes (after the meeting and its minutes request), AwaitMinutes, CheckMinutesApproval
 *   (after the minutes arrived by SMTP), AwaitMinutesApproval, AnchorMinutes (after the chair's APPROVE), RecordOutcomes, FollowUp
 *   (its first action reminder sent, or held for the owner's business hours), AwaitFollowUp (its
 *   token parked until the next step falls due), CloseCycle (after the action's owner replied DONE,
 *   which wakes the follow-up), then a last run without a crash to the end.
 *
 * RecordFailure, the only other Task state, runs only on the failure path, which a cycle that closes
 * never takes; the test checks that the list above is every other Task state of the definition.
 *
 * Then: every expected email was sent exactly once (outbox keys, and the local SES mailbox the app
 * keeps in its data folder), every submission is kept, the event chain verifies and the cycle is
 * CLOSED with its execution SUCCEEDED.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { stringify } from 'yaml';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { ASSESSMENT_ASPECTS } from '#shared/model/meeting.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import {
  ismsManager,
  meetingMinutesOf,
  personById,
  programmeCatalogue,
  topManagement,
} from '#shared/programme/queries.ts';
import { loadDefinitionFromTemplate } from '#infra/local/stepfunctions/template.ts';
import { synthesizeTemplate } from '#infra/local/workflow.ts';
import { appStores, describeExecution, startLocalApp, type LocalApp } from '#test/support/local-app.ts';
import { listSentMail, type SentMail } from '#test/support/mailbox.ts';
import { deliverAll, replyMessage } from '#test/support/replies.ts';
import { main } from '../../cli/main.ts';
import { capture } from '../unit/cli/capture.ts';

const PROGRAMME_FILE = 'programme.example.yaml';
const programme = loadProgrammeFile(PROGRAMME_FILE);
/** One simulated minute per second: nothing falls due while the test acts, however slow the machine. */
const STILL = 60;
/**
 * One simulated day per second: through the wait for the package date (a week). The package email
 * taking two seconds to send on a loaded machine still leaves the clock days before the meeting.
 */
const DAILY = 86_400;
/**
 * Half a simulated day per second: through the wait for the meeting, and from the DONE reply to the
 * next follow-up check. Slow enough that the handler working at the end of the run (a second on a
 * loaded machine is half a day here) cannot carry the clock to the first minutes reminder (two days
 * after the meeting) or the action's last reminder.
 */
const HALF_DAILY = 43_200;

interface CrashPoint {
  readonly state: string;
  readonly speed: number;
  /** What the test does in this run, before the app crashes in `state`. */
  readonly act?: (app: LocalApp) => Promise<void>;
}

let dataDir: string;
let synthDir: string;
let templatePath: string;
let app: LocalApp | undefined;
let cycleId = '';
const runs: string[] = [];

/** The app's repository and outbox, for one call. */
async function withStore<T>(
  running: LocalApp,
  use: (store: { repo: DynamoDbRepository; outbox: DynamoOutboxStore }) => Promise<T>,
): Promise<T> {
  const { client, repo, outbox } = appStores(running);
  try {
    return await use({ repo, outbox });
  } finally {
    client.destroy();
  }
}

async function isms(running: LocalApp, ...argv: string[]): Promise<Record<string, unknown>> {
  const out = capture(true);
  const code = await main([...argv, '--data-dir', dataDir, '--json'], out, { env: {}, clock: running.clock });
  if (code !== 0) throw new Error(`isms-review ${argv.join(' ')} exited ${code}: ${out.errors.join('\n')}`);
  return out.result1();
}

/** The message the outbox sent under `key`, from the local SES mailbox. */
async function sentUnder(running: LocalApp, key: string): Promise<SentMail> {
  const record = await withStore(running, ({ outbox }) => outbox.get(cycleId, key));
  const mail = (await listSentMail(running.info.endpoints.ses)).find(
    (m) => record?.status === 'SENT' && m.messageId === record.sesMessageId,
  );
  if (!mail) throw new Error(`no mail sent under ${key} (outbox: ${JSON.stringify(record)})`);
  return mail;
}

type Delivery = Parameters<typeof deliverAll>[1][number];

/**
 * Replies whose SMTP session the crash cut before the server's answer: a real sending server keeps
 * such a message and tries again later, with the same bytes (and Message-ID); so does the test, in
 * the next run. The app recorded it or not; either way the second delivery records it once.
 */
let unanswered: Delivery[] = [];

/**
 * A plain-text reply from `personId` to `mail`'s Reply-To, by SMTP to the app. `crashMayCut`: the
 * app kills itself as soon as the state this reply leads to has run, which can be before the SMTP
 * server has answered the client.
 */
async function replyTo(
  running: LocalApp,
  personId: string,
  mail: SentMail,
  text: string,
  crashMayCut = false,
): Promise<void> {
  const from = personById(programme, personId).email;
  const to = mail.replyTo[0]!;
  const raw = await new MailComposer({ from, to, subject: `Re: ${mail.subject}`, text }).compile().build();
  const delivery: Delivery = { from, to, raw, messageId: `${personId}-${Date.now()}` };
  const sent = await deliverAll(running.info.smtp, [delivery]);
  const cut = (failure: unknown) => (failure as { code?: string }).code === 'ECONNECTION';
  if (crashMayCut && sent.failed.length > 0 && sent.failed.every(cut)) {
    unanswered.push(delivery);
    return;
  }
  expect(sent.failed).toEqual([]);
}

/** Delivers again, as a sending server would, what a crash cut before the server answered. */
async function retryUnanswered(running: LocalApp): Promise<void> {
  const again = unanswered;
  unanswered = [];
  if (again.length === 0) return;
  const sent = await deliverAll(running.info.smtp, again);
  expect(sent.failed).toEqual([]);
}

/** Every owner answers each of their inputs in a reply of its own (the last one resumes the workflow). */
async function answerAllInputs(running: LocalApp): Promise<void> {
  const requests = await withStore(running, ({ repo }) => repo.listInputRequests(cycleId));
  const owned = requests.filter((r) => !r.automatic && r.ownerId);
  const addresses = new Map<string, string>();
  for (const ownerId of new Set(owned.map((r) => r.ownerId!))) {
    addresses.set(ownerId, (await sentUnder(running, `input-request:${ownerId}`)).replyTo[0]!);
  }
  const messages = owned.map((request, i) => {
    const from = personById(programme, request.ownerId!).email;
    const to = addresses.get(request.ownerId!)!;
    const messageId = `answer-${i}@mail.example.com`;
    return {
      from,
      to,
      messageId,
      raw: replyMessage({ from, to, request, messageId, date: new Date(), figure: i }),
    };
  });
  const sent = await deliverAll(running.info.smtp, messages, { connections: 2 });
  expect(sent.failed).toEqual([]);
}

/**
 * The ISMS manager replies with the minutes, once the meeting has ended (minutes are refused before
 * its planned start plus its planned length): one decision and one action due in a week.
 */
async function sendMinutes(running: LocalApp): Promise<void> {
  const cycle = (await withStore(running, ({ repo }) => repo.getCycle(cycleId)))!;
  const zone = programme.organisation.timeZone;
  const meeting = DateTime.fromISO(cycle.plannedMeetingAt, { zone });
  const ends = meeting.plus({ minutes: meetingMinutesOf(programme, cycle.type) }).toJSDate();
  // The runs before this one usually left the clock past the end already; at this speed the rest is
  // at most a minute and a half of real time.
  await waitFor(async () => running.clock.now() >= ends, 100_000);
  const { chair, members } = topManagement(programme);
  const minutes = {
    meeting: { date: meeting.toISODate(), time: meeting.toFormat('HH:mm') },
    attendees: [...new Set([chair, ...members, ismsManager(programme)].map((p) => p.id))].map((person) => ({
      person,
      status: 'present',
    })),
    inputsConsidered: Object.fromEntries(
      programmeCatalogue(programme).map((input) => [input.key, 'considered, nothing to report']),
    ),
    decisions: [{ ref: 'D1', category: 'processes_and_controls', text: 'Shorten the input deadlines.' }],
    changesToTheIsms: 'Input deadlines are shortened (D1).',
    resourceNeeds: 'no additional resources needed: the owners answered on time this quarter',
    actions: [
      {
        title: 'Shorten the input deadlines',
        owner: 'ciso',
        due: DateTime.fromJSDate(running.clock.now(), { zone }).plus({ days: 7 }).toISODate(),
        decision: 'D1',
      },
    ],
    assessment: Object.fromEntries(
      ASSESSMENT_ASPECTS.map((aspect) => [
        aspect,
        { verdict: 'yes', rationale: `The ISMS meets ${aspect}.` },
      ]),
    ),
  };
  // CheckMinutesApproval runs as soon as the minutes are accepted and the app then kills itself: that
  // can be before the SMTP server has answered.
  await replyTo(running, 'alice', await sentUnder(running, 'minutes-request'), stringify(minutes), true);
}

/** The ISMS manager approves the package (clause 7.5.2 c) by replying APPROVE to its request. */
async function approvePackage(running: LocalApp): Promise<void> {
  await replyTo(running, 'alice', await sentUnder(running, 'package-approval:v1:request'), 'APPROVE');
}

/**
 * The chair approves the minutes. AnchorMinutes runs as soon as the approval is recorded and the app
 * then kills itself: that can be before the SMTP server has answered.
 */
async function approveMinutes(running: LocalApp): Promise<void> {
  await retryUnanswered(running);
  await replyTo(running, 'ceo', await sentUnder(running, 'minutes-approval:v1:request'), 'APPROVE', true);
}

/**
 * The action's owner replies DONE to its first reminder (which wakes the follow-up: it closes the
 * cycle at once). The reminder goes out inside the owner's
 * business hours: when FollowUp ran at night it held it, and the loop's next check, at the start of
 * the owner's working day (moments away at this speed), sends it.
 */
async function closeTheAction(running: LocalApp): Promise<void> {
  const [action] = await withStore(running, ({ repo }) => repo.listActionsOfCycle(cycleId));
  const key = `action:${action!.id}:${action!.dueDate}:remind-7d`;
  // Recorded once sent; when FollowUp held it for the owner's business hours, that is a later check.
  await waitFor(async () =>
    (await withStore(running, ({ repo }) => repo.listEvents(cycleId))).some(
      (e) =>
        e.type === 'action.reminder_sent' && e.data.actionId === action!.id && e.data.step === 'remind-7d',
    ),
  );
  const reminder = await sentUnder(running, key);
  await replyTo(
    running,
    action!.ownerId,
    reminder,
    'DONE Deadlines shortened: https://intranet.example.com/review/deadlines',
    // The DONE wakes the sleeping follow-up, which closes the cycle at once: CloseCycle can run, and
    // the app kill itself, before the SMTP server has answered.
    true,
  );
}

const CRASH_POINTS: readonly CrashPoint[] = [
  {
    state: 'OpenCycle',
    speed: STILL,
    async act(running) {
      await isms(running, 'programme', 'apply', PROGRAMME_FILE);
      // The meeting in 12 days: inputs are due in two, before the first reminder (day 3).
      const meeting = DateTime.fromJSDate(running.clock.now(), { zone: programme.organisation.timeZone })
        .plus({ days: 12 })
        .toFormat("yyyy-MM-dd'T'HH:00");
      cycleId = String(
        (await isms(running, 'cycle', 'start', '--type', 'quarterly', '--meeting', meeting)).cycleId,
      );
    },
  },
  { state: 'AnchorOpened', speed: STILL },
  { state: 'RequestInputs', speed: STILL },
  { state: 'CheckInputs', speed: STILL },
  { state: 'AwaitInputs', speed: STILL },
  { state: 'CompilePackage', speed: STILL, act: answerAllInputs },
  { state: 'CheckPackageApproval', speed: STILL },
  { state: 'AwaitPackageApproval', speed: STILL },
  { state: 'Distribute', speed: DAILY, act: approvePackage },
  { state: 'AnchorPackage', speed: STILL },
  { state: 'RequestMinutes', speed: STILL },
  { state: 'AwaitMeeting', speed: STILL },
  { state: 'CheckMinutes', speed: HALF_DAILY },
  { state: 'AwaitMinutes', speed: STILL },
  { state: 'CheckMinutesApproval', speed: STILL, act: sendMinutes },
  { state: 'AwaitMinutesApproval', speed: STILL },
  { state: 'AnchorMinutes', speed: STILL, act: approveMinutes },
  { state: 'RecordOutcomes', speed: STILL, act: retryUnanswered },
  { state: 'FollowUp', speed: STILL },
  { state: 'AwaitFollowUp', speed: STILL },
  { state: 'CloseCycle', speed: HALF_DAILY, act: closeTheAction },
  { state: 'AnchorClosed', speed: STILL },
];

async function start(speed: number, crashAfter?: string): Promise<LocalApp> {
  app = await startLocalApp({
    dataDir,
    speed,
    templatePath,
    env: { ISMS_SCHEDULES: 'off', ...(crashAfter ? { ISMS_LOCAL_CRASH_AFTER: crashAfter } : {}) },
  });
  return app;
}

/** The app of this run resumed the cycle's execution in `state` (where the last run crashed). */
function expectResumedAt(running: LocalApp, state: string): void {
  const resumed = /execution (\S+) resumed at (\S+)/.exec(running.output());
  expect(resumed?.slice(1), `the run after the crash in ${state}`).toEqual([cycleId, state]);
}

async function crashed(running: LocalApp, state: string, timeoutMs = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const signal = await Promise.race([
    running.exited,
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (signal === 'timeout') await running.kill();
  expect(signal, `crash in ${state}\n${running.output().slice(-4000)}`).toBe('SIGKILL');
  expect(running.output()).toContain(`ISMS_LOCAL_CRASH_AFTER=${state}: `);
  // DynamoDB Local, left running by the crash, is stopped in order before the next start.
  await running.kill();
  app = undefined;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'isms-crash-each-'));
  synthDir = await mkdtemp(join(tmpdir(), 'isms-crash-each-synth-'));
  templatePath = synthesizeTemplate(programme, synthDir);
}, 60_000);

afterAll(async () => {
  await app?.kill();
  for (const dir of [dataDir, synthDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a review cycle survives kill -9 in every Task state', () => {
  it('crashes once in each top-level Task state, restarts on the same data, and closes with every email sent once', async () => {
    const began = Date.now();
    onTestFailed(() => {
      console.error(`--- runs ---\n${runs.join('\n')}`);
      console.error(`--- local app output (last run) ---\n${app?.output().slice(-6000) ?? '(not running)'}`);
    });
    // Every Task state of the definition is a crash point, but the failure path's.
    const { definition } = loadDefinitionFromTemplate(JSON.parse(await readFile(templatePath, 'utf8')));
    const taskStates = Object.entries((definition as { States: Record<string, { Type: string }> }).States)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name);
    expect([...CRASH_POINTS.map((p) => p.state), 'RecordFailure'].sort()).toEqual(taskStates.sort());

    let previous: string | undefined;
    for (const point of CRASH_POINTS) {
      const running = await start(point.speed, point.state);
      if (previous) expectResumedAt(running, previous);
      await point.act?.(running);
      await crashed(running, point.state);
      runs.push(`${((Date.now() - began) / 1000).toFixed(1)} s crashed in ${point.state}`);
      previous = point.state;
    }

    // ---- the last run: no crash; the cycle closes
    const running = await start(STILL);
    expectResumedAt(running, previous!);
    // The DONE the crash after CloseCycle may have cut off: sent again, a duplicate, it changes nothing.
    await retryUnanswered(running);
    const execution = await waitFor(async () => {
      const described = await describeExecution(running, cycleId);
      return described.status !== 'RUNNING' && described;
    });
    expect(execution.status, `${execution.error} ${execution.cause}`).toBe('SUCCEEDED');

    const { sent, records, events } = await withStore(running, async ({ repo, outbox }) => ({
      sent: await outbox.listSent(cycleId),
      records: (await repo.getCycleRecords(cycleId))!,
      events: await repo.listEvents(cycleId),
    }));
    expect(records.cycle.phase).toBe('CLOSED');
    expect(verifyChain(events)).toMatchObject({ ok: true });

    // Every email once: the requests, the package's approval request, the package, the minutes
    // request, the minutes' approval request, the minutes, the action's reminder, and one answer to
    // each reply.
    const owned = records.inputRequests.filter((r) => !r.automatic);
    const owners = [...new Set(owned.map((r) => r.ownerId!))].sort();
    const [action] = records.actions;
    const keys = sent.map((r) => r.key);
    expect(new Set(keys).size, JSON.stringify(keys)).toBe(keys.length);
    // Approval reminders may fall due while the app restarts (simulated time runs on); each once.
    const reminder = /^(package|minutes)-approval:v1:reminder-\d+$/;
    expect(keys.filter((key) => !key.startsWith('reply:') && !reminder.test(key)).sort()).toEqual(
      [
        ...owners.map((owner) => `input-request:${owner}`),
        'package-approval:v1:request',
        'package:v1',
        'minutes-form:v1',
        'minutes-request',
        'minutes-approval:v1:request',
        'minutes:v1',
        `action:${action!.id}:${action!.dueDate}:remind-7d`,
      ].sort(),
    );
    // One answer to each reply: the inputs, the package's approval, the minutes, their approval, DONE.
    expect(keys.filter((key) => key.startsWith('reply:'))).toHaveLength(owned.length + 4);
    const claimedNotSent = records.notificationsSent.filter(
      (key) => !key.endsWith(':done') && !keys.includes(key),
    );
    expect(claimedNotSent).toEqual([]);

    // The mailbox holds exactly the outbox's messages, each once.
    const mailbox = await listSentMail(running.info.endpoints.ses);
    expect(mailbox.map((m) => m.messageId).sort()).toEqual(sent.map((r) => r.sesMessageId).sort());

    // Every answer is kept: one submission per owned input, each input SUBMITTED with it.
    expect(owned.every((r) => r.status === 'SUBMITTED')).toBe(true);
    for (const request of owned) {
      expect(
        records.submissions.some((s) => s.id === request.submissionId),
        request.inputKey,
      ).toBe(true);
    }
    expect(records.actions.map((a) => a.status)).toEqual(['done']);
    runs.push(`${((Date.now() - began) / 1000).toFixed(1)} s closed`);
    // A restart of the local app per crash point, each a fresh process: minutes on a quiet 2-core machine,
    // several more when the machine is shared.
  }, 900_000);
});

async function waitFor<T>(probe: () => Promise<T | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out\n${app?.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
