/**
 * The ISMS manager's actions and the action owners' forms in the web app, on the memory world: each
 * does what its CLI command (or reply) does, through the same use case, recording the same change and
 * event (compared with the use case called as the CLI calls it, on a twin world); hostile input in
 * every field and URL parameter gets a clear error, is never echoed unescaped, and changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { changeAction, type ActionCommand } from '#shared/actions/register.ts';
import { startCycle } from '#shared/cycle/start.ts';
import { releaseHeldMail } from '#shared/ingest/held.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { openCycle } from '#shared/cycle/service.ts';
import { MEETING, PASS } from '#test/support/memory-world.ts';
import { answerBlock } from '#test/unit/cycle/support.ts';
import {
  csrfOf,
  seedActions,
  STATE_MACHINE_ARN,
  webWorld,
  type WebWorld,
  otherProgrammeCycle,
} from './support.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  "' OR '1'='1'; DROP TABLE isms-review; --",
  '{{7*7}}${7*7}<%= 7*7 %>',
  'x'.repeat(5_000),
];

const DMARC_FAIL: SesVerdicts = {
  ...PASS,
  spfVerdict: { status: 'FAIL' },
  dkimVerdict: { status: 'GRAY' },
  dmarcVerdict: { status: 'FAIL' },
};

/** Everything a request could change: the cycle's records, the actions, held mail, claims, mail sent. */
async function snapshot(w: WebWorld): Promise<string> {
  const records = await w.repo.getCycleRecords(w.cycleId);
  const held = await w.repo.listHeldMessages({
    since: '2000-01-01T00:00:00.000Z',
    until: '2100-01-01T00:00:00.000Z',
    status: 'all',
  });
  return canonicalHash(
    JSON.parse(JSON.stringify({ records, held, sent: w.mailer.sent.length, started: w.starter.started })),
  );
}

async function signedIn(w: WebWorld, person: string, path = '/') {
  const cookie = w.cookieOf(person);
  const response = await w.request(path, { cookies: [cookie] });
  // Whitespace as a reader sees it: runs of spaces and line breaks read as one space.
  const body = (await response.text()).replace(/\s+/g, ' ');
  return { cookie, csrf: csrfOf(body), body, response };
}

async function post(
  w: WebWorld,
  who: { cookie: string; csrf: string },
  path: string,
  form: Record<string, string>,
) {
  const response = await w.request(path, { cookies: [who.cookie], form: { _csrf: who.csrf, ...form } });
  return { response, body: (await response.text()).replace(/\s+/g, ' ') };
}

/** The CISO's answer to input b, held at the front door (its From domain failed DMARC). */
async function holdAnswer(w: WebWorld, messageId: string, subject?: string): Promise<string> {
  const mail = await w.sentUnder('input-request:ciso');
  const request = (await w.repo.getInputRequest(w.cycleId, 'b'))!;
  const reply = w.replyTo(mail, 'ciso', answerBlock(request, 'Two new suppliers.'), {
    messageId,
    verdicts: DMARC_FAIL,
  });
  const raw = subject
    ? Buffer.from(reply.raw.toString('utf8').replace(/^Subject: .*$/m, `Subject: ${subject}`), 'utf8')
    : reply.raw;
  const result = await w.deliver({ ...reply, raw });
  expect(result.outcome).toBe('held');
  return result.heldId!;
}

