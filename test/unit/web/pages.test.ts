/**
 * What the pages show and do, on the memory world: each role's start page, the owner's answer form
 * (the same submission and confirmation as the same answer by email), moving the meeting, the action
 * register's filters, and hostile input in every field and URL parameter (a clear error, nothing
 * changed, nothing echoed unescaped).
 */
import { describe, expect, it } from 'vitest';
import { requestInputs } from '#shared/cycle/service.ts';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { readBundleZip } from '#shared/evidence/zip-reader.ts';
import { escapeHtml } from '#shared/mail/html.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { answerBlock } from '#test/unit/cycle/support.ts';
import { csrfOf, webWorld, type WebWorld, otherProgrammeCycle } from './support.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  "' OR '1'='1'; DROP TABLE isms-review; --",
  '{{7*7}}${7*7}<%= 7*7 %>',
  'x'.repeat(10_000),
  '../../etc/passwd',
];

async function pageOf(w: WebWorld, person: string, path: string) {
  const cookie = w.cookieOf(person);
  const response = await w.request(path, { cookies: [cookie] });
  // Whitespace as a reader sees it: runs of spaces and line breaks read as one space.
  const body = (await response.text()).replace(/\s+/g, ' ');
  return { response, body, cookie, csrf: body.includes('_csrf') ? csrfOf(body) : '' };
}

/** Everything a request could have changed: the cycle, its records and the mail sent. */
async function snapshot(w: WebWorld): Promise<string> {
  const records = await w.repo.getCycleRecords(w.cycleId);
  return canonicalHash(JSON.parse(JSON.stringify({ records, sent: w.mailer.sent.length })));
}

