/**
 * Sign-in by emailed link. A programme member asks at the sign-in page (or the ISMS manager runs
 * `isms-review web sign-in <email>`); a link with 32 random bytes is emailed to them. Only the
 * SHA-256 of the secret is stored, with a 15-minute expiry and a time to live; the link signs in
 * once (a conditional write). Whoever asks, the page answers the same: nobody learns from it who
 * is in the programme. Requests are limited per address and per client, members or not.
 *
 * The link's mail goes out through the same mailer (SES) as every notice, but not through the
 * cycle outbox: that keeps a copy of every message in the evidence bucket, and a live sign-in link
 * has no place in evidence.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { composeMessage } from '../mail/compose.ts';
import type { Mailer } from '../mail/outbox.ts';
import { escapeHtml } from '../mail/html.ts';
import { formatDateTime } from '../mail/templates/format.ts';
import { SIGN_IN_LINK_MINUTES, type SignInToken } from '../model/sign-in-token.ts';
import type { Person, Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { currentProgramme } from '../store/stored-programme.ts';
import { NotInProgramme, SignInLinkInvalid, TooManySignInRequests } from './errors.ts';
import { newSession, type Session } from './session.ts';
import { memberByEmail, viewerOf, type Viewer } from './viewer.ts';

/** Sign-in links one address may be sent in an hour. */
export const LINKS_PER_ADDRESS_PER_HOUR = 5;
/** Sign-in requests one client (network address) may make in an hour. */
export const REQUESTS_PER_CLIENT_PER_HOUR = 30;

export interface SignInDeps {
  readonly repo: Pick<
    ReviewRepository,
    | 'getCurrentProgramme'
    | 'saveSignInToken'
    | 'getSignInToken'
    | 'redeemSignInToken'
    | 'consumeDailyQuota'
    | 'listActionsByOwner'
  >;
  readonly clock: Clock;
  readonly mailer: Mailer;
  /** The programme this web app serves. */
  readonly programmeId: string;
  /** Where the web app is, e.g. `https://review.example.com` (no trailing slash needed). */
  readonly baseUrl: string;
}

export type SignInRequestResult =
  | { readonly issued: true; readonly url: string; readonly person: Person; readonly expiresAt: string }
  | { readonly issued: false };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The secret of a sign-in link: 32 random bytes, base64url (43 characters). */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The link path of a secret. */
export const signInPath = (secret: string) => `/sign-in/${secret}`;

/** Whether text looks like a link's secret (before any lookup). */
export const isSignInSecret = (text: string) => SECRET.test(text);

/** The viewer a person is now (roles from the current programme), or undefined when they have none. */
export async function currentViewer(
  deps: Pick<SignInDeps, 'repo' | 'clock' | 'programmeId'>,
  personId: string,
  programme?: Programme,
): Promise<Viewer | undefined> {
  const current = programme ?? (await currentProgramme(deps.repo, deps.programmeId)).programme;
  if (!current.people.some((p) => p.id === personId)) return undefined;
  const owned = await deps.repo.listActionsByOwner(deps.programmeId, personId);
  return viewerOf(current, personId, { now: deps.clock.now(), ownsActions: owned.length > 0 });
}

/** Counts one request against an hourly window (the store's daily counters, one per hour). */
async function withinLimit(
  deps: Pick<SignInDeps, 'repo' | 'clock'>,
  what: string,
  who: string,
  limit: number,
): Promise<boolean> {
  const now = deps.clock.now().toISOString();
  const scope = `web-sign-in-${what}-${sha256(who).slice(0, 32)}-h${now.slice(11, 13)}`;
  return deps.repo.consumeDailyQuota(scope, now.slice(0, 10), 1, limit);
}

/**
 * Issues and emails a sign-in link to `email` if it is a programme member's. TooManySignInRequests
 * when the client or the address has asked too often this hour (members and strangers alike, so
 * the limit tells nothing either). `client`: the requester's network address, or `cli`.
 */
