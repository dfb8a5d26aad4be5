/**
 * The review's record on the web (web/routes/review.ts): hostile input first, then the downloads
 * (each file hashes to what the cycle's log recorded; an altered file is refused), the approvals
 * (the same events and the same resume of the workflow as the same answer by reply, checked against
 * a twin world answered by email), and the auditor's trace, timeline and evidence bundle.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { awaitPeople, checkApproval, requestInputs } from '#shared/cycle/service.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { CycleEvent } from '#shared/model/event.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import { can } from '#shared/web/authorise.ts';
import { viewerOf } from '#shared/web/viewer.ts';
import { OPENED } from '#test/support/memory-world.ts';
import {
  exampleMinutes,
  theCycle,
  toAwaitingMinutes,
  toCompiled,
  toDistributed,
  toFollowUp,
} from '#test/unit/cycle/support.ts';
import { csrfOf, webProgramme, webWorld, type WebWorld, otherProgrammeCycle } from './support.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  "' OR '1'='1'; DROP TABLE isms-review; --",
  '{{7*7}}${7*7}<%= 7*7 %>',
  'x'.repeat(10_000),
  '../../etc/passwd',
];

const sha256 = (bytes: ArrayBuffer | Uint8Array) =>
  createHash('sha256')
    .update(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
    .digest('hex');

async function snapshot(w: WebWorld): Promise<string> {
  const records = await w.repo.getCycleRecords(w.cycleId);
  return canonicalHash(
    JSON.parse(JSON.stringify({ records, sent: w.mailer.sent.length, resumed: w.workflow.calls })),
  );
}

/** A signed-in person's cookie and CSRF token. */
async function signedIn(w: WebWorld, person: string) {
  const cookie = w.cookieOf(person);
  const csrf = csrfOf(await (await w.request('/', { cookies: [cookie] })).text());
  return { cookie, csrf };
}

async function page(w: WebWorld, person: string, path: string) {
  const response = await w.request(path, { cookies: [w.cookieOf(person)] });
  return { status: response.status, body: (await response.text()).replace(/\s+/g, ' ') };
}

async function post(w: WebWorld, person: string, path: string, form: Record<string, string>) {
  const { cookie, csrf } = await signedIn(w, person);
  const response = await w.request(path, { cookies: [cookie], form: { _csrf: csrf, ...form } });
  return { status: response.status, body: (await response.text()).replace(/\s+/g, ' ') };
}

/** The approval answer of a log without what only the channel sets (the reply's Message-ID). */
const answerOf = (events: readonly CycleEvent[], type: string) =>
  events
    .filter((e) => e.type === type)
    .map(({ type: t, actor, at, data }) => {
      const { messageId: _channel, ...rest } = data;
      return { type: t, actor, at, data: rest };
    });

/** A package built and its approval asked for, with the workflow parked on it. */
async function awaitingPackageApproval(w: WebWorld) {
  await toCompiled(w);
  await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
  await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'token-package', purpose: 'package-approval' });
}

/** Minutes accepted and the chair asked to approve them, with the workflow parked on it. */
async function awaitingMinutesApproval(w: WebWorld) {
  const cycle = await toAwaitingMinutes(w);
  const submitted = await submitMinutes(w.deps, {
    cycleId: w.cycleId,
    text: exampleMinutes(w, cycle),
    fileName: 'minutes.yaml',
  });
  if (!submitted.ok) throw new Error(submitted.problems.join('\n'));
  await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' });
  await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'token-minutes', purpose: 'minutes-approval' });
}

