/**
 * Sign-in by emailed link, through the web app on the memory world: a member gets one mail with a
 * link; a stranger gets the same page and no mail; the link signs in once, only within 15 minutes;
 * requests are limited per address and per client; the session cookie cannot be tampered with,
 * outlives neither its end nor its person's place in the programme.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import {
  deriveSessionKeys,
  openSession,
  PRE_SESSION_COOKIE,
  sealSession,
  SESSION_COOKIE,
} from '#shared/web/session.ts';
import { requestSignIn } from '#shared/web/sign-in.ts';
import { HOUR } from '#test/support/memory-world.ts';
import { BASE_URL, cookieFrom, csrfOf, linkIn, SESSION_KEYS, webWorld, type WebWorld } from './support.ts';

async function askForLink(w: WebWorld, email: string, client = '192.0.2.1') {
  const page = await w.request('/sign-in', { headers: { 'x-test-client': client } });
  const pre = cookieFrom(page, PRE_SESSION_COOKIE);
  const response = await w.request('/sign-in', {
    cookies: [pre],
    form: { _csrf: csrfOf(await page.text()), email },
    headers: { 'x-test-client': client },
  });
  return { response, body: await response.text(), pre };
}

async function redeem(w: WebWorld, link: string) {
  const page = await w.request(link);
  const pre = cookieFrom(page, PRE_SESSION_COOKIE);
  const body = await page.text();
  return w.request(link, { cookies: [pre], form: { _csrf: csrfOf(body) } });
}

describe('asking for a sign-in link', () => {
  it('refuses a form without the sign-in page’s CSRF token, and sends nothing', async () => {
    const w = await webWorld();
    const before = w.mailer.sent.length;
    const bare = await w.request('/sign-in', { form: { email: w.person('alice').email } });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('did not come from this site');
    const page = await w.request('/sign-in');
    const forged = await w.request('/sign-in', {
      cookies: [cookieFrom(page, PRE_SESSION_COOKIE)],
      form: { _csrf: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', email: w.person('alice').email },
    });
    expect(forged.status).toBe(403);
    expect(w.mailer.sent.length).toBe(before);
  });

  it('says clearly that something is not an email address, echoing it escaped', async () => {
    const w = await webWorld();
    const { response, body } = await askForLink(w, '<script>alert(1)</script>');
    expect(response.status).toBe(400);
    expect(body).toContain('That is not an email address');
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('emails a member one link, and answers a stranger with the very same page and no mail', async () => {
    const w = await webWorld();
    const before = w.mailer.sent.length;
    const member = await askForLink(w, '  Alice.Morgan@Example.com ');
    const stranger = await askForLink(w, 'mallory@evil.example');
    expect(member.response.status).toBe(200);
    expect(stranger.response.status).toBe(200);
    expect(stranger.body).toBe(member.body);
    const sent = w.mailer.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['alice.morgan@example.com']);
    expect(sent[0]!.subject).toBe('Your sign-in link for the Example Ltd management review');
    expect(sent[0]!.text).toContain(`${BASE_URL}/sign-in/`);
    expect(sent[0]!.text).toMatch(/works once, until Monday 1 March 2027, 09:15 UK time/);
    // Only the hash of the link's secret is stored.
    const secret = linkIn(w, 'alice.morgan@example.com').split('/').at(-1)!;
    const stored = await w.repo.getSignInToken(createHash('sha256').update(secret).digest('hex'));
    expect(stored).toMatchObject({ personId: 'alice', expiresAt: '2027-03-01T09:15:00.000Z' });
    expect(JSON.stringify(w.repo.tables.main.query(`SIGNIN#${stored!.tokenHash}`))).not.toContain(secret);
  });

  it('limits links per address and requests per client, members and strangers alike', async () => {
    const w = await webWorld();
    for (let i = 0; i < 5; i += 1) {
      expect((await askForLink(w, 'alice.morgan@example.com', `198.51.100.${i}`)).response.status).toBe(200);
    }
    const sixth = await askForLink(w, 'alice.morgan@example.com', '198.51.100.99');
    expect(sixth.response.status).toBe(429);
    expect(sixth.body).toContain('too many sign-in links were asked for this address'.replace(/^t/, 'T'));
    expect(w.mailsTo('alice').filter((m) => m.subject.includes('sign-in link'))).toHaveLength(5);

    for (let i = 0; i < 30; i += 1) await askForLink(w, `stranger-${i}@evil.example`, '203.0.113.7');
    const flood = await askForLink(w, 'ciso@evil.example', '203.0.113.7');
    expect(flood.response.status).toBe(429);
    expect(flood.body).toContain('from your network');
    // An hour later the address may ask again.
    w.clock.advance(HOUR);
    expect((await askForLink(w, 'alice.morgan@example.com', '198.51.100.100')).response.status).toBe(200);
  });

  it('the CLI’s way: a stranger’s address issues nothing and says so to the caller only', async () => {
    const w = await webWorld();
    const deps = {
      repo: w.repo,
      clock: w.clock,
      mailer: w.mailer,
      programmeId: 'example-ltd',
      baseUrl: BASE_URL,
    };
    expect(await requestSignIn(deps, { email: 'nobody@example.com', client: 'cli' })).toEqual({
      issued: false,
    });
    const issued = await requestSignIn(deps, { email: 'daniel.okafor@example.com', client: 'cli' });
    expect(issued).toMatchObject({ issued: true, person: { id: 'ceo' } });
  });
});

describe('using a sign-in link', () => {
  it('shows a button on GET (a mail scanner burns nothing), signs in once on POST, and fails the second time', async () => {
    const w = await webWorld();
    await askForLink(w, 'alice.morgan@example.com');
    const link = linkIn(w, 'alice.morgan@example.com');
    const scanned = await w.request(link);
    await w.request(link);
    expect(scanned.status).toBe(200);
    expect(await scanned.text()).toContain('<button type="submit">Sign in</button>');

    const first = await redeem(w, link);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = cookieFrom(first, SESSION_COOKIE)!;
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=28800/);

    const start = await w.request('/', { cookies: [cookie] });
    expect(start.status).toBe(200);
    const body = await start.text();
    expect(body).toContain('Alice Morgan');
    expect(body).toContain(w.cycleId);

    const second = await redeem(w, link);
    expect(second.status).toBe(410);
    expect(await second.text()).toContain('This sign-in link was used already: ask for a new one.');
    expect(cookieFrom(second, SESSION_COOKIE)).toBeUndefined();
  });

  it('fails after 15 minutes, and for a made-up or mangled link', async () => {
    const w = await webWorld();
    await askForLink(w, 'alice.morgan@example.com');
    const link = linkIn(w, 'alice.morgan@example.com');
    w.clock.advance(15 * 60_000);
    const late = await redeem(w, link);
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('This sign-in link has expired (links work for 15 minutes)');

    const madeUp = await redeem(w, `/sign-in/${'A'.repeat(43)}`);
    expect(madeUp.status).toBe(400);
    expect(await madeUp.text()).toContain('This sign-in link is not valid');
    const mangled = await w.request(`/sign-in/${encodeURIComponent("' OR 1=1 --<script>")}`);
    expect(mangled.status).toBe(400);
    expect(await mangled.text()).not.toContain('<script>');
  });

  it('does not sign in someone removed from the programme after the link was sent', async () => {
    const w = await webWorld();
    await askForLink(w, 'emily.carter@example.com');
    const link = linkIn(w, 'emily.carter@example.com');
    await removeFromProgramme(w, 'customer-lead');
    const refused = await redeem(w, link);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('no longer part of this management review');
  });
});

/** Applies a new programme version without the person (and their input, given to alice). */
async function removeFromProgramme(w: WebWorld, personId: string): Promise<void> {
  const current = (await w.repo.getCurrentProgramme('example-ltd'))!;
  const document = structuredClone(current.document) as {
    people: { id: string }[];
    inputs: { owners: Record<string, string> };
  };
  document.people = document.people.filter((p) => p.id !== personId);
  for (const [key, owner] of Object.entries(document.inputs.owners)) {
    if (owner === personId) document.inputs.owners[key] = 'alice';
  }
  await w.repo.saveProgrammeVersion({
    ...current,
    version: current.version + 1,
    savedAt: w.clock.now().toISOString(),
    document,
  });
}

