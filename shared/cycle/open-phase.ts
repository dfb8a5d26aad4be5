/**
 * Opening a review cycle: the start request as the workflow passes it, the cycle's dates (from the
 * programme's schedule, or around a meeting date given), and the cycle created with its input
 * requests, the open actions it carries over named in its first event.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { CycleId } from '../model/ids.ts';
import type { Cycle, CycleType } from '../model/cycle.ts';
import { UtcTimestamp, ProgrammeId } from '../model/common.ts';
import type { InputRequest } from '../model/input.ts';
import { snapshotRefOf } from '../model/programme-ref.ts';
import type { Programme } from '../programme/schema.ts';
import { programmeCatalogue } from '../programme/queries.ts';
import { cycleDates } from '../programme/schedule.ts';
import { AlreadyExists } from '../store/repository.ts';
import type { StoreDeps } from './ports.ts';
import { InvalidStartRequest, SYSTEM, iso, loadCycle, viewOf, type CycleView } from './cycle-state.ts';
import { currentProgramme } from '../store/stored-programme.ts';

export const OpenCycleRequest = z.strictObject({
  executionName: CycleId,
  request: z.looseObject({
    programmeId: z.optional(ProgrammeId),
    type: z.enum(['quarterly', 'semiannual', 'annual'], {
      error: 'expected type quarterly, semiannual or annual',
    }),
    comprehensive: z.optional(z.boolean()),
    /** Planned meeting (UTC); when absent, the programme's schedule decides from the opening time. */
    meetingAt: z.optional(UtcTimestamp),
    /** The scheduler's scheduled time: the opening time the schedule meant. */
    scheduledTime: z.optional(UtcTimestamp),
    requestedBy: z.optional(z.string()),
  }),
});
export type OpenCycleRequest = z.input<typeof OpenCycleRequest>;

const MONTHS_COVERED: Record<CycleType, number> = { quarterly: 3, semiannual: 6, annual: 12 };

function localDay(at: Date | string, zone: string): string {
  const dt = typeof at === 'string' ? DateTime.fromISO(at, { zone }) : DateTime.fromJSDate(at, { zone });
  return dt.toISODate()!;
}

export function planDates(
  programme: Programme,
  type: CycleType,
  opensAt: Date,
  meetingAt?: string,
): { inputsDueAt: string; packageSendAt: string; meetingAt: string } {
  if (!meetingAt) {
    const review = programme.schedule.reviews.find((r) => r.type === type) ?? programme.schedule.reviews[0]!;
    const dates = cycleDates(programme, review, opensAt);
    return { inputsDueAt: dates.inputsDueAt, packageSendAt: dates.packageSendAt, meetingAt: dates.meetingAt };
  }
  const zone = programme.organisation.timeZone;
  const meeting = DateTime.fromISO(meetingAt, { zone });
  const { inputsDueDaysBeforeMeeting, packageSentDaysBeforeMeeting } = programme.leadTimes;
  const notBefore = (candidate: DateTime, floor: DateTime) => (candidate < floor ? floor : candidate);
  const opened = DateTime.fromJSDate(opensAt, { zone });
  if (meeting <= opened) {
    throw new InvalidStartRequest(
      `the meeting (${meetingAt}) must be after the cycle opens (${iso(opensAt)})`,
    );
  }
  // Short notice: deadlines that would already have passed move up to the opening.
  const inputsDue = notBefore(meeting.minus({ days: inputsDueDaysBeforeMeeting }), opened);
  const packageSend = notBefore(meeting.minus({ days: packageSentDaysBeforeMeeting }), inputsDue);
  return {
    inputsDueAt: inputsDue.toUTC().toISO()!,
    packageSendAt: packageSend.toUTC().toISO()!,
    meetingAt: meeting.toUTC().toISO()!,
  };
}