describe('hostile input', () => {
  it('refuses hostile, wrong and foreign ids, versions and file names with a clear error, echoing nothing, changing nothing', async () => {
    const w = await webWorld();
    await awaitingPackageApproval(w);
    // Another programme in the same store, with a cycle of its own.
    const otherId = await otherProgrammeCycle(w);
    await requestInputs(w.deps, otherId);
    const before = await snapshot(w);

    for (const id of [...HOSTILE.map(encodeURIComponent), 'C-20990101T0000Z-Q', otherId]) {
      for (const path of ['package', 'package/v1/package.pdf', 'minutes', 'timeline', 'trace', 'evidence']) {
        const { status, body } = await page(w, 'alice', `/cycles/${id}/${path}`);
        expect(status, `${path} of ${id.slice(0, 40)}`).toBe(404);
        expect(body).toContain('There is no such review cycle');
        expect(body).not.toContain('<script>alert');
        expect(body).not.toContain(otherId);
      }
      const posted = await post(w, 'alice', `/cycles/${id}/package/approval`, {
        version: '1',
        answer: 'approve',
        text: '',
      });
      expect(posted.status).toBe(404);
    }

    const base = `/cycles/${w.cycleId}`;
    const files = [
      ['v0', 'package.pdf'],
      ['v2', 'package.pdf'],
      ['v99999', 'package.pdf'],
      ['1', 'package.pdf'],
      ['v1', '..%2F..%2Fmanifest.json'],
      ['v1', '..%2Fv1%2Fpackage.pdf'],
      ['v1', '%2e%2e'],
      ['v1', 'package.pdf%00.html'],
      ['v1', 'PACKAGE.PDF'],
      ['v1', 'secret.txt'],
      ...HOSTILE.map((h) => ['v1', encodeURIComponent(h)] as const),
      ...HOSTILE.map((h) => [encodeURIComponent(h), 'package.pdf'] as const),
    ];
    for (const [version, file] of files) {
      const response = await w.request(`${base}/package/${version}/${file}`, {
        cookies: [w.cookieOf('alice')],
      });
      const body = await response.text();
      expect(response.status, `${version}/${file.slice(0, 40)}`).toBe(404);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(body).toMatch(
        /no such version|no package version|no such file|has no file|There is no such page/,
      );
      expect(body).not.toContain('<script>alert');
      const minutes = await w.request(`${base}/minutes/${version}/${file}`, {
        cookies: [w.cookieOf('alice')],
      });
      expect(minutes.status).toBe(404);
    }

    // The approval form: every field hostile, over-long or missing; nothing is recorded.
    const forms: Record<string, string>[] = [
      { answer: 'approve', text: '' },
      ...HOSTILE.map((h) => ({ version: h, answer: 'approve', text: '' })),
      ...HOSTILE.map((h) => ({ version: '1', answer: h, text: 'x' })),
      { version: '1', answer: 'changes', text: '' },
      { version: '1', answer: 'changes', text: 'x'.repeat(2001) },
      { version: '1', answer: 'object', text: 'the minutes word for it' },
      { version: '0', answer: 'approve', text: '' },
      { version: '2', answer: 'changes', text: HOSTILE[0]! },
    ];
    for (const form of forms) {
      const { status, body } = await post(w, 'alice', `${base}/package/approval`, form);
      expect([400, 409], JSON.stringify(form).slice(0, 80)).toContain(status);
      expect(body).toContain('Nothing was recorded');
      expect(body).not.toContain('<script>alert');
    }
    // A member of top management who is not the chair, and the ISMS manager, cannot answer for the minutes.
    expect(
      (await post(w, 'alice', `${base}/minutes/approval`, { version: '1', answer: 'approve', text: '' }))
        .status,
    ).toBe(403);
    expect(await snapshot(w)).toBe(before);
  });

  it('the auditor changes nothing: every POST of these pages is refused with 403, even a valid answer', async () => {
    const w = await webWorld();
    await awaitingPackageApproval(w);
    const before = await snapshot(w);
    for (const [path, form] of [
      ['package/approval', { version: '1', answer: 'approve', text: '' }],
      ['package/approval', { version: '1', answer: 'changes', text: 'more' }],
      ['minutes/approval', { version: '1', answer: 'approve', text: '' }],
      ['minutes/approval', { version: '1', answer: 'object', text: 'wrong' }],
    ] as const) {
      const { status, body } = await post(w, 'ext-auditor', `/cycles/${w.cycleId}/${path}`, form);
      expect(status).toBe(403);
      expect(body).toContain('You may not see or do this');
    }
    expect(await snapshot(w)).toBe(before);
    const programme = webProgramme();
    const auditor = viewerOf(programme, 'ext-auditor', { now: OPENED, ownsActions: false })!;
    const cycle = { kind: 'cycle' as const, programmeId: 'example-ltd', involved: [] };
    expect(can(auditor, 'approve-package', cycle)).toBe(false);
    expect(can(auditor, 'approve-minutes', cycle)).toBe(false);
    expect(can(auditor, 'view-evidence', cycle)).toBe(true);
    const chair = viewerOf(programme, 'ceo', { now: OPENED, ownsActions: false })!;
    expect(can(chair, 'view-trace', cycle)).toBe(false);
    expect(can(chair, 'approve-minutes', cycle)).toBe(true);
    expect(can(chair, 'approve-package', cycle)).toBe(false);
  });
});

