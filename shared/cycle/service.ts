/**
 * The review cycle, phase by phase: what each state of the workflow does. Every function takes the
 * cycle id (the workflow passes nothing else), reads what it needs, and is idempotent: run twice, by
 * a retry or after a crash, it sends nothing twice and writes nothing twice.
 *
 * The view each phase returns ({ cycleId, inputsDueAt, packageSendAt, meetingAt }) is what the
 * state machine's Wait states read, refreshed from the stored cycle each time.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ladderPolicyOf, sweepActions } from '../actions/follow-up.ts';
import { needsFollowUp } from '../model/action.ts';
import { CycleId } from '../model/ids.ts';
import { CYCLE_PHASES, transition, type Cycle, type CyclePhase, type CycleType } from '../model/cycle.ts';
import { UtcTimestamp, ProgrammeId } from '../model/common.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import { snapshotRefOf } from '../model/programme-ref.ts';
import { ProgrammeSchema, type Programme } from '../programme/schema.ts';
import { ismsManager, personById, programmeCatalogue, topManagement } from '../programme/queries.ts';
import type { Person } from '../programme/schema.ts';
import { cycleDates } from '../programme/schedule.ts';
import { AlreadyExists, NotFound } from '../store/repository.ts';
import { checkInputs as decideInputs, type InputState } from './input-policy.ts';
import type { ArchivedMinutes, CycleDeps, StoredPackage } from './ports.ts';
import { assertPackageReady, freezePackage, packageToDistribute } from './package-phase.ts';

export interface CycleView {
  readonly cycleId: string;
  readonly phase: CyclePhase;
  readonly inputsDueAt: string;
  readonly packageSendAt: string;
  readonly meetingAt: string;
}

export class ProgrammeNotApplied extends Error {
  override name = 'ProgrammeNotApplied' as const;
}
export class CycleNotFound extends Error {
  override name = 'CycleNotFound' as const;
}
export class InvalidStartRequest extends Error {
  override name = 'InvalidStartRequest' as const;
}

export const viewOf = (cycle: Cycle): CycleView => ({
  cycleId: cycle.id,
  phase: cycle.phase,
  inputsDueAt: cycle.inputsDueAt,
  packageSendAt: cycle.packageSendAt,
  meetingAt: cycle.plannedMeetingAt,
});

const SYSTEM = 'system' as const;
const iso = (date: Date) => date.toISOString();

async function loadCycle(deps: CycleDeps, cycleId: string): Promise<Cycle> {
  const cycle = await deps.repo.getCycle(cycleId);
  if (!cycle) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  return cycle;
}

async function programmeOf(deps: CycleDeps, cycle: Pick<Cycle, 'programme'>): Promise<Programme> {
  const { programmeId, version } = cycle.programme;
  const stored = await deps.repo.getProgrammeVersion(programmeId, version);
  if (!stored) throw new ProgrammeNotApplied(`programme ${programmeId} version ${version} is not stored`);
  return ProgrammeSchema.parse(stored.document);
}

/**
 * Moves the cycle forward to `to`, one recorded step at a time; a cycle already there (or past it)
 * is returned as it is, which is what makes a repeated phase harmless.
 */
