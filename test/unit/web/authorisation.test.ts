/**
 * Who may do what in the web app: `can()` on its own, then the whole matrix through the app (every
 * role against every route: allowed, or 403; anonymous: 303 to /sign-in with no cycle data), with
 * the security headers and cookie flags checked on every response.
 */
import { describe, expect, it } from 'vitest';
import { can, WEB_ACTIONS } from '#shared/web/authorise.ts';
import { viewerOf } from '#shared/web/viewer.ts';
import { OPENED } from '#test/support/memory-world.ts';
import { CONTENT_SECURITY_POLICY } from '#web/app.ts';
import { csrfOf, seedActions, webProgramme, webWorld, type WebWorld } from './support.ts';

const programme = webProgramme();
const viewer = (id: string, ownsActions = false) => viewerOf(programme, id, { now: OPENED, ownsActions })!;

describe('can()', () => {
  it('gives roles from the programme, and none to a stranger or an auditor whose access has ended', () => {
    expect([...viewer('alice').roles]).toEqual(['isms-manager', 'owner']);
    expect([...viewer('ceo').roles]).toEqual(['top-management']);
    expect([...viewer('deputy-ciso').roles]).toEqual(['owner']);
    expect([...viewer('deputy-ciso').answersFor]).toEqual(['deputy-ciso', 'ciso']);
    expect([...viewer('ext-auditor').roles]).toEqual(['auditor']);
    expect(viewerOf(programme, 'old-auditor', { now: OPENED, ownsActions: false })).toBeUndefined();
    expect(viewerOf(programme, 'mallory', { now: OPENED, ownsActions: false })).toBeUndefined();
    expect([...viewerOf(programme, 'cto', { now: OPENED, ownsActions: true })!.roles]).toEqual([
      'top-management',
      'owner',
    ]);
    // The auditor's last day counts in the organisation's zone.
    const lastDay = new Date('2027-12-31T23:30:00Z');
    expect(viewerOf(programme, 'ext-auditor', { now: lastDay, ownsActions: false })).toBeDefined();
    expect(
      viewerOf(programme, 'ext-auditor', { now: new Date('2028-01-01T00:30:00Z'), ownsActions: false }),
    ).toBeUndefined();
  });

  it('allows nothing of another programme, and an auditor nothing that changes anything', () => {
    const other = { kind: 'cycle' as const, programmeId: 'other-ltd', involved: ['alice'] };
    for (const action of WEB_ACTIONS) expect(can(viewer('alice'), action, other)).toBe(false);
    const cycle = { kind: 'cycle' as const, programmeId: 'example-ltd', involved: ['ciso'] };
    const input = { kind: 'input' as const, programmeId: 'example-ltd', ownerId: 'ciso', automatic: false };
    const auditor = viewer('ext-auditor');
    expect(can(auditor, 'view-cycle', cycle)).toBe(true);
    expect(can(auditor, 'view-timeline', cycle)).toBe(true);
    expect(can(auditor, 'view-all-actions', cycle)).toBe(true);
    expect(can(auditor, 'move-meeting', cycle)).toBe(false);
    expect(can(auditor, 'answer-input', input)).toBe(false);
    expect(can(viewer('ciso'), 'answer-input', input)).toBe(true);
    expect(can(viewer('deputy-ciso'), 'answer-input', input)).toBe(true);
    expect(can(viewer('risk-owner'), 'answer-input', input)).toBe(false);
    expect(can(viewer('alice'), 'answer-input', { ...input, ownerId: undefined, automatic: true })).toBe(
      false,
    );
    expect(can(viewer('risk-owner'), 'view-cycle', cycle)).toBe(false);
    expect(can(viewer('ciso'), 'view-cycle', cycle)).toBe(true);
    expect(can(viewer('ceo'), 'view-timeline', cycle)).toBe(false);
    expect(can(viewer('ceo'), 'move-meeting', cycle)).toBe(false);
    expect(can(viewer('alice'), 'move-meeting', cycle)).toBe(true);
  });
});