describe('held mail', () => {
  it('lists held mail with nothing of its body, escaped; Release records what `mail release` records', async () => {
    const web = await webWorld();
    const id = await holdAnswer(web, '<held-1@mail.example.net>', '<script>alert(1)</script> {{7*7}}');
    const manager = await signedIn(web, 'alice', '/held-mail');
    expect(manager.response.status).toBe(200);
    expect(manager.body).toContain(id);
    expect(manager.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}');
    expect(manager.body).not.toContain('<script>alert');
    expect(manager.body).toContain('failed DMARC');
    expect(manager.body).not.toContain('Two new suppliers');

    const released = await post(web, manager, `/held-mail/${id}/release`, {});
    expect(released.response.status).toBe(303);
    expect(released.response.headers.get('location')).toBe(`/held-mail?released=${id}`);
    const after = await signedIn(web, 'alice', `/held-mail?released=${id}`);
    expect(after.response.status).toBe(200);
    expect(after.body).toMatch(new RegExp(`Released ${id}: accepted`));
    expect(after.body).toContain('No mail held in the last 30 days.');

    // The same release through the CLI's use case, on a twin world.
    const cli = await webWorld();
    const twinId = await holdAnswer(cli, '<held-1@mail.example.net>', '<script>alert(1)</script> {{7*7}}');
    expect(twinId).toBe(id);
    await releaseHeldMail({ ...cli.ingestDeps, rawMail: cli.rawMail }, { id, by: 'alice' });
    const events = async (w: WebWorld) =>
      (await w.repo.listEvents(w.cycleId)).map((e) => ({
        type: e.type,
        actor: e.actor,
        ...(e.type === 'mail.released' ? { data: { ...e.data, rawS3Key: undefined } } : {}),
      }));
    expect(await events(web)).toEqual(await events(cli));
    expect((await events(web)).map((e) => e.type)).toContain('mail.released');
    // The same submission but where its raw copy is kept (each world names its own).
    const strip = (s: { id: string; receivedAt: string; source: object }) => ({
      ...s,
      id: undefined,
      receivedAt: undefined,
      source: { ...s.source, rawS3Key: undefined },
    });
    expect((await web.repo.listSubmissions(web.cycleId, 'b')).map(strip)).toEqual(
      (await cli.repo.listSubmissions(cli.cycleId, 'b')).map(strip),
    );
    expect(await web.repo.getHeldMessage(id)).toMatchObject({ status: 'released', releasedBy: 'alice' });
  });

  it('refuses a second release, wrong and hostile ids, bad query parameters and other people: nothing changes', async () => {
    const w = await webWorld();
    const id = await holdAnswer(w, '<held-2@mail.example.net>');
    const manager = await signedIn(w, 'alice', '/held-mail');
    const before = await snapshot(w);
    for (const bad of [...HOSTILE.map(encodeURIComponent), 'H-20990101T000000Z-0123456789abcdef']) {
      const { response, body } = await post(w, manager, `/held-mail/${bad}/release`, {});
      expect(response.status, bad.slice(0, 30)).toBe(404);
      expect(body).toContain('There is no such held message');
      expect(body).not.toContain('<script>alert');
    }
    for (const query of [
      'days=0',
      'days=%3Cscript%3E',
      `days=${'9'.repeat(500)}`,
      'all=%7B%7B7*7%7D%7D',
      `released=${encodeURIComponent(HOSTILE[0]!)}`,
    ]) {
      const response = await w.request(`/held-mail?${query}`, { cookies: [manager.cookie] });
      const body = await response.text();
      expect(response.status, query).toBe(400);
      expect(body, query).toContain('Nothing was changed');
      expect(body).not.toContain('<script>alert');
    }
    for (const person of ['ceo', 'ciso', 'ext-auditor']) {
      const other = await signedIn(w, person);
      expect((await w.request('/held-mail', { cookies: [other.cookie] })).status, person).toBe(403);
      expect((await post(w, other, `/held-mail/${id}/release`, {})).response.status, person).toBe(403);
    }
    expect(await snapshot(w)).toBe(before);

    expect((await post(w, manager, `/held-mail/${id}/release`, {})).response.status).toBe(303);
    const released = await snapshot(w);
    const again = await post(w, manager, `/held-mail/${id}/release`, {});
    expect(again.response.status).toBe(409);
    expect(again.body).toContain('was released already');
    expect(await snapshot(w)).toBe(released);
  });
});

