/**
 * The web app: a Hono router of server-rendered pages, for the people who do not live in a
 * terminal. It runs on Lambda (behind an API Gateway HTTP API) and locally through
 * @hono/node-server (`npm start`); `createWebApp(deps)` builds it from the same dependencies the
 * CLI and the functions use, so every form goes through the same use case as its CLI command or
 * email.
 *
 * Rules every route keeps:
 * - every response carries the security headers (a strict Content-Security-Policy: no script, styles
 *   from /static/ only; nosniff; no referrer; no framing); signed-in pages are never cached;
 * - anonymous requests to anything but the sign-in pages and /static/ get 303 to /sign-in, and no data;
 * - the session is a signed cookie (HttpOnly, Secure, SameSite=Lax, Path=/), checked against the
 *   current programme at every request; every POST carries the CSRF token of its session (or of the
 *   sign-in page) and is refused without it;
 * - every read and change is asked of `can(viewer, action, resource)` first (403 when refused);
 *   ids in URLs are checked with the model's schemas, and a cycle of another programme is a 404;
 * - a GET never changes anything (a sign-in link shows a button; the POST redeems it).
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Clock } from '#shared/clock.ts';
import { MeetingCannotMove, moveMeeting } from '#shared/cycle/meeting.ts';
import { CycleNotTakingInputs, InputNotRequested, NotOwnerOrDelegate } from '#shared/cycle/submit-input.ts';
import { INPUT_TEMPLATE_HELP, renderInputBlocks } from '#shared/mail/reply-format.ts';
import type { Mailer, Outbox } from '#shared/mail/outbox.ts';
import { zoneInWords } from '#shared/mail/templates/format.ts';
import { InputKey } from '#shared/model/common.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { CycleId } from '#shared/model/ids.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { currentProgramme } from '#shared/store/stored-programme.ts';
import type { WorkflowPort } from '#shared/store/workflow.ts';
import type { EvidenceSource } from '#shared/evidence/export-source.ts';
import { answerInputOnWeb, MAX_ANSWER_CHARS } from '#shared/web/answer.ts';
import { can, type WebAction, type WebResource } from '#shared/web/authorise.ts';
import type { WebNotifier } from '#shared/web/notifier.ts';
import {
  CsrfRejected,
  Forbidden,
  NotInProgramme,
  SessionInvalid,
  SignInLinkInvalid,
  TooManySignInRequests,
} from '#shared/web/errors.ts';
import { BadLocalTime, utcOfLocal } from '#shared/web/local-time.ts';
import {
  checkCsrf,
  checkPreSessionCsrf,
  csrfToken,
  MAX_SESSION_HOURS,
  newPreSessionNonce,
  openSession,
  preSessionCsrfToken,
  PRE_SESSION_COOKIE,
  sealSession,
  SESSION_COOKIE,
  type Session,
  type SessionKeys,
} from '#shared/web/session.ts';
import { isSignInSecret, redeemSignIn, requestSignIn, viewerOfSession } from '#shared/web/sign-in.ts';
import type { Viewer } from '#shared/web/viewer.ts';
import {
  actionRegister,
  BadFilter,
  listCycles,
  managerStart,
  ownerStart,
  packageVersions,
  parseActionFilter,
  todayIn,
  topManagementStart,
  type ActionFilter,
} from '#shared/web/views.ts';
import { DateTime } from 'luxon';
import * as z from 'zod';
import {
  actionsPage,
  answerPage,
  confirmationPage,
  cyclePage,
  messagePage,
  redeemPage,
  signInPage,
  signInSentPage,
  startPage,
  type PageContext,
  type StartData,
} from './pages.ts';
import { raw } from './html.ts';
import { APP_CSS } from './style.ts';
import { registerReviewRoutes } from './routes/review.ts';
import { registerManageRoutes, type ManageParts } from './routes/manage.ts';

/** The Content-Security-Policy of every response: nothing runs, styles come from this origin only. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The largest form body accepted (an answer is at most MAX_ANSWER_CHARS characters). */
export const MAX_BODY_BYTES = 128 * 1024;