describe('can(): the ISMS manager’s actions and the action owners’ forms', () => {
  it('lets the manager act, an owner or their delegate report on their own action, an auditor change nothing', () => {
    const programmeWide = { kind: 'programme' as const, programmeId: 'example-ltd' };
    const action = { kind: 'action' as const, programmeId: 'example-ltd', ownerId: 'ciso' };
    const changes = [
      'release-held-mail',
      'start-cycle',
      'report-on-action',
      'update-action',
      'record-management-answer',
    ] as const;
    for (const change of changes) {
      expect(can(viewer('ext-auditor'), change, programmeWide), change).toBe(false);
      expect(can(viewer('ext-auditor'), change, action), change).toBe(false);
      expect(can(viewer('alice'), change, { ...action, programmeId: 'other-ltd' }), change).toBe(false);
    }
    expect(can(viewer('ext-auditor'), 'view-action', action)).toBe(true);
    expect(can(viewer('alice'), 'release-held-mail', programmeWide)).toBe(true);
    expect(can(viewer('alice'), 'start-cycle', programmeWide)).toBe(true);
    expect(can(viewer('alice'), 'update-action', action)).toBe(true);
    expect(can(viewer('alice'), 'report-on-action', action)).toBe(false);
    expect(can(viewer('ciso'), 'report-on-action', action)).toBe(true);
    expect(can(viewer('deputy-ciso'), 'report-on-action', action)).toBe(true);
    expect(can(viewer('risk-owner'), 'report-on-action', action)).toBe(false);
    expect(can(viewer('risk-owner'), 'view-action', action)).toBe(false);
    expect(can(viewer('ceo'), 'record-management-answer', action)).toBe(false);
  });
});

type Route = {
  name: string;
  method: 'GET' | 'POST';
  path: (w: WebWorld) => string;
  form?: Record<string, string>;
  /** The answer is a file to download, not a page. */
  download?: true;
  /** What an allowed person gets instead of 200 or 400 (a page saying what is not there). */
  allowedStatus?: 404;
};

const ROUTES: Route[] = [
  { name: 'start', method: 'GET', path: () => '/' },
  { name: 'cycle', method: 'GET', path: (w) => `/cycles/${w.cycleId}` },
  { name: 'actions', method: 'GET', path: () => '/actions?status=open' },
  { name: 'answer form', method: 'GET', path: (w) => `/cycles/${w.cycleId}/inputs/b` },
  // An empty answer: allowed people get a clear 400 and nothing is recorded.
  { name: 'answer', method: 'POST', path: (w) => `/cycles/${w.cycleId}/inputs/b`, form: { answer: '' } },
  // A time that is no time: the ISMS manager gets a clear 400 and the meeting stays.
  {
    name: 'move meeting',
    method: 'POST',
    path: (w) => `/cycles/${w.cycleId}/meeting`,
    form: { meeting: 'soon' },
  },
];

/** Person → the routes (by name) they may use; the others answer 403. */
const ALLOWED: Record<string, string[]> = {
  alice: ['start', 'cycle', 'actions', 'move meeting'],
  ceo: ['start', 'cycle', 'actions'],
  ciso: ['start', 'cycle', 'actions', 'answer form', 'answer'],
  'deputy-ciso': ['start', 'cycle', 'actions', 'answer form', 'answer'],
  'risk-owner': ['start', 'cycle', 'actions'],
  'ext-auditor': ['start', 'cycle', 'actions'],
};

