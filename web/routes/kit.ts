/**
 * What the routes of web/routes/ share with web/app.ts: the request's variables (the session, the
 * viewer, the programme, set by the sign-in gate), the dependencies they use beyond the app's own,
 * and the app's helpers (the page context with its CSRF token, `demand` asking `can()`), plus the
 * answers these routes give themselves: 404 for what is not there (or not of this programme), 400
 * for a request that does not read.
 */
import type { Context, Handler } from 'hono';
import type { Clock } from '#shared/clock.ts';
import type { Starter } from '#shared/cycle/start.ts';
import type { HeldMailReleaser } from '#shared/ingest/release.ts';
import type { Outbox } from '#shared/mail/outbox.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import type { WorkflowPort } from '#shared/store/workflow.ts';
import type { WebAction, WebResource } from '#shared/web/authorise.ts';
import type { WebNotifier } from '#shared/web/notifier.ts';
import type { Session } from '#shared/web/session.ts';
import type { Viewer } from '#shared/web/viewer.ts';
import { messagePage, type PageContext } from '../pages.ts';

/** What the sign-in gate sets on every signed-in request. */
export type WebEnv = { Variables: { session: Session; viewer: Viewer; programme: Programme } };

/**
 * What the ISMS manager's actions need besides the app's own dependencies: the starter and
 * STATE_MACHINE_ARN (`cycle start`), and the releaser of held mail (`mail release`), which runs the
 * inbound mail pipeline in process or asks the ingest function to (shared/ingest/release.ts).
 */
export interface ManageParts {
  /** Starts review cycles (StartExecution). */
  readonly starter: Starter;
  /** The environment contract, read when a start runs (STATE_MACHINE_ARN), as the schedule's target does. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Releases a held message through the pipeline. */
  readonly heldMailReleaser: HeldMailReleaser;
}

/** Everything the routes of this folder use. */
export interface ManageDeps extends ManageParts {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  readonly workflow: WorkflowPort;
  readonly notifier: WebNotifier;
  readonly outbox: Pick<Outbox, 'sendOnce'>;
}

/** Something a URL names is not there, or not of this programme: 404, saying so. */
export class NotFoundHere extends Error {
  override name = 'NotFoundHere' as const;
}

/** The app's helpers the routes use, and the answers they give themselves. */
export interface ManageKit {
  pageOf(c: Context<WebEnv>): PageContext;
  /** Forbidden (403, by the app) unless `can(viewer, action, resource)`. */
  demand(c: Context<WebEnv>, action: WebAction, resource: WebResource): void;
  /** A handler whose NotFoundHere answers 404 (the app's error handler answers the rest). */
  guard(handler: Handler<WebEnv>): Handler<WebEnv>;
  /** 400: the request does not read; nothing was changed. */
  badRequest(c: Context<WebEnv>, message: string): Response | Promise<Response>;
  capital(text: string): string;
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The kit on the app's `pageOf` and `demand`. */
export function manageKit(app: Pick<ManageKit, 'pageOf' | 'demand'>): ManageKit {
  return {
    ...app,
    capital,
    guard: (handler) => async (c, next) => {
      try {
        return await handler(c, next);
      } catch (error) {
        if (!(error instanceof NotFoundHere)) throw error;
        return c.html(
          messagePage({ title: 'Not found', message: `${capital(error.message)}.`, page: app.pageOf(c) }),
          404,
        );
      }
    },
    badRequest: (c, message) =>
      c.html(
        messagePage({
          title: 'Cannot read the request',
          message: `${capital(message)}.`,
          page: app.pageOf(c),
        }),
        400,
      ),
  };
}