/** `ManageParts`: what the ISMS manager's actions need besides (web/routes/kit.ts). */
export interface WebAppDeps extends ManageParts {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  /** Sends sign-in links (SES). */
  readonly mailer: Mailer;
  /** Sends the confirmation of an answer given in the form. */
  readonly outbox: Pick<Outbox, 'sendOnce'>;
  /** Sends updated invitations when the meeting moves, and what an action's change calls for. */
  readonly notifier: WebNotifier;
  /** Resumes the workflow when the last input arrives. */
  readonly workflow: WorkflowPort;
  /** What a cycle's evidence bundle is read from; its evidence store serves the package and minutes files. */
  readonly evidenceSource: EvidenceSource;
  /** The programme this web app serves. */
  readonly programmeId: string;
  /** Where the app is reached, for the links in sign-in mail, e.g. https://review.example.com. */
  readonly baseUrl: string;
  /** The HMAC keys of sessions and CSRF tokens, derived from the reply keyring (deriveSessionKeys). */
  readonly sessionKeys: SessionKeys;
  /** The requester's network address, for the sign-in rate limit; default `unknown` (one shared limit). */
  readonly clientAddress?: (c: Context) => string;
}

type Env = { Variables: { session: Session; viewer: Viewer; programme: Programme } };

/** A page of something that is not there (or not of this programme). */
class PageNotFound extends Error {
  override name = 'PageNotFound' as const;
}

const isPublic = (path: string) =>
  path === '/sign-in' || path.startsWith('/sign-in/') || path.startsWith('/static/');