async function advance(
  deps: CycleDeps,
  cycle: Cycle,
  to: CyclePhase,
  data: Record<string, unknown> = {},
): Promise<Cycle> {
  let current = cycle;
  const target = CYCLE_PHASES.indexOf(to);
  while (current.phase !== 'FAILED' && CYCLE_PHASES.indexOf(current.phase) < target) {
    const next = CYCLE_PHASES[CYCLE_PHASES.indexOf(current.phase) + 1]!;
    const now = deps.clock.now();
    const moved = transition(current, next, now);
    ({ cycle: current } = await deps.repo.updateCycle(moved, {
      event: {
        type: 'cycle.phase_changed',
        at: iso(now),
        actor: SYSTEM,
        data: { from: current.phase, to: next, ...data },
      },
    }));
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Open

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
  deps: CycleDeps,
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
  const version = await deps.repo.getCurrentProgramme(programmeId);
  if (!version) {
    throw new ProgrammeNotApplied(
      `programme ${programmeId} has not been applied: run \`isms-review programme apply <file>\``,
    );
  }
  const programme = ProgrammeSchema.parse(version.document);
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
  const requests: InputRequest[] = programmeCatalogue(programme).map((input) => {
    const ownerId = programme.inputs.owners[input.key];
    return {
      cycleId,
      programmeId,
      inputKey: input.key,
      title: input.title,
      automatic: input.automatic,
      ...(input.automatic || !ownerId ? {} : { ownerId }),
      clauses: input.clauses.map((c) => ({ standard: c.standard, clause: c.clause })),
      periodCovered,
      requestedAt: iso(now),
      dueAt: dates.inputsDueAt,
      status: 'REQUESTED',
      remindersSent: 0,
      escalationLevel: 0,
      version: 1,
    } satisfies InputRequest;
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

// ---------------------------------------------------------------------------------------------
// Inputs

/** The previous answer per input key, shown to owners for reference. */
async function previousAnswers(deps: CycleDeps, cycle: Cycle, keys: readonly string[]) {
  const previous = new Map<string, InputSubmission>();
  for (const key of keys) {
    const history = await deps.repo.listSubmissionHistory(cycle.programmeId, key, {
      newestFirst: true,
      limit: 5,
    });
    const last = history.find((s) => s.cycleId !== cycle.id);
    if (last) previous.set(key, last);
  }
  return previous;
}

const ownedRequests = (requests: readonly InputRequest[]) => {
  const byOwner = new Map<string, InputRequest[]>();
  for (const request of requests) {
    if (request.automatic || !request.ownerId) continue;
    byOwner.set(request.ownerId, [...(byOwner.get(request.ownerId) ?? []), request]);
  }
  return byOwner;
};

/** Emails each input owner one request for all their inputs. */
export async function requestInputs(deps: CycleDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  cycle = await advance(deps, cycle, 'REQUESTING_INPUTS');
  const programme = await programmeOf(deps, cycle);
  const requests = await deps.repo.listInputRequests(cycleId);
  for (const [ownerId, owned] of ownedRequests(requests)) {
    const previous = await previousAnswers(
      deps,
      cycle,
      owned.map((r) => r.inputKey),
    );
    await deps.notifier.inputRequest({
      cycle,
      programme,
      owner: personById(programme, ownerId),
      requests: owned,
      previous,
    });
  }
  cycle = await advance(deps, cycle, 'AWAITING_INPUTS');
  return viewOf(cycle);
}

const inputPolicyOf = (programme: Programme) => ({
  reminderEveryDays: programme.leadTimes.inputReminderEveryDays,
  remindersBeforeEscalation: programme.escalation.inputEscalation.remindersBeforeEscalation,
});

/** Whether every input an owner must answer is answered. */
export function allInputsAnswered(requests: readonly InputRequest[]): boolean {
  return requests.every((r) => r.automatic || r.status !== 'REQUESTED');
}

/**
 * The decision point of input collection: sends the reminders and escalations that are due, and at
 * the deadline records every missing input as not provided. `proceed` tells the workflow to compile.
 */
/** Marks an input follow-up step as complete: sent and recorded on every request it covers. */
const DONE_SUFFIX = ':done';

/** The inputs whose follow-up `stepId` is already in the log (a step resumed after a crash). */
async function stepRecorded(deps: CycleDeps, cycleId: string, stepId: string): Promise<Set<string>> {
  const events = await deps.repo.listEvents(cycleId);
  return new Set(
    events
      .filter(
        (e) => (e.type === 'input.reminder_sent' || e.type === 'input.escalated') && e.data.step === stepId,
      )
      .map((e) => String(e.data.inputKey)),
  );
}

export async function checkInputs(
  deps: CycleDeps,
  cycleId: string,
): Promise<{ proceed: boolean; missing: string[]; nextCheckAt: string }> {
  let cycle = await loadCycle(deps, cycleId);
  if (CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_INPUTS')) {
    return { proceed: true, missing: [], nextCheckAt: iso(deps.clock.now()) };
  }
  const programme = await programmeOf(deps, cycle);
  const records = await deps.repo.getCycleRecords(cycleId);
  if (!records) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  const now = deps.clock.now();
  const states: InputState[] = records.inputRequests
    .filter((r) => !r.automatic && r.ownerId)
    .map((r) => ({ key: r.inputKey, ownerId: r.ownerId!, status: r.status }));
  // A step counts as sent once it is complete (its `:done` marker): a claim without one is a step a
  // crash interrupted between claiming and finishing, and is finished below.
  const sent = new Set(
    records.notificationsSent
      .filter((k) => k.startsWith('input:') && k.endsWith(DONE_SUFFIX))
      .map((k) => k.slice('input:'.length, -DONE_SUFFIX.length)),
  );
  const decision = decideInputs({
    now,
    requestedAt: new Date(cycle.openedAt),
    inputsDueAt: new Date(cycle.inputsDueAt),
    policy: inputPolicyOf(programme),
    inputs: states,
    sent,
  });

  for (const { ownerId, step, keys } of decision.send) {
    const claimKey = `input:${ownerId}:${step.id}`;
    const fresh = await deps.repo.claimNotification(cycleId, claimKey, iso(now));
    const owned = records.inputRequests.filter((r) => keys.includes(r.inputKey));
    // Resuming an interrupted step: the outbox sends each key once, and what was recorded stays.
    const recorded = fresh ? new Set<string>() : await stepRecorded(deps, cycleId, step.id);
    try {
      await deps.notifier.inputFollowUp({
        cycle,
        programme,
        owner: personById(programme, ownerId),
        requests: owned,
        step,
      });
    } catch (error) {
      await deps.repo.releaseNotification(cycleId, claimKey);
      throw error;
    }
    for (const request of owned) {
      const current = (await deps.repo.getInputRequest(cycleId, request.inputKey))!;
      if (current.status !== 'REQUESTED' || recorded.has(request.inputKey)) continue;
      const updated: InputRequest =
        step.kind === 'reminder'
          ? { ...current, remindersSent: current.remindersSent + 1, lastReminderAt: iso(now) }
          : { ...current, escalationLevel: step.kind === 'escalate-manager' ? 1 : 2 };
      await deps.repo.updateInputRequest(updated, {
        event: {
          type: step.kind === 'reminder' ? 'input.reminder_sent' : 'input.escalated',
          at: iso(now),
          actor: SYSTEM,
          data: { inputKey: request.inputKey, ownerId, step: step.id },
        },
      });
    }
    await deps.repo.claimNotification(cycleId, `${claimKey}${DONE_SUFFIX}`, iso(now));
  }

  if (decision.deadlinePassed) {
    for (const key of decision.notProvided) {
      const current = (await deps.repo.getInputRequest(cycleId, key))!;
      if (current.status !== 'REQUESTED') continue;
      await deps.repo.updateInputRequest(
        { ...current, status: 'NOT_PROVIDED', notProvidedAt: iso(now) },
        {
          event: {
            type: 'input.not_provided',
            at: iso(now),
            actor: SYSTEM,
            data: { inputKey: key, ownerId: current.ownerId ?? null, dueAt: current.dueAt },
          },
        },
      );
    }
  }
  const proceed = decision.allAnswered || decision.deadlinePassed;
  if (proceed) {
    cycle = await advance(deps, cycle, 'COMPILING', {
      reason: decision.allAnswered ? 'all inputs answered' : 'input deadline passed',
    });
  }
  return { proceed, missing: decision.notProvided, nextCheckAt: iso(decision.nextCheckAt) };
}

/**
 * Parks the workflow's task token until the last input arrives. If everything is already answered
 * (a reply raced the park), it resumes the workflow itself; exactly one of the two callers wins.
 */
export async function awaitPeople(
  deps: CycleDeps,
  args: { cycleId: string; taskToken: string; purpose: 'inputs' | 'minutes' },
): Promise<void> {
  const now = iso(deps.clock.now());
  await deps.repo.parkTaskToken({
    cycleId: args.cycleId,
    purpose: args.purpose,
    taskToken: args.taskToken,
    parkedAt: now,
  });
  const ready =
    args.purpose === 'inputs'
      ? allInputsAnswered(await deps.repo.listInputRequests(args.cycleId))
      : Boolean((await loadCycle(deps, args.cycleId)).minutesApprovedAt);
  if (ready) await resumeWaiting(deps, args.cycleId, args.purpose);
}

/** Resumes the workflow waiting for `purpose`, exactly once however many callers race. */
export async function resumeWaiting(
  deps: CycleDeps,
  cycleId: string,
  purpose: 'inputs' | 'minutes',
): Promise<boolean> {
  const task = await deps.repo.completeParkedTask(cycleId, purpose, iso(deps.clock.now()));
  if (!task) return false;
  await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId, purpose });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Package

/** Builds, hashes and freezes the review package from the inputs as recorded now. */
export async function compilePackage(deps: CycleDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  if (
    cycle.packageHash &&
    CYCLE_PHASES.indexOf(cycle.phase) >= CYCLE_PHASES.indexOf('AWAITING_DISTRIBUTION')
  ) {
    return viewOf(cycle);
  }
  const now = deps.clock.now();
  // The completeness gate, before the cycle moves on: nothing is built while an input may still arrive.
  await assertPackageReady(deps.repo, cycleId, now);
  cycle = await advance(deps, cycle, 'COMPILING');
  const programme = await programmeOf(deps, cycle);
  const { stored } = await freezePackage(deps, cycle, programme, now);
  const frozen: Cycle = { ...transition(cycle, 'AWAITING_DISTRIBUTION', now), packageHash: stored.sha256 };
  ({ cycle } = await deps.repo.updateCycle(frozen, {
    event: {
      type: 'package.built',
      at: iso(now),
      actor: SYSTEM,
      data: { ...stored, inputVersions: { ...stored.inputVersions } },
    },
  }));
  return viewOf(cycle);
}

/** Everyone who receives the package and the minutes: top management and the ISMS manager. */
export function attendees(programme: Programme): Person[] {
  const { chair, members } = topManagement(programme);
  const all = [chair, ...members, ismsManager(programme)];
  return [...new Map(all.map((p) => [p.id, p])).values()];
}

export async function distributePackage(deps: CycleDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  const programme = await programmeOf(deps, cycle);
  if (cycle.phase === 'AWAITING_DISTRIBUTION') {
    const built = (await deps.repo.listEvents(cycleId)).filter((e) => e.type === 'package.built').at(-1);
    if (!built) throw new NotFound('cycle', cycleId, 'no package was built for it');
    const now = deps.clock.now();
    // The gate again, and a new version if an input arrived after the package was built.
    const { stored, rebuiltFor } = await packageToDistribute(
      deps,
      cycle,
      programme,
      built.data as unknown as StoredPackage,
      now,
    );
    if (rebuiltFor.length) {
      ({ cycle } = await deps.repo.updateCycle(
        { ...cycle, packageHash: stored.sha256, updatedAt: iso(now) },
        {
          event: {
            type: 'package.built',
            at: iso(now),
            actor: SYSTEM,
            data: { ...stored, inputVersions: { ...stored.inputVersions }, rebuiltFor },
          },
        },
      ));
    }
    const recipients = attendees(programme);
    await deps.notifier.packageDistribution({ cycle, programme, stored, recipients });
    ({ cycle } = await deps.repo.updateCycle(
      { ...transition(cycle, 'DISTRIBUTED', now), packageSentAt: iso(now) },
      {
        event: {
          type: 'package.distributed',
          at: iso(now),
          actor: SYSTEM,
          data: {
            sha256: stored.sha256,
            version: stored.version,
            recipients: recipients.map((p) => p.email),
            // The calendar invitation's SEQUENCE (a moved meeting sends a higher one).
            icsSequence: stored.version - 1,
          },
        },
      },
    ));
  }
  // The workflow's AnchorPackage state anchors the chain next (functions/anchor-chain.ts).
  return viewOf(cycle);
}

// ---------------------------------------------------------------------------------------------
// Minutes

/** Days between minutes reminders to the ISMS manager, and reminders before the chair is told. */
export const MINUTES_REMINDER_EVERY_DAYS = 2;
export const MINUTES_REMINDERS_BEFORE_CHAIR = 2;
/** Once the chair is copied, the reminders go on weekly until the minutes arrive. */
export const MINUTES_ESCALATED_EVERY_DAYS = 7;

/**
 * The number of the minutes reminder due `elapsedDays` after the meeting (0: none yet): every two
 * days to the ISMS manager, the third with the chair copied, then weekly (days 2, 4, 6, 13, 20, ...).
 */
export function minutesReminderDue(elapsedDays: number): number {
  const escalatedFrom = (MINUTES_REMINDERS_BEFORE_CHAIR + 1) * MINUTES_REMINDER_EVERY_DAYS;
  if (elapsedDays < escalatedFrom) return Math.max(0, Math.floor(elapsedDays / MINUTES_REMINDER_EVERY_DAYS));
  return (
    MINUTES_REMINDERS_BEFORE_CHAIR +
    1 +
    Math.floor((elapsedDays - escalatedFrom) / MINUTES_ESCALATED_EVERY_DAYS)
  );
}

export async function requestMinutes(
  deps: CycleDeps,
  cycleId: string,
): Promise<CycleView & { meetingHeld: boolean }> {
  let cycle = await loadCycle(deps, cycleId);
  // The meeting was moved later while the workflow waited for the old time: wait again, for the new one.
  if (!cycle.minutesApprovedAt && deps.clock.now() < new Date(cycle.plannedMeetingAt)) {
    return { ...viewOf(cycle), meetingHeld: false };
  }
  cycle = await advance(deps, cycle, 'AWAITING_MINUTES');
  const programme = await programmeOf(deps, cycle);
  if (!cycle.minutesApprovedAt) await deps.notifier.minutesRequest({ cycle, programme, reminder: 0 });
  return { ...viewOf(cycle), meetingHeld: true };
}

/** Minutes accepted? If not, sends the reminder that is due (the ISMS manager, then the chair). */
export async function checkMinutes(deps: CycleDeps, cycleId: string): Promise<{ accepted: boolean }> {
  const cycle = await loadCycle(deps, cycleId);
  if (cycle.minutesApprovedAt) return { accepted: true };
  const programme = await programmeOf(deps, cycle);
  const now = deps.clock.now();
  const elapsedDays = (now.getTime() - Date.parse(cycle.plannedMeetingAt)) / 86_400_000;
  const reminder = minutesReminderDue(elapsedDays);
  if (reminder >= 1) {
    const key = `minutes:reminder-${reminder}`;
    const claimed = await deps.repo.claimNotification(cycleId, key, iso(now));
    // Sent even when already claimed: a run killed between the claim and the send left the claim
    // alone. The outbox sends each key exactly once (an earlier send is found SENT, not repeated).
    try {
      await deps.notifier.minutesRequest({ cycle, programme, reminder });
    } catch (error) {
      if (claimed) await deps.repo.releaseNotification(cycleId, key);
      throw error;
    }
    if (claimed) {
      await deps.repo.appendEvent(cycleId, {
        type: reminder > MINUTES_REMINDERS_BEFORE_CHAIR ? 'minutes.escalated' : 'minutes.reminder_sent',
        at: iso(now),
        actor: SYSTEM,
        data: { reminder },
      });
    }
  }
  return { accepted: false };
}

/** After accepted minutes: distribute them and start following the actions up. */
export async function recordOutcomes(deps: CycleDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  const programme = await programmeOf(deps, cycle);
  if (cycle.phase === 'AWAITING_MINUTES') {
    const pdf = await archiveMinutes(deps, cycle, programme);
    await deps.notifier.minutesDistribution({ cycle, programme, recipients: attendees(programme), pdf });
    const actions = await deps.repo.listActionsOfCycle(cycleId);
    cycle = await advance(deps, cycle, 'FOLLOW_UP', { actions: actions.map((a) => a.id) });
  }
  return viewOf(cycle);
}

/**
 * Renders every version of the minutes not yet archived (HTML and PDF in the evidence bucket) and
 * records each in a `minutes.rendered` event with the files' SHA-256, which the evidence bundle
 * checks them against. Returns the PDF of the latest version, for the distribution email. Run again
 * after a crash, it renders only what has no event yet; the rendering of a record is the same each
 * time, so a file written twice holds the same bytes.
 */
async function archiveMinutes(deps: CycleDeps, cycle: Cycle, programme: Programme): Promise<Buffer> {
  const versions = await deps.repo.listMinutes(cycle.id);
  const latest = versions.at(-1);
  if (!latest)
    throw new NotFound('minutes', cycle.id, 'the workflow records outcomes only after minutes are accepted');
  const archived = new Map<number, ArchivedMinutes>();
  for (const event of await deps.repo.listEvents(cycle.id)) {
    if (event.type === 'minutes.rendered') {
      const data = event.data as unknown as ArchivedMinutes;
      archived.set(data.version, data);
    }
  }
  const context = { personName: (id: string) => programme.people.find((p) => p.id === id)?.name };
  for (const record of versions) {
    if (archived.has(record.version)) continue;
    const files = await deps.packages.archiveMinutes(record, context);
    await deps.repo.appendEvent(cycle.id, {
      type: 'minutes.rendered',
      at: iso(deps.clock.now()),
      actor: SYSTEM,
      data: { ...files },
    });
    archived.set(record.version, files);
  }
  return deps.packages.loadMinutesPdf(archived.get(latest.version)!);
}

// ---------------------------------------------------------------------------------------------
// Follow-up

export { ladderPolicyOf };

/** The longest the follow-up loop sleeps: it also notices closures and a later cycle's carry-over. */
export const FOLLOW_UP_MAX_SLEEP_MS = 86_400_000;

/**
 * Sends the reminders and escalations due for the programme's open actions (this cycle's and those
 * carried over from earlier ones: see shared/actions/follow-up.ts). The cycle may close once none
 * of its own actions needs follow-up; a later cycle's loop goes on following what it carried over.
 */
export async function followUpActions(
  deps: CycleDeps,
  cycleId: string,
): Promise<{ allClosed: boolean; open: number; nextCheckAt: string }> {
  const cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  const swept = await sweepActions(deps, cycle.programmeId);
  const stillOpen = (await deps.repo.listActionsOfCycle(cycleId)).filter((a) => needsFollowUp(a));
  const next = Math.min(
    now.getTime() + FOLLOW_UP_MAX_SLEEP_MS,
    swept.nextStepAt ? Date.parse(swept.nextStepAt) : Infinity,
  );
  return {
    allClosed: stillOpen.length === 0,
    open: stillOpen.length,
    nextCheckAt: iso(new Date(Math.max(next, now.getTime() + 1000))),
  };
}

// ---------------------------------------------------------------------------------------------
// Close and failure

export async function closeCycle(deps: CycleDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  if (cycle.phase === 'FOLLOW_UP') {
    const now = deps.clock.now();
    const head = await deps.repo.getChainHead(cycleId);
    ({ cycle } = await deps.repo.updateCycle(transition(cycle, 'CLOSED', now), {
      event: {
        type: 'cycle.closed',
        at: iso(now),
        actor: SYSTEM,
        data: { chainHeadBeforeClose: { seq: head.seq, hash: head.hash } },
      },
    }));
  }
  // The workflow's AnchorClosed state anchors the sealed chain next (functions/anchor-chain.ts).
  return viewOf(cycle);
}

export const FailureInput = z.looseObject({
  cycleId: z.optional(z.string()),
  state: z.optional(z.string()),
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** Records the failure on the cycle and tells the ISMS manager what failed and where. */
export async function recordFailure(deps: CycleDeps, raw: unknown): Promise<{ recorded: boolean }> {
  const input = FailureInput.parse(raw);
  if (!input.cycleId) return { recorded: false };
  const cycle = await deps.repo.getCycle(input.cycleId);
  if (!cycle) return { recorded: false };
  const error = input.error?.Error ?? 'Unknown';
  const cause = (input.error?.Cause ?? 'no cause was given').slice(0, 2000);
  const programme = await programmeOf(deps, cycle);
  const now = deps.clock.now();
  let failed = cycle;
  if (cycle.phase !== 'FAILED' && cycle.phase !== 'CLOSED') {
    ({ cycle: failed } = await deps.repo.updateCycle(transition(cycle, 'FAILED', now, { error, cause }), {
      event: {
        type: 'cycle.failed',
        at: iso(now),
        actor: SYSTEM,
        data: { error, cause, state: input.state ?? cycle.phase },
      },
    }));
  }
  await deps.notifier.failure({ cycle: failed, programme, error, cause, state: input.state ?? cycle.phase });
  return { recorded: true };
}
