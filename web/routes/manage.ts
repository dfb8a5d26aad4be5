/**
 * The ISMS manager's actions in the web app and the action owners' forms, registered on the app with
 * one call (`registerManageRoutes`), each through the use case its CLI command calls, so it is
 * checked and logged the same way:
 *
 * | route                             | like                      | use case                           |
 * | --------------------------------- | ------------------------- | ---------------------------------- |
 * | GET  /held-mail                   | `mail held`               | listHeldMail (shared/ingest)       |
 * | POST /held-mail/:id/release       | `mail release`            | heldMailReleaser (releaseHeldMail) |
 * | GET, POST /start-cycle            | `cycle start`             | startCycle (shared/cycle/start)    |
 * | GET  /actions/:id, POST .../:form | `action ...`, DONE etc.   | changeAction (routes/action.ts)    |
 *
 * Every POST already carries the session's CSRF token (checked by the app's gate); every change
 * answers 303 to a page that says what was done (POST, redirect, GET), every refusal 400 (or 409 for
 * a period that already has its cycle) with what is wrong, having changed nothing.
 */
import type { Context, Hono } from 'hono';
import { startCycle } from '#shared/cycle/start.ts';
import { listHeldMail } from '#shared/ingest/held-list.ts';
import {
  HeldMailAlreadyReleased,
  HeldMailNotFound,
  InvalidRelease,
  ReleaseNotRecorded,
} from '#shared/ingest/release.ts';
import { zoneInWords } from '#shared/mail/templates/format.ts';
import { CycleId } from '#shared/model/ids.ts';
import { plannedCycles } from '#shared/programme/schedule.ts';
import { HeldMailId, type HeldMail } from '#shared/store/held-mail.ts';
import { FormProblems, startChoice, type FormFields } from '#shared/web/manage-forms.ts';
import { heldMailPage, startCyclePage, type StartCyclePageData } from '../pages/manage.ts';
import { registerActionRoutes } from './action.ts';
import { manageKit, NotFoundHere, type ManageDeps, type ManageKit, type WebEnv } from './kit.ts';

export type { ManageParts } from './kit.ts';

/** The held messages the page lists: those of no cycle or of one of this programme's cycles. */
async function ofProgramme(deps: ManageDeps, programmeId: string, held: readonly HeldMail[]) {
  const cycleIds = [...new Set(held.flatMap((h) => (h.cycleId ? [h.cycleId] : [])))];
  const cycles = await Promise.all(cycleIds.map((id) => deps.repo.getCycle(id)));
  const ours = new Set(cycles.flatMap((cycle) => (cycle?.programmeId === programmeId ? [cycle.id] : [])));
  return held.filter((h) => !h.cycleId || ours.has(h.cycleId));
}

function registerHeldMail(app: Hono<WebEnv>, deps: ManageDeps, kit: ManageKit): void {
  const programmeOf = (c: Context<WebEnv>) =>
    ({ kind: 'programme', programmeId: c.get('programme').organisation.id }) as const;

  const list = async (c: Context<WebEnv>, options: { days: number; all: boolean }) =>
    ofProgramme(
      deps,
      c.get('programme').organisation.id,
      await listHeldMail(
        { repo: deps.repo, clock: deps.clock },
        { ...options, status: options.all ? 'all' : 'held' },
      ),
    );

  app.get(
    '/held-mail',
    kit.guard(async (c) => {
      kit.demand(c, 'release-held-mail', programmeOf(c));
      const query = c.req.query();
      const problems: string[] = [];
      let days = 30;
      if (query.days !== undefined && query.days !== '') {
        const n = /^\d{1,3}$/.test(query.days) ? Number(query.days) : Number.NaN;
        if (n >= 1 && n <= 400) days = n;
        else problems.push('Days: a whole number of days from 1 to 400; showing the last 30 days');
      }
      const all = query.all === 'yes';
      if (query.all !== undefined && query.all !== '' && !all) {
        problems.push('Which: "yes" shows released messages too; showing the held ones');
      }
      let released: HeldMail | undefined;
      if (query.released !== undefined) {
        const id = query.released;
        const found =
          id.length <= 64 && HeldMailId.safeParse(id).success
            ? await deps.repo.getHeldMessage(id)
            : undefined;
        const mine = found
          ? (await ofProgramme(deps, c.get('programme').organisation.id, [found]))[0]
          : undefined;
        if (mine?.status === 'released') released = mine;
        else problems.push('released names no message released here');
      }
      const held = await list(c, { days, all });
      return c.html(
        heldMailPage(kit.pageOf(c), { held, days, all, ...(released ? { released } : {}), problems }),
        problems.length > 0 ? 400 : 200,
      );
    }),
  );

  app.post(
    '/held-mail/:id/release',
    kit.guard(async (c) => {
      kit.demand(c, 'release-held-mail', programmeOf(c));
      const id = c.req.param('id') ?? '';
      const programmeId = c.get('programme').organisation.id;
      const found =
        id.length <= 64 && HeldMailId.safeParse(id).success ? await deps.repo.getHeldMessage(id) : undefined;
      if (!found || (await ofProgramme(deps, programmeId, [found])).length === 0) {
        throw new NotFoundHere(
          'there is no such held message (held mail is kept 90 days): held message ids look like H-20270301T090000Z-0123456789abcdef',
        );
      }
      try {
        await deps.heldMailReleaser.release(found.id, c.get('viewer').person.id);
      } catch (error) {
        if (
          error instanceof HeldMailAlreadyReleased ||
          error instanceof HeldMailNotFound ||
          error instanceof ReleaseNotRecorded ||
          error instanceof InvalidRelease
        ) {
          const held = await list(c, { days: 30, all: false });
          return c.html(
            heldMailPage(kit.pageOf(c), {
              held,
              days: 30,
              all: false,
              problems: [`${kit.capital(error.message)}. It stays as it was`],
            }),
            error instanceof HeldMailAlreadyReleased ? 409 : 400,
          );
        }
        throw error;
      }
      return c.redirect(`/held-mail?released=${found.id}`, 303);
    }),
  );
}