describe('starting a cycle', () => {
  it('starts what `cycle start` starts, then refuses clearly a second start in the same period', async () => {
    const web = await webWorld({ open: false });
    const manager = await signedIn(web, 'alice', '/start-cycle');
    expect(manager.body).toContain('Start the cycle');
    const started = await post(web, manager, '/start-cycle', { type: 'quarterly', meeting: '' });
    expect(started.response.status).toBe(303);
    const cycleId = cycleIdFor('quarterly', web.clock.now());
    expect(started.response.headers.get('location')).toBe(`/start-cycle?started=${cycleId}`);
    const shown = await signedIn(web, 'alice', `/start-cycle?started=${cycleId}`);
    expect(shown.body).toContain(`Started cycle ${cycleId}`);
    expect(web.starter.started).toHaveLength(1);
    expect(web.starter.started[0]).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, cycleId });

    // `cycle start --type quarterly` on a twin world: the same execution input but who asked.
    const cli = await webWorld({ open: false });
    const now = cli.clock.now();
    const programme = cli.programme;
    const review = programme.schedule.reviews.find((r) => r.type === 'quarterly')!;
    const result = await startCycle(
      { starter: cli.starter, periods: cli.repo, now: () => cli.clock.now() },
      STATE_MACHINE_ARN,
      {
        programmeId: programme.organisation.id,
        type: 'quarterly',
        comprehensive: review.comprehensive,
        requestedBy: 'cli',
        scheduledTime: now.toISOString(),
      },
      programme,
    );
    expect(result.cycleId).toBe(cycleId);
    expect({ ...web.starter.started[0]!.input, requestedBy: 'cli' }).toEqual(cli.starter.started[0]!.input);
    expect(web.starter.started[0]!.input.requestedBy).toBe('web:alice');

    // The period is held: a second start is refused, nothing is started or claimed.
    await openCycle(web.deps, {
      executionName: cycleId,
      request: { programmeId: programme.organisation.id, type: 'quarterly', meetingAt: MEETING },
    });
    web.clock.set(new Date(now.getTime() + 3 * 86_400_000));
    const before = await snapshot(web);
    const later = await signedIn(web, 'alice', '/start-cycle');
    const second = await post(web, later, '/start-cycle', { type: 'quarterly', meeting: '' });
    expect(second.response.status).toBe(409);
    expect(second.body).toContain('No cycle was started: this period of the schedule already has its cycle');
    expect(second.body).toContain(`href="/cycles/${cycleId}"`);
    expect(web.starter.started).toHaveLength(1);
    expect(await snapshot(web)).toBe(before);
  });

  it('refuses a review the programme does not schedule, a meeting that is no time or too soon, hostile text', async () => {
    const w = await webWorld({ open: false });
    const manager = await signedIn(w, 'alice', '/start-cycle');
    const before = await snapshot(w);
    const cases: [Record<string, string>, string][] = [
      ...HOSTILE.map((text): [Record<string, string>, string] => [
        { type: text, meeting: '' },
        'Review: choose one the programme schedules',
      ]),
      ...HOSTILE.map((text): [Record<string, string>, string] => [
        { type: 'quarterly', meeting: text },
        'Meeting: ',
      ]),
      [{ type: 'quarterly', meeting: '2027-03-02T10:00' }, 'leaves no time for inputs'],
      [{ type: 'quarterly', meeting: '2027-02-30T10:00' }, 'not a real date'],
    ];
    for (const [form, says] of cases) {
      const { response, body } = await post(w, manager, '/start-cycle', form);
      expect(response.status, JSON.stringify(form).slice(0, 60)).toBe(400);
      expect(body).toContain('No cycle was started:');
      expect(body).toContain(says);
      expect(body).not.toContain('<script>alert');
    }
    for (const query of [encodeURIComponent(HOSTILE[0]!), 'C-20990101T0000Z-Q'.repeat(5)]) {
      const response = await w.request(`/start-cycle?started=${query}`, { cookies: [manager.cookie] });
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('<script>alert');
    }
    for (const person of ['ceo', 'ciso', 'ext-auditor']) {
      const other = await signedIn(w, person);
      expect((await post(w, other, '/start-cycle', { type: 'quarterly' })).response.status, person).toBe(403);
    }
    expect(await snapshot(w)).toBe(before);
  });
});

/** An action and the events about it, without where the change came from (web or command line). */
async function recorded(w: WebWorld, actionId: string) {
  const words = / \((in the web app(, recorded by [a-z-]+)?|on the command line)\)/g;
  const clean = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, v: unknown) =>
        key === 'source' || key === 'signedInAs' ? undefined : v,
      ).replace(words, ''),
    );
  const action = await w.repo.getAction(actionId);
  const events = (await w.repo.listEvents(w.cycleId))
    .filter((e) => e.data.actionId === actionId)
    .map((e) => ({ type: e.type, actor: e.actor, at: e.at, data: e.data }));
  return clean({ action, events, mail: w.mailer.sent.map((m) => m.subject) });
}

interface Step {
  readonly who: string;
  readonly form: string;
  readonly fields: Record<string, string>;
  /** The same change as the CLI (or the reply) gives the register. */
  readonly by: string;
  readonly command: ActionCommand;
}

/** The steps through the web app on one world and through `changeAction` as the CLI calls it on a twin. */
async function sameAsCli(steps: readonly Step[], which: 'improvement' | 'corrective') {
  const web = await webWorld();
  const cli = await webWorld();
  const actionId = (await seedActions(web))[which].id;
  await seedActions(cli);
  for (const step of steps) {
    const who = await signedIn(web, step.who);
    const { response, body } = await post(web, who, `/actions/${actionId}/${step.form}`, step.fields);
    expect(
      response.status,
      `${step.form}: ${body.slice(body.indexOf('<main'), body.indexOf('<main') + 600)}`,
    ).toBe(303);
    expect(response.headers.get('location')).toBe(`/actions/${actionId}?done=${step.form}`);
    const page = await signedIn(web, step.who, `/actions/${actionId}?done=${step.form}`);
    expect(page.body).toContain('role="status"');
    await changeAction(
      { repo: cli.repo, clock: cli.clock, notifier: cli.deps.notifier },
      { actionId, by: step.by, source: { channel: 'cli' }, command: step.command },
    );
  }
  expect(await recorded(web, actionId)).toEqual(await recorded(cli, actionId));
  return { web, actionId };
}