describe('downloads', () => {
  it('serves every file of every package version as an attachment whose bytes hash to the recorded hash', async () => {
    const w = await webWorld();
    await toCompiled(w);
    const built = (await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'package.built')!;
    const { status, body } = await page(w, 'ceo', `/cycles/${w.cycleId}/package`);
    expect(status).toBe(200);
    const links = [...body.matchAll(/href="(\/cycles\/[^"]+\/package\/v1\/([a-z0-9.-]+))"/g)];
    const names = links.map((l) => l[2]);
    expect(names).toEqual(
      expect.arrayContaining(['package.pdf', 'package.html', 'model.json', 'manifest.json']),
    );
    for (const [, href, name] of links) {
      const response = await w.request(href!, { cookies: [w.cookieOf('ceo')] });
      expect(response.status, name).toBe(200);
      const bytes = await response.arrayBuffer();
      const hash = sha256(bytes);
      // The hash the page lists is the one the manifest (or the event) committed, and the bytes match it.
      expect(body).toMatch(
        new RegExp(`${name}</a> <span class="muted" ?>\\(download, \\d+ bytes; SHA-256 <code>${hash}</code>`),
      );
      expect(body).toContain(hash);
      if (name === 'model.json') expect(hash).toBe(built.data.sha256);
      if (name === 'manifest.json') expect(hash).toBe(built.data.manifestSha256);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="review-package-${w.cycleId}-v1-${name}"`,
      );
      expect(response.headers.get('repr-digest')).toBe(
        `sha-256=:${Buffer.from(hash, 'hex').toString('base64')}:`,
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const pdf = await w.request(`/cycles/${w.cycleId}/package/v1/package.pdf`, {
      cookies: [w.cookieOf('ceo')],
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('refuses a file altered after it was frozen, and a package whose manifest was altered, with a clear page', async () => {
    const w = await webWorld();
    await toCompiled(w);
    const folder = `cycles/${w.cycleId}/package/v1`;
    const original = await w.evidence.get(`${folder}/package.pdf`);
    await w.evidence.put(
      `${folder}/package.pdf`,
      Buffer.concat([original, Buffer.from('%tampered')]),
      'application/pdf',
    );
    const response = await w.request(`/cycles/${w.cycleId}/package/v1/package.pdf`, {
      cookies: [w.cookieOf('ceo')],
    });
    const body = await response.text();
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(body).toContain('does not match the hash the review recorded');
    expect(body).not.toContain('%tampered');
    // The other files are still served.
    expect(
      (await w.request(`/cycles/${w.cycleId}/package/v1/package.html`, { cookies: [w.cookieOf('ceo')] }))
        .status,
    ).toBe(200);

    const manifest = await w.evidence.get(`${folder}/manifest.json`);
    await w.evidence.put(
      `${folder}/manifest.json`,
      Buffer.from(manifest.toString('utf8').replace(/"[0-9a-f]{64}"/, `"${'0'.repeat(64)}"`)),
      'application/json',
    );
    expect(
      (await w.request(`/cycles/${w.cycleId}/package/v1/package.html`, { cookies: [w.cookieOf('ceo')] }))
        .status,
    ).toBe(409);
    const listing = await page(w, 'ceo', `/cycles/${w.cycleId}/package`);
    expect(listing.status).toBe(200);
    expect(listing.body).toContain(
      'manifest.json of package version 1 does not match the hash the review recorded',
    );
    expect(listing.body).not.toContain(`/package/v1/package.html`);
  });

  it('serves the accepted minutes (PDF and HTML) checked against the hashes of their archive event', async () => {
    const w = await webWorld();
    await toFollowUp(w);
    const rendered = (await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'minutes.rendered')!;
    const { body } = await page(w, 'ext-auditor', `/cycles/${w.cycleId}/minutes`);
    expect(body).toContain('Version 1');
    expect(body).toContain('approved by Daniel Okafor');
    for (const [name, field] of [
      ['minutes.pdf', 'pdfSha256'],
      ['minutes.html', 'htmlSha256'],
    ] as const) {
      const response = await w.request(`/cycles/${w.cycleId}/minutes/v1/${name}`, {
        cookies: [w.cookieOf('ext-auditor')],
      });
      expect(response.status).toBe(200);
      expect(sha256(await response.arrayBuffer())).toBe(rendered.data[field]);
    }
    await w.evidence.put(
      String(rendered.data.pdfKey),
      Buffer.from('%PDF-1.7 not the minutes'),
      'application/pdf',
    );
    const altered = await w.request(`/cycles/${w.cycleId}/minutes/v1/minutes.pdf`, {
      cookies: [w.cookieOf('ext-auditor')],
    });
    expect(altered.status).toBe(409);
    expect(await altered.text()).toContain('was altered after it was frozen');
  });
});

describe('approvals on the web', () => {
  it('the ISMS manager approves a package version: the same event and the same resume as APPROVE by reply', async () => {
    const web = await webWorld();
    const mail = await webWorld();
    await awaitingPackageApproval(web);
    await awaitingPackageApproval(mail);
    const shown = await page(web, 'alice', `/cycles/${web.cycleId}/package`);
    expect(shown.body).toContain('Your answer to version 1');
    expect(shown.body).toContain('Awaiting approval.');

    const answered = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, {
      version: '1',
      answer: 'approve',
      text: 'Checked every input against the register.',
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toContain('Recorded as your approval of version 1 of the review package');
    expect(answered.body).toContain('The package goes to top management on its sending date.');
    const request = await mail.sentUnder('package-approval:v1:request');
    const byReply = await mail.deliver(
      mail.replyTo(request, 'alice', 'APPROVE\nChecked every input against the register.'),
    );
    expect(byReply).toMatchObject({ outcome: 'accepted', resumed: true });

    const webEvents = await web.repo.listEvents(web.cycleId);
    const mailEvents = await mail.repo.listEvents(mail.cycleId);
    expect(answerOf(webEvents, 'package.approved')).toHaveLength(1);
    expect(answerOf(webEvents, 'package.approved')).toEqual(answerOf(mailEvents, 'package.approved'));
    expect(web.workflow.calls).toEqual(mail.workflow.calls);
    expect(web.workflow.calls.map((c) => c.taskToken)).toEqual(['token-package']);
    // The same confirmation email, to the approver.
    const confirmation = web.mailsTo('alice').at(-1)!;
    expect(confirmation.text).toContain('your approval of version 1 of the review package');

    // Again: a repeat records nothing and resumes nothing; the form is gone.
    const again = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, {
      version: '1',
      answer: 'approve',
      text: '',
    });
    expect(again.body).toContain('recorded before');
    expect(answerOf(await web.repo.listEvents(web.cycleId), 'package.approved')).toHaveLength(1);
    expect(web.workflow.calls).toHaveLength(1);
    expect(again.body).not.toContain('Your answer to version 1');
    // CHANGES on an approved version is refused, as by reply.
    const late = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, {
      version: '1',
      answer: 'changes',
      text: 'add the audit',
    });
    expect(late.status).toBe(409);
    expect(late.body).toContain('you approved version 1 of the review package');
  });

  it('CHANGES holds the package with the same event as by reply; after distribution nothing is recorded', async () => {
    const web = await webWorld();
    const mail = await webWorld();
    await awaitingPackageApproval(web);
    await awaitingPackageApproval(mail);
    const what = 'input g needs the October audit <b>now</b>';
    expect(
      (
        await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, {
          version: '1',
          answer: 'changes',
          text: what,
        })
      ).body,
    ).toContain('changes requested on version 1 of the review package');
    const request = await mail.sentUnder('package-approval:v1:request');
    expect((await mail.deliver(mail.replyTo(request, 'alice', `CHANGES ${what}`))).outcome).toBe('accepted');
    expect(answerOf(await web.repo.listEvents(web.cycleId), 'package.changes_requested')).toEqual(
      answerOf(await mail.repo.listEvents(mail.cycleId), 'package.changes_requested'),
    );
    expect(web.workflow.calls).toEqual([]);
    const shown = await page(web, 'alice', `/cycles/${web.cycleId}/package`);
    expect(shown.body).toContain('changes asked for by Alice');
    expect(shown.body).toContain('input g needs the October audit &lt;b&gt;now&lt;/b&gt;');

    const sent = await webWorld();
    await toDistributed(sent);
    const before = await snapshot(sent);
    const gone = await post(sent, 'alice', `/cycles/${sent.cycleId}/package/approval`, {
      version: '1',
      answer: 'changes',
      text: 'too late',
    });
    expect(gone.status).toBe(409);
    expect(gone.body).toContain('has already been sent to top management; nothing was recorded');
    expect(await snapshot(sent)).toBe(before);
  });

  it('a form posted twice (its answer id) is one answer: one event, one confirmation; a damaged id is refused', async () => {
    const web = await webWorld();
    await awaitingPackageApproval(web);
    const shown = await page(web, 'alice', `/cycles/${web.cycleId}/package`);
    const ids = [...shown.body.matchAll(/name="answerId" value="([0-9a-f]{32})"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    const form = { version: '1', answer: 'changes', text: 'add the October audit', answerId: ids[1]! };
    const damaged = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, {
      ...form,
      answerId: `${ids[1]!.slice(0, 31)}'`,
    });
    expect(damaged.status).toBe(400);
    expect(damaged.body).toContain('the form is damaged');
    expect(answerOf(await web.repo.listEvents(web.cycleId), 'package.changes_requested')).toHaveLength(0);
    const first = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, form);
    expect(first.body).toContain('changes requested on version 1 of the review package');
    const second = await post(web, 'alice', `/cycles/${web.cycleId}/package/approval`, form);
    expect(second.body).toContain('recorded before');
    expect(answerOf(await web.repo.listEvents(web.cycleId), 'package.changes_requested')).toHaveLength(1);
    const confirmations = (await web.outboxStore.listSent(web.cycleId)).filter((m) =>
      m.key.startsWith('web-approval:package:'),
    );
    expect(confirmations).toHaveLength(1);
  });

  it('the chair approves the minutes: the same event and resume as by reply; another member is refused', async () => {
    const web = await webWorld();
    const mail = await webWorld();
    await awaitingMinutesApproval(web);
    await awaitingMinutesApproval(mail);
    const before = await snapshot(web);
    const member = await post(web, 'cfo', `/cycles/${web.cycleId}/minutes/approval`, {
      version: '1',
      answer: 'approve',
      text: '',
    });
    expect(member.status).toBe(403);
    expect(member.body).toContain('only Daniel Okafor can answer for the minutes');
    expect(await snapshot(web)).toBe(before);

    const shown = await page(web, 'ceo', `/cycles/${web.cycleId}/minutes`);
    expect(shown.body).toContain('Your answer to version 1');
    const approved = await post(web, 'ceo', `/cycles/${web.cycleId}/minutes/approval`, {
      version: '1',
      answer: 'approve',
      text: '',
    });
    expect(approved.body).toContain('Recorded as your approval of version 1 of the minutes');
    const request = await mail.sentUnder('minutes-approval:v1:request');
    expect(await mail.deliver(mail.replyTo(request, 'ceo', 'APPROVE'))).toMatchObject({ resumed: true });
    expect(answerOf(await web.repo.listEvents(web.cycleId), 'minutes.approved')).toEqual(
      answerOf(await mail.repo.listEvents(mail.cycleId), 'minutes.approved'),
    );
    expect(web.workflow.calls).toEqual(mail.workflow.calls);
    expect(web.workflow.calls.map((c) => c.taskToken)).toEqual(['token-minutes']);
  });

  it('OBJECT by the chair copies the ISMS manager on the confirmation, as by reply', async () => {
    const web = await webWorld();
    await awaitingMinutesApproval(web);
    const objected = await post(web, 'ceo', `/cycles/${web.cycleId}/minutes/approval`, {
      version: '1',
      answer: 'object',
      text: 'the action was given to the CTO, not the CISO',
    });
    expect(objected.body).toContain('an objection on version 1 of the minutes');
    const event = (await web.repo.listEvents(web.cycleId)).find((e) => e.type === 'minutes.objected')!;
    expect(event).toMatchObject({
      actor: 'ceo',
      data: { version: 1, what: 'the action was given to the CTO, not the CISO' },
    });
    const confirmation = web.mailer.sent.at(-1)!;
    expect(confirmation.to).toEqual([web.person('ceo').email.toLowerCase()]);
    expect(confirmation.cc).toContain(web.person('alice').email.toLowerCase());
    expect(web.workflow.calls).toEqual([]);
  });
});