describe('start pages', () => {
  it('shows the ISMS manager every cycle with its phase, what is late, and who waits on whom', async () => {
    const w = await webWorld();
    const cycle = (await w.repo.getCycle(w.cycleId))!;
    w.clock.set(new Date(Date.parse(cycle.inputsDueAt) + 3_600_000));
    const { body } = await pageOf(w, 'alice', '/');
    expect(body).toContain(w.cycleId);
    expect(body).toContain('awaiting inputs');
    expect(body).toContain('What is late');
    expect(body).toMatch(/<span class="late">Input b<\/span> \(Changes in external and internal issues/);
    expect(body).toContain('Alice Morgan waits on <strong>Олена Коваленко</strong> for input b');
    expect(body).toContain('UK time');
    expect(body).toContain('Upcoming reviews');
    expect(body).toMatch(/quarterly review: opens \w+day \d+ \w+ 2027, \d\d:\d\d UK time; inputs due/);
  });

  it('shows an owner their open requests with links to answer, and a member of top management the items for decision', async () => {
    const w = await webWorld();
    const owner = (await pageOf(w, 'deputy-ciso', '/')).body;
    expect(owner).toContain(`href="/cycles/${w.cycleId}/inputs/b"`);
    expect(owner).toContain(`href="/cycles/${w.cycleId}/inputs/d2"`);
    expect(owner).not.toContain('inputs/c"');
    const emily = (await pageOf(w, 'customer-lead', '/')).body;
    expect(emily).toContain('New York time');
    const chair = (await pageOf(w, 'ceo', '/')).body;
    expect(chair).toContain('For decision');
    expect(chair).toContain('No package compiled yet.');
    expect(chair).not.toContain('What is late');
    const auditor = (await pageOf(w, 'ext-auditor', '/')).body;
    expect(auditor).toContain('read-only access');
    expect(auditor).toContain(w.cycleId);
  });
});

describe('answering an input in the form', () => {
  it('pre-fills the block of the request email, and records the same submission and confirmation as the same answer by email', async () => {
    const web = await webWorld();
    const form = await pageOf(web, 'ciso', `/cycles/${web.cycleId}/inputs/b`);
    expect(form.response.status).toBe(200);
    const request = (await web.repo.getInputRequest(web.cycleId, 'b'))!;
    expect(form.body).toContain(`[input b] ${request.title}`.replace(/&/g, '&amp;'));
    expect(form.body).toContain('<label for="answer">');
    const block = answerBlock(request, 'Two new suppliers; the climate risk assessment was updated.');
    const sent = await web.request(`/cycles/${web.cycleId}/inputs/b`, {
      cookies: [form.cookie],
      form: { _csrf: form.csrf, answer: block },
    });
    const page = await sent.text();
    expect(sent.status).toBe(200);
    expect(page).toContain('your answer is recorded as your input b');

    const email = await webWorld();
    const requestMail = await email.sentUnder('input-request:ciso');
    const delivered = await email.deliver(email.replyTo(requestMail, 'ciso', block));
    expect(delivered.outcome).toBe('accepted');

    const [bySite] = await web.repo.listSubmissions(web.cycleId, 'b');
    const [byMail] = await email.repo.listSubmissions(email.cycleId, 'b');
    const fields = (s: typeof bySite) => {
      const { id: _id, receivedAt: _at, source: _source, ...rest } = s!;
      return rest;
    };
    expect(fields(bySite)).toEqual(fields(byMail));
    expect(bySite!.source).toEqual({ channel: 'web' });
    expect(byMail!.source.channel).toBe('email');

    // The same event type and data, bar where it came from.
    const submitted = async (w: WebWorld) =>
      (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'input.submitted').at(-1)!;
    expect((await submitted(web)).data).toMatchObject({ inputKey: 'b', kind: 'report', source: 'web' });
    expect((await submitted(email)).data).toMatchObject({ inputKey: 'b', kind: 'report' });

    // The same confirmation: the same "what was recorded", on the page and in both emails.
    const confirmation = (w: WebWorld) =>
      w.mailsTo('ciso').find((m) => m.subject.startsWith('Recorded: your input b'))!;
    const recorded = (text: string) =>
      text.slice(text.indexOf('What was recorded'), text.indexOf('[end]') + 5);
    const webMail = confirmation(web);
    const emailMail = confirmation(email);
    expect(webMail.subject).toBe(emailMail.subject);
    expect(recorded(webMail.text)).toBe(recorded(emailMail.text));
    expect(recorded(webMail.text)).toContain('Two new suppliers');
    const quoted = recorded(emailMail.text)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('|'))
      .map((line) => line.replace(/^\|\s?/, ''))
      .join('\n');
    expect(quoted).toContain('summary: Two new suppliers');
    expect(page).toContain(`<pre>${escapeHtml(quoted)}</pre>`);

    // The evidence bundle carries the web answer, and still verifies.
    const { zip } = await buildEvidenceBundle(
      {
        repo: web.repo,
        outbox: web.outboxStore,
        evidence: web.evidence,
        rawMail: web.rawMail,
        clock: web.clock,
      },
      web.cycleId,
    );
    const entries = readBundleZip(zip);
    const csv = Buffer.from(entries.get('inputs/submissions.csv')!).toString('utf8');
    expect(csv).toContain(bySite!.id);
    expect(csv.split('\n').find((line) => line.includes(bySite!.id))).toContain(',web,');
    expect(verifyBundle(zip).ok).toBe(true);

    // Sent again: recognised as the same answer, nothing new recorded or mailed.
    const mails = web.mailer.sent.length;
    const again = await web.request(`/cycles/${web.cycleId}/inputs/b`, {
      cookies: [form.cookie],
      form: { _csrf: form.csrf, answer: block },
    });
    expect(await again.text()).toContain('This answer was recorded before, exactly so: nothing changed.');
    expect(await web.repo.listSubmissions(web.cycleId, 'b')).toHaveLength(1);
    expect(web.mailer.sent.length).toBe(mails);
  });

  it('a delegate answers for the owner; the submission says so', async () => {
    const w = await webWorld();
    const form = await pageOf(w, 'deputy-ciso', `/cycles/${w.cycleId}/inputs/d2`);
    const request = (await w.repo.getInputRequest(w.cycleId, 'd2'))!;
    const sent = await w.request(`/cycles/${w.cycleId}/inputs/d2`, {
      cookies: [form.cookie],
      form: { _csrf: form.csrf, answer: answerBlock(request) },
    });
    expect(sent.status).toBe(200);
    const [submission] = await w.repo.listSubmissions(w.cycleId, 'd2');
    expect(submission).toMatchObject({
      submitterId: 'deputy-ciso',
      onBehalfOf: 'ciso',
      source: { channel: 'web' },
    });
  });

  it('refuses a broken answer with the same problems as the email path, keeps the text, records nothing', async () => {
    const w = await webWorld();
    const form = await pageOf(w, 'ciso', `/cycles/${w.cycleId}/inputs/b`);
    const before = await snapshot(w);
    for (const answer of [...HOSTILE, '[input b]\nsummary: <b>bold</b>\n[end]', '   ']) {
      const response = await w.request(`/cycles/${w.cycleId}/inputs/b`, {
        cookies: [form.cookie],
        form: { _csrf: form.csrf, answer },
      });
      const body = await response.text();
      expect(response.status, answer.slice(0, 40)).toBe(400);
      expect(body).toContain('Nothing was recorded');
      expect(body).not.toContain('<script>alert');
      expect(body).not.toContain('<b>bold</b>');
    }
    const long = await w.request(`/cycles/${w.cycleId}/inputs/b`, {
      cookies: [form.cookie],
      form: { _csrf: form.csrf, answer: 'y'.repeat(20_001) },
    });
    expect(await long.text()).toContain('the form takes at most 20000: shorten it');
    expect(await snapshot(w)).toBe(before);
  });
});