describe('the session', () => {
  it('refuses a changed payload, a wrong signature, an expired session and a removed person: back to sign-in, no data', async () => {
    const w = await webWorld();
    const good = await w.signIn('alice');
    const value = good.slice(SESSION_COOKIE.length + 1);
    // `v2.<payload>.<key id>.<signature>`: the payload changed, its key id and signature kept.
    const [v, payload, ...signature] = value.split('.');
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    changed.p = 'ceo';
    const tampered = `${SESSION_COOKIE}=${v}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature.join('.')}`;
    const wrongKey = `${SESSION_COOKIE}=${sealSession(deriveSessionKeys(singleKeyring(Buffer.alloc(32, 1))), openSession(SESSION_KEYS, value, w.clock.now()))}`;
    for (const cookie of [
      tampered,
      wrongKey,
      `${SESSION_COOKIE}=v1.x.y`,
      `${SESSION_COOKIE}=${'A'.repeat(5000)}`,
    ]) {
      const response = await w.request('/', { cookies: [cookie] });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/sign-in');
      expect(await response.text()).not.toContain(w.cycleId);
    }
    expect((await w.request('/', { cookies: [good] })).status).toBe(200);
    w.clock.advance(8 * HOUR);
    const ended = await w.request('/', { cookies: [good] });
    expect(ended.status).toBe(303);

    const ciso = w.cookieOf('customer-lead');
    expect((await w.request('/', { cookies: [ciso] })).status).toBe(200);
    await removeFromProgramme(w, 'customer-lead');
    const removed = await w.request('/', { cookies: [ciso] });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/sign-in');
  });

  it('an auditor whose access has ended cannot sign in or use an old session', async () => {
    const w = await webWorld();
    const before = w.mailer.sent.length;
    await askForLink(w, 'olga@certifier.example');
    expect(w.mailer.sent.length).toBe(before);
    expect((await w.request('/', { cookies: [w.cookieOf('old-auditor')] })).status).toBe(303);
    expect((await w.request('/', { cookies: [w.cookieOf('ext-auditor')] })).status).toBe(200);
  });

  it('sign-out needs the session’s CSRF token, then clears the cookie and ends the session for good', async () => {
    const w = await webWorld();
    const cookie = w.cookieOf('alice');
    const other = w.cookieOf('alice');
    const page = await (await w.request('/', { cookies: [cookie] })).text();
    expect((await w.request('/sign-out', { cookies: [cookie], form: {} })).status).toBe(403);
    // Refused without its token: still signed in.
    expect((await w.request('/', { cookies: [cookie] })).status).toBe(200);
    const out = await w.request('/sign-out', { cookies: [cookie], form: { _csrf: csrfOf(page) } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in');
    expect(out.headers.getSetCookie().join()).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`));
    // A copy of the cookie kept from before (another tab, a stolen copy) no longer signs in; a form
    // posted with it is refused before anything is recorded; another session of the same person stays.
    const replayed = await w.request('/', { cookies: [cookie] });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toBe('/sign-in');
    expect(
      (await w.request('/sign-out', { cookies: [cookie], form: { _csrf: csrfOf(page) } })).headers.get(
        'location',
      ),
    ).toBe('/sign-in');
    expect((await w.request('/', { cookies: [other] })).status).toBe(200);
  });
});