export function createWebApp(deps: WebAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const key = deps.sessionKeys;
  const clientOf = (c: Context) => deps.clientAddress?.(c) ?? 'unknown';

  // ---------------------------------------------------------------- every response
  app.use('*', async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'no-referrer');
    headers.set('X-Frame-Options', 'DENY');
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.req.path.startsWith('/static/')) headers.set('Cache-Control', 'no-store');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.html(
          messagePage({
            title: 'Too much text',
            message: `The form sent more than ${MAX_BODY_BYTES / 1024} KB: shorten it and send it again. Nothing was recorded.`,
          }),
          413,
        ),
    }),
  );

  // ---------------------------------------------------------------- sign-in gate
  app.use('*', async (c, next) => {
    if (isPublic(c.req.path)) return next();
    let session: Session;
    let viewer: Viewer;
    try {
      session = openSession(key, getCookie(c, SESSION_COOKIE), deps.clock.now());
      // Signed, not stored: a session signed out before it expired is on record as ended.
      if (await deps.repo.sessionEnded(session.id)) throw new SessionInvalid('this session was signed out');
      viewer = await viewerOfSession(deps, session);
    } catch (error) {
      if (!(error instanceof SessionInvalid) && !(error instanceof NotInProgramme)) throw error;
      if (getCookie(c, SESSION_COOKIE) !== undefined) deleteCookie(c, SESSION_COOKIE, cookieBase);
      return c.redirect('/sign-in', 303);
    }
    const { programme } = await currentProgramme(deps.repo, deps.programmeId);
    c.set('session', session);
    c.set('viewer', viewer);
    c.set('programme', programme);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      checkCsrf(key, session, form._csrf);
    }
    return next();
  });

  const pageOf = (c: Context<Env>): PageContext => ({
    viewer: c.get('viewer'),
    programme: c.get('programme'),
    csrf: csrfToken(key, c.get('session')),
  });

  const demand = (c: Context<Env>, action: WebAction, resource: WebResource): void => {
    if (!can(c.get('viewer'), action, resource)) {
      throw new Forbidden('you may not see or do this: ask the ISMS manager if you think you should');
    }
  };

  // ---------------------------------------------------------------- errors
  app.onError((error, c) => {
    const page = c.get('session') && c.get('viewer') && c.get('programme') ? pageOf(c) : undefined;
    const answer = (status: 400 | 403 | 404 | 410 | 429 | 500, title: string, message: string) =>
      c.html(messagePage({ title, message, ...(page ? { page } : {}) }), status);
    if (error instanceof CsrfRejected)
      return answer(403, 'Form refused', `${error.message}. Nothing was changed.`);
    if (error instanceof Forbidden) return answer(403, 'Not allowed', `${capital(error.message)}.`);
    if (error instanceof PageNotFound) return answer(404, 'Not found', `${capital(error.message)}.`);
    if (error instanceof BadFilter) {
      return answer(400, 'Cannot read the request', `${capital(error.message)}. Nothing was changed.`);
    }
    if (error instanceof TooManySignInRequests)
      return answer(429, 'Too many requests', `${capital(error.message)}.`);
    console.error(`web: ${error.name}: ${error.message}`);
    return answer(
      500,
      'Something went wrong',
      'The page could not be shown. Nothing was changed; try again in a minute, and tell the ISMS manager if it goes on.',
    );
  });
  app.notFound((c) =>
    c.html(
      messagePage({
        title: 'Not found',
        message: 'There is no such page.',
        ...(c.get('session') && c.get('viewer') ? { page: pageOf(c) } : {}),
      }),
      404,
    ),
  );

  // ---------------------------------------------------------------- static
  app.get('/static/app.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(APP_CSS);
  });

  // ---------------------------------------------------------------- sign-in
  /** The nonce of forms shown before sign-in (a new one when none or a malformed one is kept). */
  const preSessionNonce = (c: Context): string => {
    const kept = getCookie(c, PRE_SESSION_COOKIE);
    if (kept && /^[A-Za-z0-9_-]{22}$/.test(kept)) return kept;
    const nonce = newPreSessionNonce();
    setCookie(c, PRE_SESSION_COOKIE, nonce, { ...cookieBase, maxAge: 3600 });
    return nonce;
  };

  app.get('/sign-in', (c) => c.html(signInPage({ csrf: preSessionCsrfToken(key, preSessionNonce(c)) })));

  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const nonce = getCookie(c, PRE_SESSION_COOKIE);
    checkPreSessionCsrf(key, nonce, form._csrf);
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const valid = email.length <= 254 && z.email().safeParse(email).success;
    if (!valid) {
      return c.html(
        signInPage({
          csrf: preSessionCsrfToken(key, preSessionNonce(c)),
          email: email.slice(0, 254),
          error: 'That is not an email address: write it as name@example.com.',
        }),
        400,
      );
    }
    await requestSignIn(deps, { email, client: clientOf(c) });
    // The same page whoever asked: nobody learns here who takes part.
    return c.html(signInSentPage());
  });

  app.get('/sign-in/:secret', (c) => {
    const secret = c.req.param('secret');
    if (!isSignInSecret(secret)) {
      return c.html(
        messagePage({
          title: 'Link not valid',
          message:
            'This sign-in link is not valid: copy the whole link from the email, or ask for a new one.',
          next: signInAgain,
        }),
        400,
      );
    }
    return c.html(redeemPage({ csrf: preSessionCsrfToken(key, preSessionNonce(c)), secret }));
  });

  app.post('/sign-in/:secret', async (c) => {
    const form = await c.req.parseBody();
    checkPreSessionCsrf(key, getCookie(c, PRE_SESSION_COOKIE), form._csrf);
    try {
      const { session } = await redeemSignIn(deps, c.req.param('secret'));
      setCookie(c, SESSION_COOKIE, sealSession(key, session), {
        ...cookieBase,
        maxAge: Math.min(MAX_SESSION_HOURS * 3600, Math.floor((session.expiresAt - session.issuedAt) / 1000)),
      });
      deleteCookie(c, PRE_SESSION_COOKIE, cookieBase);
      return c.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof SignInLinkInvalid) && !(error instanceof NotInProgramme)) throw error;
      return c.html(
        messagePage({ title: 'Cannot sign in', message: `${capital(error.message)}.`, next: signInAgain }),
        error instanceof SignInLinkInvalid && error.reason !== 'unknown' ? 410 : 400,
      );
    }
  });

  app.post('/sign-out', async (c) => {
    // Ended on record too, so that a copy of the cookie no longer signs anyone in.
    const session = c.get('session');
    await deps.repo.endSession(
      session.id,
      new Date(session.expiresAt).toISOString(),
      deps.clock.now().toISOString(),
    );
    deleteCookie(c, SESSION_COOKIE, cookieBase);
    return c.redirect('/sign-in', 303);
  });

  // ---------------------------------------------------------------- start
  app.get('/', async (c) => {
    const viewer = c.get('viewer');
    const programme = c.get('programme');
    demand(c, 'view-start', { kind: 'programme', programmeId: programme.organisation.id });
    const now = deps.clock.now();
    const data: StartData = {
      today: todayIn(programme, now),
      ...(viewer.roles.has('isms-manager') ? { manager: await managerStart(deps.repo, programme, now) } : {}),
      ...(viewer.roles.has('top-management')
        ? { top: await topManagementStart(deps.repo, programme, viewer) }
        : {}),
      ...(viewer.roles.has('owner') ? { owner: await ownerStart(deps.repo, programme, viewer) } : {}),
      ...(viewer.roles.has('auditor')
        ? { auditor: { cycles: await listCycles(deps.repo, programme.organisation.id) } }
        : {}),
    };
    return c.html(startPage(pageOf(c), data));
  });

  // ---------------------------------------------------------------- a cycle
  /** The cycle a URL names, of this programme; PageNotFound otherwise (another programme's too). */
  const cycleOf = async (c: Context<Env>): Promise<Cycle> => {
    const id = c.req.param('id') ?? '';
    if (id.length > 64 || !CycleId.safeParse(id).success) {
      throw new PageNotFound('there is no such review cycle: cycle ids look like C-20270301T0900Z-Q');
    }
    const cycle = await deps.repo.getCycle(id);
    if (!cycle || cycle.programmeId !== c.get('programme').organisation.id) {
      throw new PageNotFound('there is no such review cycle');
    }
    return cycle;
  };

  const cycleResource = async (cycle: Cycle): Promise<WebResource & { kind: 'cycle' }> => {
    const [requests, actions] = await Promise.all([
      deps.repo.listInputRequests(cycle.id),
      deps.repo.listActionsOfCycle(cycle.id),
    ]);
    return {
      kind: 'cycle',
      programmeId: cycle.programmeId,
      involved: [
        ...requests.flatMap((r) => (r.ownerId ? [r.ownerId] : [])),
        ...actions.map((a) => a.ownerId),
      ],
    };
  };

  const renderCycle = async (
    c: Context<Env>,
    cycle: Cycle,
    meeting?: { error?: string; moved?: boolean },
    status: 200 | 400 = 200,
  ) => {
    const viewer = c.get('viewer');
    const programme = c.get('programme');
    const resource = await cycleResource(cycle);
    demand(c, 'view-cycle', resource);
    const records = await deps.repo.getCycleRecords(cycle.id);
    if (!records) throw new PageNotFound('there is no such review cycle');
    const now = deps.clock.now();
    const zone = programme.organisation.timeZone;
    const answerable = new Set(
      records.inputRequests
        .filter((r) =>
          can(viewer, 'answer-input', {
            kind: 'input',
            programmeId: r.programmeId,
            ownerId: r.ownerId,
            automatic: r.automatic,
          }),
        )
        .map((r) => r.inputKey),
    );
    return c.html(
      cyclePage(pageOf(c), {
        cycle: records.cycle,
        requests: records.inputRequests,
        packages: packageVersions(records.events),
        ...(records.minutes?.length ? { minutes: records.minutes.at(-1)! } : {}),
        actions: records.actions,
        today: todayIn(programme, now),
        now: now.getTime(),
        ...(can(viewer, 'view-timeline', resource) ? { events: records.events } : {}),
        ...(can(viewer, 'move-meeting', resource)
          ? {
              meetingForm: {
                value:
                  DateTime.fromISO(records.cycle.plannedMeetingAt, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") ??
                  '',
                zoneWords: zoneInWords(zone),
                ...(meeting ?? {}),
              },
            }
          : {}),
        answerable,
      }),
      status,
    );
  };

  app.get('/cycles/:id', async (c) => renderCycle(c, await cycleOf(c)));

  app.post('/cycles/:id/meeting', async (c) => {
    const cycle = await cycleOf(c);
    demand(c, 'move-meeting', await cycleResource(cycle));
    const form = await c.req.parseBody();
    const text = typeof form.meeting === 'string' ? form.meeting : '';
    const zone = c.get('programme').organisation.timeZone;
    try {
      if (text.length > 40)
        throw new BadLocalTime('the new meeting time is not a date and time; expected yyyy-mm-dd HH:MM');
      const meetingAt = utcOfLocal(text, zone);
      await moveMeeting(deps, { cycleId: cycle.id, meetingAt, by: c.get('viewer').person.id });
    } catch (error) {
      if (!(error instanceof BadLocalTime) && !(error instanceof MeetingCannotMove)) throw error;
      return renderCycle(c, cycle, { error: `${capital(error.message)}. The meeting was not moved.` }, 400);
    }
    return renderCycle(c, (await deps.repo.getCycle(cycle.id)) ?? cycle, { moved: true });
  });

  // ---------------------------------------------------------------- answering an input
  const requestOf = async (c: Context<Env>, cycle: Cycle) => {
    const raw = c.req.param('key') ?? '';
    if (raw.length > 8 || !InputKey.safeParse(raw).success) {
      throw new PageNotFound('there is no such input: input keys look like b, d1 or g');
    }
    const request = await deps.repo.getInputRequest(cycle.id, raw);
    if (!request) throw new PageNotFound(`input ${raw} is not asked in this review`);
    demand(c, 'answer-input', {
      kind: 'input',
      programmeId: request.programmeId,
      ownerId: request.ownerId,
      automatic: request.automatic,
    });
    return request;
  };

  const blockOf = (r: { inputKey: string; title: string; periodCovered: { from: string; to: string } }) =>
    renderInputBlocks([{ key: r.inputKey, title: r.title, period: r.periodCovered }]);

  app.get('/cycles/:id/inputs/:key', async (c) => {
    const cycle = await cycleOf(c);
    const request = await requestOf(c, cycle);
    return c.html(
      answerPage(pageOf(c), {
        cycle,
        request,
        help: INPUT_TEMPLATE_HELP.slice(1),
        text: blockOf(request),
        ...(cycle.status === 'active' ? {} : { closed: 'This review takes no more inputs.' }),
      }),
    );
  });

  app.post('/cycles/:id/inputs/:key', async (c) => {
    const cycle = await cycleOf(c);
    const request = await requestOf(c, cycle);
    const form = await c.req.parseBody();
    const text = typeof form.answer === 'string' ? form.answer : '';
    const page = pageOf(c);
    const again = (problems: { where?: string; problem: string }[], status: 400 | 409 = 400) =>
      c.html(
        answerPage(page, {
          cycle,
          request,
          help: INPUT_TEMPLATE_HELP.slice(1),
          text: text.slice(0, MAX_ANSWER_CHARS),
          problems,
        }),
        status,
      );
    if (text.length > MAX_ANSWER_CHARS) {
      return again([
        {
          problem: `the answer is ${text.length} characters long; the form takes at most ${MAX_ANSWER_CHARS}: shorten it`,
        },
      ]);
    }
    if (text.trim() === '') return again([{ problem: 'the answer is empty: fill in the block and send it' }]);
    try {
      const answered = await answerInputOnWeb(deps, {
        cycle,
        programme: c.get('programme'),
        viewer: c.get('viewer'),
        inputKey: request.inputKey,
        text,
      });
      if (!answered.ok) return again(answered.problems);
      return c.html(
        confirmationPage(page, {
          cycle,
          ...answered.confirmation,
          receivedAt: answered.result.submission.receivedAt,
        }),
      );
    } catch (error) {
      if (
        error instanceof CycleNotTakingInputs ||
        error instanceof InputNotRequested ||
        error instanceof NotOwnerOrDelegate
      ) {
        return again([{ problem: error.message }], 409);
      }
      throw error;
    }
  });

  // ---------------------------------------------------------------- the action register
  app.get('/actions', async (c) => {
    const viewer = c.get('viewer');
    const programme = c.get('programme');
    const all = can(viewer, 'view-all-actions', {
      kind: 'programme',
      programmeId: programme.organisation.id,
    });
    const now = deps.clock.now();
    let filter: ActionFilter;
    let error: string | undefined;
    try {
      filter = parseActionFilter(c.req.query());
    } catch (problem) {
      if (!(problem instanceof BadFilter)) throw problem;
      filter = {};
      error = `${capital(problem.message)}; showing every action instead.`;
    }
    const actions = await actionRegister(deps.repo, programme, viewer, { all, filter, now });
    return c.html(
      actionsPage(pageOf(c), {
        actions,
        filter,
        all,
        today: todayIn(programme, now),
        ...(error ? { error } : {}),
      }),
      error ? 400 : 200,
    );
  });

  // ---------------------------------------------------------------- the review's record
  registerReviewRoutes(app, { deps, cycleOf, cycleResource, demand, pageOf });

  // ---------------------------------------------------------------- the ISMS manager's actions, action owners' forms
  registerManageRoutes(app, deps, { demand, pageOf });

  return app;
}

/** Every cookie of the app: HttpOnly, Secure, SameSite=Lax, Path=/. */
const cookieBase = { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' } as const;

const signInAgain = raw('<p><a href="/sign-in">Ask for a new sign-in link</a></p>');

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