describe('moving the meeting', () => {
  it('moves it through the same use case as `isms-review cycle move`, with its event', async () => {
    const w = await webWorld();
    const page = await pageOf(w, 'alice', `/cycles/${w.cycleId}`);
    expect(page.body).toContain('value="2027-03-29T10:00"');
    const moved = await w.request(`/cycles/${w.cycleId}/meeting`, {
      cookies: [page.cookie],
      form: { _csrf: page.csrf, meeting: '2027-04-05T14:30' },
    });
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain('The meeting is now Monday 5 April 2027, 14:30 UK time.');
    expect((await w.repo.getCycle(w.cycleId))!.plannedMeetingAt).toBe('2027-04-05T13:30:00.000Z');
    const event = (await w.repo.listEvents(w.cycleId)).at(-1)!;
    expect(event).toMatchObject({ type: 'meeting.moved', actor: 'alice' });
  });

  it('refuses a time in the past, one that does not exist, and hostile text: clear error, nothing moved', async () => {
    const w = await webWorld();
    const page = await pageOf(w, 'alice', `/cycles/${w.cycleId}`);
    const before = await snapshot(w);
    const cases: [string, string][] = [
      ['2027-02-01T10:00', 'has passed'],
      ['2027-03-28T01:30', 'does not exist in Europe/London'],
      ['2027-02-30T10:00', 'not a real date'],
      ...HOSTILE.map((text): [string, string] => [text, 'is not a date and time']),
    ];
    for (const [meeting, says] of cases) {
      const response = await w.request(`/cycles/${w.cycleId}/meeting`, {
        cookies: [page.cookie],
        form: { _csrf: page.csrf, meeting },
      });
      const body = await response.text();
      expect(response.status, meeting.slice(0, 30)).toBe(400);
      expect(body, meeting.slice(0, 30)).toContain(says);
      expect(body).toContain('The meeting was not moved.');
      expect(body).not.toContain('<script>alert');
    }
    expect(await snapshot(w)).toBe(before);
  });
});

describe('the action register', () => {
  it('takes its filters, refuses a bad one clearly (escaped), and shows others only their own actions', async () => {
    const w = await webWorld();
    const ok = await pageOf(w, 'alice', '/actions?status=open&overdue=yes&due-within=30&owner=ciso');
    expect(ok.response.status).toBe(200);
    expect(ok.body).toContain('Every action of the programme.');
    expect(ok.body).toContain('<option value="open" selected>');
    for (const [query, says] of [
      ['status=<script>alert(1)</script>', 'status takes one of open, in_progress'],
      ['owner=%27%20OR%201%3D1', 'owner takes the id of a person'],
      ['due-within=-1', 'due-within takes a number of days'],
      [`decision=${'D'.repeat(10_000)}`, 'decision takes a decision id'],
      ['overdue={{7*7}}', 'overdue takes yes or no'],
    ] as const) {
      const bad = await pageOf(w, 'alice', `/actions?${query}`);
      expect(bad.response.status, query).toBe(400);
      expect(bad.body.toLowerCase(), query).toContain(says);
      expect(bad.body).not.toContain('<script>alert');
    }
    const own = await pageOf(w, 'ceo', '/actions');
    expect(own.body).toContain('Your actions.');
    expect(own.body).not.toContain('<label for="owner">');
  });
});

describe('hostile and wrong ids in URLs', () => {
  it('answers 404 with a clear message for bad, unknown and other programmes’ cycle ids and input keys, echoing nothing', async () => {
    const w = await webWorld();
    // Another programme in the same store, with a cycle of its own.
    const otherId = await otherProgrammeCycle(w);
    await requestInputs(w.deps, otherId);
    expect((await w.repo.getCycle(otherId))?.programmeId).toBe('other-ltd');

    const cookie = w.cookieOf('alice');
    const csrf = csrfOf(await (await w.request('/', { cookies: [cookie] })).text());
    const before = await snapshot(w);
    const ids = [...HOSTILE.map(encodeURIComponent), 'C-20990101T0000Z-Q', otherId];
    for (const id of ids) {
      for (const [method, path] of [
        ['GET', `/cycles/${id}`],
        ['GET', `/cycles/${id}/inputs/b`],
        ['POST', `/cycles/${id}/inputs/b`],
        ['POST', `/cycles/${id}/meeting`],
      ] as const) {
        const response = await w.request(path, {
          method,
          cookies: [cookie],
          ...(method === 'POST' ? { form: { _csrf: csrf, answer: 'x', meeting: '2027-04-05T10:00' } } : {}),
        });
        const body = await response.text();
        expect(response.status, `${method} ${path.slice(0, 60)}`).toBe(404);
        expect(body).toContain('There is no such review cycle');
        expect(body).not.toContain('<script>alert');
        expect(body).not.toContain(otherId);
      }
    }
    for (const key of [...HOSTILE.map(encodeURIComponent), 'z9', 'a']) {
      const response = await w.request(`/cycles/${w.cycleId}/inputs/${key}`, { cookies: [cookie] });
      expect(response.status, key.slice(0, 30)).toBe(key === 'a' ? 403 : 404);
      expect(await response.text()).not.toContain('<script>alert');
    }
    expect(await snapshot(w)).toBe(before);
  });
});