// The review's record (web/routes/review.ts), on a cycle still awaiting inputs: no package yet, so
// the approvals get a clear 400 (the form names no version) and record nothing. The downloads of
// package and minutes files are in review.test.ts, on a cycle that has them.
ROUTES.push(
  { name: 'package', method: 'GET', path: (w) => `/cycles/${w.cycleId}/package` },
  { name: 'minutes', method: 'GET', path: (w) => `/cycles/${w.cycleId}/minutes` },
  { name: 'timeline', method: 'GET', path: (w) => `/cycles/${w.cycleId}/timeline` },
  { name: 'trace', method: 'GET', path: (w) => `/cycles/${w.cycleId}/trace` },
  { name: 'evidence', method: 'GET', path: (w) => `/cycles/${w.cycleId}/evidence` },
  {
    name: 'evidence bundle',
    method: 'GET',
    path: (w) => `/cycles/${w.cycleId}/evidence/bundle.zip`,
    download: true,
  },
  {
    name: 'approve package',
    method: 'POST',
    path: (w) => `/cycles/${w.cycleId}/package/approval`,
    form: { version: '', answer: 'approve', text: '' },
  },
  {
    name: 'approve minutes',
    method: 'POST',
    path: (w) => `/cycles/${w.cycleId}/minutes/approval`,
    form: { version: '', answer: 'approve', text: '' },
  },
);
const REVIEW_ALLOWED: Record<string, string[]> = {
  alice: ['package', 'minutes', 'timeline', 'trace', 'evidence', 'evidence bundle', 'approve package'],
  ceo: ['package', 'minutes', 'approve minutes'],
  'ext-auditor': ['package', 'minutes', 'timeline', 'trace', 'evidence', 'evidence bundle'],
};
for (const [person, routes] of Object.entries(REVIEW_ALLOWED)) ALLOWED[person]!.push(...routes);

// The ISMS manager's actions and the action owners' forms (web/routes/manage.ts), on the CISO's
// action (seedActions): every form sent with a field that does not read gets a clear 400 and
// changes nothing; releasing a held message that is not there, 404.
const actionPath = (w: WebWorld, form = '') => `/actions/A${w.cycleId.slice(1)}-001${form && `/${form}`}`;
ROUTES.push(
  { name: 'held mail', method: 'GET', path: () => '/held-mail' },
  {
    name: 'release held mail',
    method: 'POST',
    path: () => '/held-mail/H-20990101T000000Z-0123456789abcdef/release',
    form: {},
    allowedStatus: 404,
  },
  { name: 'start cycle form', method: 'GET', path: () => '/start-cycle' },
  { name: 'start cycle', method: 'POST', path: () => '/start-cycle', form: { type: 'weekly' } },
  { name: 'action', method: 'GET', path: (w) => actionPath(w) },
  { name: 'action done', method: 'POST', path: (w) => actionPath(w, 'done'), form: { evidence: '' } },
  { name: 'action progress', method: 'POST', path: (w) => actionPath(w, 'progress'), form: { note: '' } },
  { name: 'action extend', method: 'POST', path: (w) => actionPath(w, 'extend'), form: { until: 'soon' } },
  { name: 'action update', method: 'POST', path: (w) => actionPath(w, 'update'), form: { status: 'gone' } },
  {
    name: 'action closure',
    method: 'POST',
    path: (w) => actionPath(w, 'closure'),
    form: { answer: 'maybe' },
  },
  {
    name: 'action extension',
    method: 'POST',
    path: (w) => actionPath(w, 'extension'),
    form: { answer: 'maybe' },
  },
  {
    name: 'action decision',
    method: 'POST',
    path: (w) => actionPath(w, 'decision'),
    form: { decision: 'maybe' },
  },
);
const OWNER_FORMS = ['action', 'action done', 'action progress', 'action extend'];
const MANAGE_ALLOWED: Record<string, string[]> = {
  alice: [
    'held mail',
    'release held mail',
    'start cycle form',
    'start cycle',
    'action',
    'action update',
    'action closure',
    'action extension',
    'action decision',
  ],
  ceo: ['action'],
  ciso: OWNER_FORMS,
  'deputy-ciso': OWNER_FORMS,
  'ext-auditor': ['action'],
};
for (const [person, routes] of Object.entries(MANAGE_ALLOWED)) ALLOWED[person]!.push(...routes);