describe('the auditor’s pages', () => {
  it('the trace lists each input’s decisions and actions with status; the timeline every log entry', async () => {
    const w = await webWorld();
    await toFollowUp(w);
    const actions = await w.repo.listActionsOfCycle(w.cycleId);
    expect(actions).toHaveLength(1);
    const trace = await page(w, 'ext-auditor', `/cycles/${w.cycleId}/trace`);
    expect(trace.status).toBe(200);
    const section = (key: string) =>
      trace.body.slice(
        trace.body.indexOf(`id="t-${key}"`),
        trace.body.indexOf('</section>', trace.body.indexOf(`id="t-${key}"`)),
      );
    expect(section('d1')).toContain('D1 (processes_and_controls) Ask every input owner to answer on time');
    expect(section('d1')).toContain(actions[0]!.id);
    expect(section('d1')).toContain('Agree input deadlines with every owner');
    expect(section('d1')).toContain('not closed');
    expect(section('b')).toContain('No action came from this input.');
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      expect(trace.body).toContain(`Input ${request.inputKey}: `);
    }
    const timeline = await page(w, 'ext-auditor', `/cycles/${w.cycleId}/timeline`);
    const events = await w.repo.listEvents(w.cycleId);
    expect(timeline.body.match(/<li> <strong>/g)?.length).toBe(events.length);
    expect(timeline.body).toContain('minutes approved');
    expect(timeline.body).not.toContain('<form method="post" action="/cycles');
  });

  it('shows the bundle’s verification result, and the bundle downloaded verifies', async () => {
    const w = await webWorld();
    await toFollowUp(w);
    const shown = await page(w, 'ext-auditor', `/cycles/${w.cycleId}/evidence`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('VERIFIED');
    expect(shown.body).not.toContain('NOT VERIFIED');
    const response = await w.request(`/cycles/${w.cycleId}/evidence/bundle.zip`, {
      cookies: [w.cookieOf('ext-auditor')],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="evidence-${w.cycleId}.zip"`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    const verified = verifyBundle(new Uint8Array(await response.arrayBuffer()));
    expect(verified.problems).toEqual([]);
    expect(verified.cycleId).toBe(w.cycleId);

    // A package file altered in the store: the page says NOT VERIFIED and names it.
    const cycle = await theCycle(w);
    await w.evidence.put(`cycles/${cycle.id}/package/v1/package.txt`, Buffer.from('altered'), 'text/plain');
    const altered = await page(w, 'alice', `/cycles/${w.cycleId}/evidence`);
    expect(altered.body).toContain('NOT VERIFIED');
    expect(altered.body).toContain('package.txt');
  });
});