export async function requestSignIn(
  deps: SignInDeps,
  request: { email: string; client: string },
): Promise<SignInRequestResult> {
  const email = request.email.trim().toLowerCase();
  if (!(await withinLimit(deps, 'client', request.client, REQUESTS_PER_CLIENT_PER_HOUR))) {
    throw new TooManySignInRequests(
      'too many sign-in requests came from your network in the last hour: wait an hour and try again',
    );
  }
  if (!(await withinLimit(deps, 'address', email, LINKS_PER_ADDRESS_PER_HOUR))) {
    throw new TooManySignInRequests(
      'too many sign-in links were asked for this address in the last hour: use the latest one, or wait an hour',
    );
  }
  const { programme } = await currentProgramme(deps.repo, deps.programmeId);
  const person = memberByEmail(programme, email);
  const viewer = person && (await currentViewer(deps, person.id, programme));
  if (!person || !viewer) return { issued: false };

  const secret = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const token: SignInToken = {
    tokenHash: sha256(secret),
    programmeId: deps.programmeId,
    personId: person.id,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000).toISOString(),
  };
  await deps.repo.saveSignInToken(token);
  const url = `${deps.baseUrl.replace(/\/+$/, '')}${signInPath(secret)}`;
  const mail = signInMail({ programme, person, url, expiresAt: token.expiresAt, timeZone: viewer.timeZone });
  const composed = await composeMessage({
    from: { name: `${programme.organisation.name} management review`, address: programme.mail.fromAddress },
    to: [{ name: person.name, address: person.email }],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    date: now,
  });
  await deps.mailer.sendRaw(composed.raw, { tags: { purpose: 'web-sign-in' } });
  return { issued: true, url, person, expiresAt: token.expiresAt };
}

/** The sign-in mail: plain words, the link, when it stops working. */
export function signInMail(args: {
  programme: Programme;
  person: Person;
  url: string;
  expiresAt: string;
  timeZone: string;
}): { subject: string; text: string; html: string } {
  const organisation = args.programme.organisation.name;
  const until = formatDateTime(args.expiresAt, args.timeZone);
  const subject = `Your sign-in link for the ${organisation} management review`;
  const lines = [
    `Dear ${args.person.name},`,
    '',
    `You asked to sign in to the ${organisation} management review. Open this link to sign in:`,
    '',
    args.url,
    '',
    `The link works once, until ${until}. If it has expired, ask for a new one on the sign-in page.`,
    '',
    'If you did not ask for it, you can ignore this email: nobody can sign in as you without this link.',
  ];
  const html =
    `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px">` +
    `<p>Dear ${escapeHtml(args.person.name)},</p>` +
    `<p>You asked to sign in to the ${escapeHtml(organisation)} management review.</p>` +
    `<p><a href="${escapeHtml(args.url)}">Sign in to the management review</a></p>` +
    `<p>The link works once, until ${escapeHtml(until)}. If it has expired, ask for a new one on the sign-in page.</p>` +
    `<p>If you did not ask for it, you can ignore this email: nobody can sign in as you without this link.</p>` +
    `</body></html>`;
  return { subject, text: `${lines.join('\n')}\n`, html };
}

/**
 * Redeems a link's secret: a new session for its person, once. SignInLinkInvalid when the link is
 * unknown, used already or expired; NotInProgramme when its person has left the programme since.
 */
export async function redeemSignIn(
  deps: Pick<SignInDeps, 'repo' | 'clock' | 'programmeId'>,
  secret: string,
): Promise<{ session: Session; viewer: Viewer }> {
  const unknown = new SignInLinkInvalid(
    'unknown',
    'this sign-in link is not valid: copy the whole link from the email, or ask for a new one',
  );
  if (!isSignInSecret(secret)) throw unknown;
  const hash = sha256(secret);
  const now = deps.clock.now();
  const token = await deps.repo.redeemSignInToken(hash, now.toISOString());
  if (!token) {
    const stored = await deps.repo.getSignInToken(hash);
    if (!stored || stored.programmeId !== deps.programmeId) throw unknown;
    if (stored.usedAt) {
      throw new SignInLinkInvalid('used', 'this sign-in link was used already: ask for a new one');
    }
    throw new SignInLinkInvalid(
      'expired',
      `this sign-in link has expired (links work for ${SIGN_IN_LINK_MINUTES} minutes): ask for a new one`,
    );
  }
  if (token.programmeId !== deps.programmeId) throw unknown;
  const viewer = await currentViewer(deps, token.personId);
  if (!viewer) {
    throw new NotInProgramme(
      'you are no longer part of this management review: ask the ISMS manager if you should be',
    );
  }
  return { session: newSession({ personId: token.personId, programmeId: deps.programmeId, now }), viewer };
}

/** The viewer of a session, checked against the current programme (NotInProgramme when gone). */
export async function viewerOfSession(
  deps: Pick<SignInDeps, 'repo' | 'clock' | 'programmeId'>,
  session: Session,
): Promise<Viewer> {
  const viewer =
    session.programmeId === deps.programmeId ? await currentViewer(deps, session.personId) : undefined;
  if (!viewer) {
    throw new NotInProgramme(
      'you are no longer part of this management review: ask the ISMS manager if you should be',
    );
  }
  return viewer;
}