function registerStart(app: Hono<WebEnv>, deps: ManageDeps, kit: ManageKit): void {
  const programmeOf = (c: Context<WebEnv>) =>
    ({ kind: 'programme', programmeId: c.get('programme').organisation.id }) as const;

  const page = (c: Context<WebEnv>, extra: Partial<StartCyclePageData>, status: 200 | 400 | 409 = 200) => {
    const programme = c.get('programme');
    const next = plannedCycles(programme, deps.clock.now(), 1)[0];
    return c.html(
      startCyclePage(kit.pageOf(c), {
        reviews: programme.schedule.reviews.map((r) => ({ type: r.type, comprehensive: r.comprehensive })),
        ...(next ? { next: programme.schedule.reviews[next.reviewIndex]?.type } : {}),
        zoneWords: zoneInWords(programme.organisation.timeZone),
        ...extra,
      }),
      status,
    );
  };

  app.get(
    '/start-cycle',
    kit.guard(async (c) => {
      kit.demand(c, 'start-cycle', programmeOf(c));
      const started = c.req.query('started');
      if (started === undefined) return page(c, {});
      if (started.length > 64 || !CycleId.safeParse(started).success) {
        return page(c, { problems: ['started names no cycle: cycle ids look like C-20270301T0900Z-Q'] }, 400);
      }
      const cycle = await deps.repo.getCycle(started);
      if (cycle && cycle.programmeId !== c.get('programme').organisation.id) {
        return page(c, { problems: ['started names no cycle of this programme'] }, 400);
      }
      return page(c, {
        started: {
          cycleId: started,
          opened: cycle !== undefined,
          ...(cycle ? { meetingAt: cycle.plannedMeetingAt } : {}),
        },
      });
    }),
  );

  app.post(
    '/start-cycle',
    kit.guard(async (c) => {
      kit.demand(c, 'start-cycle', programmeOf(c));
      const programme = c.get('programme');
      const form = (await c.req.parseBody()) as FormFields;
      const values = {
        type: typeof form.type === 'string' ? form.type.slice(0, 40) : '',
        meeting: typeof form.meeting === 'string' ? form.meeting.slice(0, 40) : '',
      };
      const now = deps.clock.now();
      let choice;
      try {
        choice = startChoice(form, programme, now);
      } catch (error) {
        if (!(error instanceof FormProblems)) throw error;
        return page(c, { problems: error.problems, values }, 400);
      }
      const result = await startCycle(
        { starter: deps.starter, periods: deps.repo, now: () => deps.clock.now() },
        deps.env.STATE_MACHINE_ARN,
        {
          programmeId: programme.organisation.id,
          type: choice.review.type,
          comprehensive: choice.review.comprehensive,
          ...(choice.meetingAt ? { meetingAt: choice.meetingAt } : {}),
          requestedBy: `web:${c.get('viewer').person.id}`,
          scheduledTime: now.toISOString(),
        },
        programme,
      );
      if (result.existing || !result.started) {
        const cycle = await deps.repo.getCycle(result.cycleId);
        return page(c, { existing: { cycleId: result.cycleId, ...(cycle ? { cycle } : {}) }, values }, 409);
      }
      return c.redirect(`/start-cycle?started=${result.cycleId}`, 303);
    }),
  );
}

/** Registers the routes of this folder on the app, with the app's `pageOf` and `demand`. */
export function registerManageRoutes(
  app: Hono<WebEnv>,
  deps: ManageDeps,
  helpers: Pick<ManageKit, 'pageOf' | 'demand'>,
): void {
  const kit = manageKit(helpers);
  registerHeldMail(app, deps, kit);
  registerStart(app, deps, kit);
  registerActionRoutes(app, deps, kit);
}
