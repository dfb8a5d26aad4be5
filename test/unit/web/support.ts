/**
 * The web app on the memory world (test/support/memory-world.ts): `createWebApp` built from the
 * world's parts, asked with Hono's `app.request()`, and people signed in either through the whole
 * emailed-link flow or (for the tests about what a page shows) with a session sealed directly.
 *
 * The programme is programme.example.yaml plus two outside auditors: `ext-auditor` (access until
 * the end of 2027) and `old-auditor` (access ended before the world starts).
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { openCycle } from '#shared/cycle/service.ts';
import { inProcessReleaser } from '#shared/ingest/held.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { deriveSessionKeys, newSession, sealSession, SESSION_COOKIE } from '#shared/web/session.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import {
  MEETING,
  memoryWorld,
  OPENED,
  type MemoryWorld,
  type MemoryWorldOptions,
} from '#test/support/memory-world.ts';
import { createWebApp } from '#web/app.ts';
import type { Starter } from '#shared/cycle/start.ts';
import type { Action } from '#shared/model/action.ts';
import { FileSigner } from '#shared/adapters/file-signer.ts';
import type { EvidenceSource } from '#shared/evidence/export-source.ts';

export const BASE_URL = 'http://web.test';
/** The app's session keys: derived from a keyring of one key, as the web function derives them. */
export const SESSION_KEYS = deriveSessionKeys(singleKeyring(Buffer.alloc(32, 9)));

const EXAMPLE = fileURLToPath(new URL('../../../programme.example.yaml', import.meta.url));

/** The example programme with two outside auditors (one whose access has ended). */
export function webProgramme(at: Date = OPENED): Programme {
  const example = loadProgrammeFile(EXAMPLE, { clock: new FixedClock(at) });
  return {
    ...example,
    people: [
      ...example.people,
      { id: 'ext-auditor', name: 'Sam Auditor', email: 'sam@certifier.example', role: 'Lead auditor' },
      { id: 'old-auditor', name: 'Olga Former', email: 'olga@certifier.example', role: 'Auditor' },
    ],
    roles: {
      ...example.roles,
      auditors: [
        { person: 'ext-auditor', until: '2027-12-31' },
        { person: 'old-auditor', until: '2027-02-01' },
      ],
    },
  };
}

/**
 * The state machine's StartExecution as the memory world has it: records each start by its
 * execution name (the cycle id) and, as Step Functions does, answers a second start of the same name
 * as not started.
 */
export class RecordingStarter implements Starter {
  readonly started: {
    stateMachineArn: string | undefined;
    cycleId: string;
    input: Record<string, unknown>;
  }[] = [];
  async startCycle(stateMachineArn: string | undefined, cycleId: string, input: Record<string, unknown>) {
    if (this.started.some((s) => s.cycleId === cycleId)) return { started: false };
    this.started.push({ stateMachineArn, cycleId, input: structuredClone(input) });
    return {
      started: true,
      executionArn: `${stateMachineArn}:${cycleId}`.replace(':stateMachine:', ':execution:'),
    };
  }
}

/**
 * Two actions of the world's cycle, as the minutes would decide them: an improvement the CISO owns
 * (due 30 June 2027) and a corrective action the risk owner owns (due 30 April 2027).
 */