describe('an action’s forms do what the CLI and the reply do', () => {
  it('the owner: PROGRESS, EXTEND (answered by the ISMS manager for the chair), DONE with a link', async () => {
    const { web, actionId } = await sameAsCli(
      [
        {
          who: 'ciso',
          form: 'progress',
          fields: { note: 'Half the admins done' },
          by: 'ciso',
          command: { kind: 'progress', note: 'Half the admins done' },
        },
        {
          who: 'deputy-ciso',
          form: 'extend',
          fields: { until: '2027-07-31', reason: 'Supplier delay' },
          by: 'deputy-ciso',
          command: { kind: 'extend', until: '2027-07-31', reason: 'Supplier delay' },
        },
        {
          who: 'alice',
          form: 'extension',
          fields: { answer: 'approve', note: 'Fine', by: 'ceo' },
          by: 'ceo',
          command: { kind: 'approve', comment: 'Fine' },
        },
        {
          who: 'ciso',
          form: 'done',
          fields: { evidence: 'MFA enforced for every admin', link: 'https://intranet.example.com/mfa' },
          by: 'ciso',
          command: {
            kind: 'done',
            evidence: 'MFA enforced for every admin',
            links: ['https://intranet.example.com/mfa'],
          },
        },
      ],
      'improvement',
    );
    const action = (await web.repo.getAction(actionId))!;
    expect(action).toMatchObject({ status: 'done', dueDate: '2027-07-31' });
    expect(action.history.map((h) => h.source)).toContainEqual({ channel: 'web', signedInAs: 'alice' });
    expect(action.history.find((h) => h.by === 'ceo')?.change).toContain('recorded by alice');
    const page = await signedIn(web, 'alice', `/actions/${actionId}`);
    expect(page.body).toContain('href="https://intranet.example.com/mfa"');
    expect(page.body).toContain('web app (recorded by Alice Morgan)');
  });

  it('the ISMS manager: update, top management’s decision, and a corrective action’s closure confirmed', async () => {
    await sameAsCli(
      [
        {
          who: 'alice',
          form: 'update',
          fields: { status: 'in_progress', note: 'Vendor contacted', link: '' },
          by: 'alice',
          command: { kind: 'progress', note: 'Vendor contacted' },
        },
        {
          who: 'alice',
          form: 'decision',
          fields: { decision: 'reschedule', until: '2027-05-31', to: '', reason: 'Audit moved', by: 'cfo' },
          by: 'cfo',
          command: { kind: 'reschedule', until: '2027-05-31', reason: 'Audit moved' },
        },
        {
          who: 'risk-owner',
          form: 'done',
          fields: { evidence: 'Access removed, see https://tickets.example.com/42', link: '' },
          by: 'risk-owner',
          command: { kind: 'done', evidence: 'Access removed, see https://tickets.example.com/42' },
        },
        {
          who: 'alice',
          form: 'closure',
          fields: { answer: 'confirm', note: 'Checked the ticket' },
          by: 'alice',
          command: { kind: 'confirm', note: 'Checked the ticket' },
        },
      ],
      'corrective',
    );
  });

  it('refuses what the register refuses (DONE without a link), hostile input in every field, wrong ids and people: nothing changes', async () => {
    const w = await webWorld();
    const { improvement, corrective } = await seedActions(w);
    const owner = await signedIn(w, 'ciso');
    const manager = await signedIn(w, 'alice');
    const before = await snapshot(w);
    const path = (form: string) => `/actions/${improvement.id}/${form}`;

    const noLink = await post(w, owner, path('done'), { evidence: 'Done, trust me', link: '' });
    expect(noLink.response.status).toBe(400);
    expect(noLink.body).toContain('closing an action needs evidence someone else can look at');
    expect(noLink.body).toContain('reply to the reminder email with DONE and the file');
    expect(noLink.body).toContain('Done, trust me');

    // Structured fields (a date, a link, a choice, a person) refuse anything else; written text takes
    // any characters (shown escaped, below) but not more than the form takes.
    const written = new Set(['evidence', 'note', 'reason']);
    const forms: [typeof owner, string, Record<string, string>][] = [
      [owner, 'done', { evidence: 'x', link: '' }],
      [owner, 'progress', { note: '' }],
      [owner, 'extend', { until: '', reason: 'r' }],
      [manager, 'update', { status: 'done', note: 'n', link: '' }],
      [manager, 'extension', { answer: 'approve', note: '', by: 'ceo' }],
      [manager, 'decision', { decision: 'reschedule', until: '', to: '', reason: 'r', by: 'ceo' }],
    ];
    for (const [who, form, fields] of forms) {
      for (const name of Object.keys(fields)) {
        for (const text of written.has(name) ? [HOSTILE.at(-1)!] : HOSTILE) {
          const { response, body } = await post(w, who, path(form), { ...fields, [name]: text });
          expect(response.status, `${form}.${name} = ${text.slice(0, 20)}`).toBe(400);
          expect(body).toContain('Nothing was changed');
          expect(body).not.toContain('<script>alert');
        }
      }
    }
    // The closure form is shown and taken only for a done corrective action awaiting confirmation.
    const closure = await post(w, manager, `/actions/${corrective.id}/closure`, {
      answer: 'confirm',
      note: '',
    });
    expect(closure.response.status).toBe(400);
    expect(closure.body).toContain('only a done corrective action awaiting confirmation can be confirmed');

    for (const id of [...HOSTILE.map(encodeURIComponent), 'A-20990101T0000Z-Q-001']) {
      const page = await w.request(`/actions/${id}`, { cookies: [manager.cookie] });
      expect(page.status, id.slice(0, 30)).toBe(404);
      expect(await page.text()).toContain('There is no such action');
      const { response, body } = await post(w, owner, `/actions/${id}/progress`, { note: 'x' });
      expect(response.status).toBe(404);
      expect(body).not.toContain('<script>alert');
    }
    expect(
      (await post(w, owner, `/actions/${improvement.id}/${encodeURIComponent(HOSTILE[0]!)}`, {})).response
        .status,
    ).toBe(404);
    const badDone = await w.request(`/actions/${improvement.id}?done=${encodeURIComponent(HOSTILE[0]!)}`, {
      cookies: [owner.cookie],
    });
    expect(badDone.status).toBe(400);
    expect(await badDone.text()).not.toContain('<script>alert');

    // Who may not: another owner, top management and the auditor on the owner's forms; owners on the manager's.
    for (const person of ['risk-owner', 'ceo', 'ext-auditor']) {
      const other = await signedIn(w, person);
      expect((await post(w, other, path('progress'), { note: 'x' })).response.status, person).toBe(403);
    }
    for (const person of ['ciso', 'ceo', 'ext-auditor']) {
      const other = await signedIn(w, person);
      for (const form of ['update', 'extension', 'decision', 'closure']) {
        expect((await post(w, other, path(form), { status: 'in_progress', note: 'x' })).response.status).toBe(
          403,
        );
      }
    }
    expect(
      (await w.request(`/actions/${improvement.id}`, { cookies: [(await signedIn(w, 'risk-owner')).cookie] }))
        .status,
    ).toBe(403);
    expect(await snapshot(w)).toBe(before);

    // Script, SQL and template text in a note is a note: recorded as written, shown escaped.
    for (const text of HOSTILE.slice(0, 3)) {
      expect((await post(w, owner, path('progress'), { note: text })).response.status).toBe(303);
      const page = await signedIn(w, 'ciso', `/actions/${improvement.id}?done=progress`);
      expect(page.body).not.toContain('<script>alert');
      expect((await w.repo.getAction(improvement.id))!.history.at(-1)!.change).toContain(text);
    }
    expect((await signedIn(w, 'ciso', `/actions/${improvement.id}`)).body).toContain(
      '&lt;script&gt;alert(1)',
    );
  });

  it('answers 404 for an action of another programme', async () => {
    const w = await webWorld();
    const { improvement } = await seedActions(w);
    // Another programme in the same store, with a cycle of its own.
    const otherCycle = await otherProgrammeCycle(w, 'semiannual');
    const other = {
      ...improvement,
      id: `A${otherCycle.slice(1)}-001`,
      cycleId: otherCycle,
      programmeId: 'other-ltd',
    };
    await w.repo.createActions([other]);
    const manager = await signedIn(w, 'alice');
    const before = await snapshot(w);
    expect((await w.request(`/actions/${other.id}`, { cookies: [manager.cookie] })).status).toBe(404);
    const { response, body } = await post(w, manager, `/actions/${other.id}/update`, {
      status: 'in_progress',
      note: 'x',
    });
    expect(response.status).toBe(404);
    expect(body).not.toContain(other.id);
    expect(await w.repo.getAction(other.id)).toEqual(other);
    expect(await snapshot(w)).toBe(before);
  });
});