/** Creates the cycle and its input requests; carries open actions into input (a). */
export async function openCycle(
  deps: StoreDeps,
  raw: unknown,
  defaults: { programmeId?: string } = {},
): Promise<CycleView> {
  const parsed = OpenCycleRequest.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidStartRequest(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const { executionName: cycleId, request } = parsed.data;
  const existing = await deps.repo.getCycle(cycleId);
  if (existing) return viewOf(existing);

  const programmeId = request.programmeId ?? defaults.programmeId;
  if (!programmeId) throw new InvalidStartRequest('no programme id: give programmeId or set PROGRAMME_ID');
  const { stored: version, programme } = await currentProgramme(deps.repo, programmeId);
  const now = deps.clock.now();
  const opensAt = request.scheduledTime ? new Date(request.scheduledTime) : now;
  const dates = planDates(programme, request.type, opensAt, request.meetingAt);
  const zone = programme.organisation.timeZone;
  const review = programme.schedule.reviews.find((r) => r.type === request.type);

  // The period the inputs cover: since the previous review's meeting, or the type's usual span.
  const previous = (
    await deps.repo.listCycles(programmeId, { meetingTo: iso(opensAt), newestFirst: true, limit: 1 })
  )[0];
  const periodTo = DateTime.fromJSDate(opensAt, { zone }).minus({ days: 1 });
  const periodFrom = previous
    ? DateTime.fromISO(previous.plannedMeetingAt, { zone })
    : DateTime.fromJSDate(opensAt, { zone }).minus({ months: MONTHS_COVERED[request.type] });
  const periodCovered = {
    from: (periodFrom < periodTo ? periodFrom : periodTo).toISODate()!,
    to: periodTo.toISODate()!,
  };

  const cycle: Cycle = {
    id: cycleId,
    programmeId,
    programme: snapshotRefOf(version),
    type: request.type,
    comprehensive: request.comprehensive ?? review?.comprehensive ?? request.type === 'annual',
    phase: 'OPEN',
    status: 'active',
    openedAt: iso(now < opensAt ? now : opensAt),
    plannedMeetingAt: dates.meetingAt,
    inputsDueAt: dates.inputsDueAt,
    packageSendAt: dates.packageSendAt,
    createdAt: iso(now),
    updatedAt: iso(now),
    version: 1,
  };
  const requests = inputRequestsFor(programme, {
    cycleId,
    programmeId,
    periodCovered,
    requestedAt: iso(now),
    dueAt: dates.inputsDueAt,
  });
  const carried = (await deps.repo.listActionsNeedingFollowUp(programmeId)).filter(
    (a) => a.cycleId !== cycleId,
  );
  try {
    await deps.repo.createCycle(cycle, requests, {
      event: {
        type: 'cycle.opened',
        at: iso(now),
        actor: SYSTEM,
        data: {
          type: cycle.type,
          comprehensive: cycle.comprehensive,
          programme: { ...cycle.programme },
          meetingAt: cycle.plannedMeetingAt,
          meetingLocal: localDay(cycle.plannedMeetingAt, zone),
          inputsDueAt: cycle.inputsDueAt,
          packageSendAt: cycle.packageSendAt,
          requestedBy: request.requestedBy ?? (request.scheduledTime ? 'schedule' : 'unknown'),
          inputs: requests.map((r) => r.inputKey),
          carriedActions: carried.map((a) => a.id),
        },
      },
    });
  } catch (error) {
    if (!(error instanceof AlreadyExists)) throw error;
  }
  return viewOf(await loadCycle(deps, cycleId));
}

/**
 * The input requests a new cycle starts with: one per input of the programme's catalogue, each
 * REQUESTED from its owner (none for an automatic input) for the period covered.
 */
export function inputRequestsFor(
  programme: Programme,
  args: {
    readonly cycleId: string;
    readonly programmeId: string;
    readonly periodCovered: InputRequest['periodCovered'];
    readonly requestedAt: string;
    readonly dueAt: string;
  },
): InputRequest[] {
  return programmeCatalogue(programme).map((input) => {
    const ownerId = programme.inputs.owners[input.key];
    return {
      cycleId: args.cycleId,
      programmeId: args.programmeId,
      inputKey: input.key,
      title: input.title,
      automatic: input.automatic,
      ...(input.automatic || !ownerId ? {} : { ownerId }),
      clauses: input.clauses.map((c) => ({ standard: c.standard, clause: c.clause })),
      periodCovered: args.periodCovered,
      requestedAt: args.requestedAt,
      dueAt: args.dueAt,
      status: 'REQUESTED',
      remindersSent: 0,
      escalationLevel: 0,
      version: 1,
    } satisfies InputRequest;
  });
}