export async function seedActions(w: MemoryWorld): Promise<{ improvement: Action; corrective: Action }> {
  const at = w.clock.now().toISOString();
  const base = (n: number, ownerId: string, title: string, dueDate: string, corrective: boolean): Action => ({
    id: `A${w.cycleId.slice(1)}-00${n}`,
    cycleId: w.cycleId,
    programmeId: w.programme.organisation.id,
    title,
    ownerId,
    dueDate,
    status: 'open',
    escalationLevel: 0,
    corrective,
    history: [{ at, by: 'alice', change: 'created from the minutes', source: { channel: 'cli' } }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  const improvement = base(1, 'ciso', 'Roll out MFA to every administrator account', '2027-06-30', false);
  const corrective = base(2, 'risk-owner', 'Close the supplier access finding', '2027-04-30', true);
  await w.repo.createActions([improvement, corrective]);
  return { improvement, corrective };
}

/** The state machine the memory world's web app starts cycles on. */
export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-2:111122223333:stateMachine:review-cycle';

export interface WebWorld extends MemoryWorld {
  readonly app: ReturnType<typeof createWebApp>;
  /** What the app's `cycle start` started. */
  readonly starter: RecordingStarter;
  /** A request to the app, with cookies and an optional form. */
  request(path: string, init?: WebRequest): Promise<Response>;
  /** A session cookie (`name=value`) for a person, sealed directly. */
  cookieOf(personId: string): string;
  /** The whole flow: sign-in page, form, emailed link, button. Returns the session cookie. */
  signIn(personId: string): Promise<string>;
}

export interface WebRequest {
  readonly method?: 'GET' | 'POST';
  /** Cookies, each `name=value`. */
  readonly cookies?: readonly (string | undefined)[];
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** The value a Set-Cookie header gives a cookie (`name=value`), if it sets it. */
export function cookieFrom(response: Response, name: string): string | undefined {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line?.split(';')[0];
}

/** The CSRF token of the (first) form of a page. */
export function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match) throw new Error(`no CSRF field in the page:\n${body.slice(0, 2000)}`);
  return match[1]!;
}

/** The sign-in link of the latest sign-in mail to an address. */
export function linkIn(w: MemoryWorld, email: string): string {
  const mail = w.mailer.sent
    .filter((m) => m.to.includes(email.toLowerCase()) && m.subject.includes('sign-in link'))
    .at(-1);
  if (!mail) throw new Error(`no sign-in mail to ${email}`);
  const url = new RegExp(`${BASE_URL}/sign-in/[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0];
  if (!url) throw new Error(`no link in the sign-in mail:\n${mail.text}`);
  return url.slice(BASE_URL.length);
}

/** What the evidence export reads, on the memory world's parts (its anchoring key signs the manifest). */
export function evidenceSourceOf(w: MemoryWorld): EvidenceSource {
  const signer = new FileSigner(w.anchorKeyPem);
  return {
    repo: w.repo,
    outbox: w.outboxStore,
    evidence: w.evidence,
    rawMail: w.rawMail,
    anchorKey: signer,
    manifestSigner: signer,
    clock: w.clock,
  };
}

export async function webWorld(options: MemoryWorldOptions = {}): Promise<WebWorld> {
  const w = await memoryWorld({ programme: webProgramme(options.openedAt), ...options });
  const starter = new RecordingStarter();
  const app = createWebApp({
    starter,
    env: { STATE_MACHINE_ARN },
    heldMailReleaser: inProcessReleaser({ ...w.ingestDeps, rawMail: w.rawMail }),
    repo: w.repo,
    clock: w.clock,
    mailer: w.mailer,
    outbox: w.outbox,
    notifier: w.deps.notifier,
    workflow: w.workflow,
    evidenceSource: evidenceSourceOf(w),
    programmeId: w.programme.organisation.id,
    baseUrl: BASE_URL,
    sessionKeys: SESSION_KEYS,
    clientAddress: (c) => c.req.header('x-test-client') ?? '192.0.2.1',
  });
  const request = (path: string, init: WebRequest = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const cookies = (init.cookies ?? []).filter((c): c is string => Boolean(c));
    if (cookies.length) headers.cookie = cookies.join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    return Promise.resolve(
      app.request(`${BASE_URL}${path}`, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
  };
  const cookieOf = (personId: string) =>
    `${SESSION_COOKIE}=${sealSession(
      SESSION_KEYS,
      newSession({ personId, programmeId: w.programme.organisation.id, now: w.clock.now() }),
    )}`;
  const signIn = async (personId: string) => {
    const email = w.person(personId).email;
    const page = await request('/sign-in');
    const pre = cookieFrom(page, 'isms_presession');
    const asked = await request('/sign-in', {
      cookies: [pre],
      form: { _csrf: csrfOf(await page.text()), email },
    });
    expect(asked.status).toBe(200);
    const link = linkIn(w, email);
    const button = await request(link, { cookies: [pre] });
    expect(button.status).toBe(200);
    const redeemed = await request(link, { cookies: [pre], form: { _csrf: csrfOf(await button.text()) } });
    expect(redeemed.status).toBe(303);
    const cookie = cookieFrom(redeemed, SESSION_COOKIE);
    if (!cookie) throw new Error('no session cookie after redeeming the link');
    return cookie;
  };
  return Object.assign(w, { app, starter, request, cookieOf, signIn });
}

/**
 * Another programme (`other-ltd`, the example's document under another id) in the same store, with
 * an opened cycle of `type` of its own: what no viewer of example-ltd may see or touch. Its cycle id.
 */
export async function otherProgrammeCycle(
  w: MemoryWorld,
  type: 'quarterly' | 'semiannual' = 'quarterly',
): Promise<string> {
  const current = (await w.repo.getCurrentProgramme('example-ltd'))!;
  const otherDoc = structuredClone(current.document) as { organisation: { id: string } };
  otherDoc.organisation.id = 'other-ltd';
  await w.repo.saveProgrammeVersion({
    ...current,
    programmeId: 'other-ltd',
    version: 1,
    document: otherDoc,
    hash: canonicalHash(otherDoc),
  });
  const otherId = cycleIdFor(type, new Date('2027-03-01T10:00:00Z'));
  await openCycle(w.deps, {
    executionName: otherId,
    request: { programmeId: 'other-ltd', type, meetingAt: MEETING },
  });
  return otherId;
}