function expectSecurityHeaders(response: Response, what: string): void {
  expect(response.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('cache-control'), what).toBe('no-store');
  for (const cookie of response.headers.getSetCookie()) {
    expect(cookie, what).toMatch(/; HttpOnly/);
    expect(cookie, what).toMatch(/; Secure/);
    expect(cookie, what).toMatch(/; SameSite=Lax/);
    expect(cookie, what).toMatch(/; Path=\//);
  }
}

describe('the authorisation matrix', () => {
  it('every role against every route: allowed or 403, the headers on every response, and nothing changed by a refusal', async () => {
    const w = await webWorld();
    await seedActions(w);
    const eventsBefore = (await w.repo.listEvents(w.cycleId)).length;
    const cycleBefore = await w.repo.getCycle(w.cycleId);
    for (const [person, allowed] of Object.entries(ALLOWED)) {
      const cookie = w.cookieOf(person);
      const csrf = csrfOf(await (await w.request('/', { cookies: [cookie] })).text());
      for (const route of ROUTES) {
        const what = `${person} ${route.method} ${route.name}`;
        const response = await w.request(route.path(w), {
          method: route.method,
          cookies: [cookie],
          ...(route.form ? { form: { _csrf: csrf, ...route.form } } : {}),
        });
        const body = await response.text();
        expectSecurityHeaders(response, what);
        if (allowed.includes(route.name)) {
          expect(route.allowedStatus ? [route.allowedStatus] : [200, 400], what).toContain(response.status);
          if (route.download)
            expect(response.headers.get('content-disposition'), what).toMatch(/^attachment; /);
          else expect(body, what).toContain('<html lang="en">');
        } else {
          expect(response.status, what).toBe(403);
          expect(body, what).toContain('You may not see or do this');
          expect(body, what).not.toContain('Move the meeting');
        }
      }
    }
    expect((await w.repo.listEvents(w.cycleId)).length).toBe(eventsBefore);
    expect(await w.repo.getCycle(w.cycleId)).toEqual(cycleBefore);
    expect(await w.repo.listSubmissions(w.cycleId)).toEqual([]);
  });

  it('shows the event log and the meeting form only to those who may see or use them', async () => {
    const w = await webWorld();
    const page = async (person: string) =>
      (await w.request(`/cycles/${w.cycleId}`, { cookies: [w.cookieOf(person)] })).text();
    const manager = await page('alice');
    expect(manager).toContain('Event log');
    expect(manager).toContain('Move the meeting');
    const auditor = await page('ext-auditor');
    expect(auditor).toContain('Event log');
    expect(auditor).not.toContain('Move the meeting');
    expect(auditor).not.toContain(`/cycles/${w.cycleId}/inputs/`);
    const chair = await page('ceo');
    expect(chair).not.toContain('Event log');
    const owner = await page('ciso');
    expect(owner).toContain(`href="/cycles/${w.cycleId}/inputs/b"`);
    expect(owner).not.toContain(`href="/cycles/${w.cycleId}/inputs/c"`);
  });

  it('anonymous: every page but sign-in and /static answers 303 to /sign-in and shows nothing of the review', async () => {
    const w = await webWorld();
    const paths = [
      ...ROUTES.map((r) => ({ method: r.method, path: r.path(w), form: r.form })),
      { method: 'GET' as const, path: '/no/such/page', form: undefined },
      { method: 'POST' as const, path: '/sign-out', form: {} },
    ];
    for (const { method, path, form } of paths) {
      const response = await w.request(path, { method, ...(form ? { form } : {}) });
      expectSecurityHeaders(response, `anonymous ${method} ${path}`);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe('/sign-in');
      const body = await response.text();
      expect(body).not.toContain(w.cycleId);
      expect(body).not.toContain('Alice');
    }
    const signIn = await w.request('/sign-in');
    expect(signIn.status).toBe(200);
    expectSecurityHeaders(signIn, 'sign-in');
    const css = await w.request('/static/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('a POST without the session’s CSRF token, or with another session’s, is refused and changes nothing', async () => {
    const w = await webWorld();
    const alice = w.cookieOf('alice');
    const other = csrfOf(await (await w.request('/', { cookies: [w.cookieOf('alice')] })).text());
    const before = await w.repo.getCycle(w.cycleId);
    const forms: Record<string, string>[] = [
      { meeting: '2027-04-05T10:00' },
      { meeting: '2027-04-05T10:00', _csrf: other },
      { meeting: '2027-04-05T10:00', _csrf: 'x'.repeat(300) },
    ];
    for (const form of forms) {
      const response = await w.request(`/cycles/${w.cycleId}/meeting`, { cookies: [alice], form });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('did not come from this site');
    }
    expect(await w.repo.getCycle(w.cycleId)).toEqual(before);
  });
});
