/**
 * Accepting the minutes of a review: validate them, then store in ONE transaction the minutes
 * record, the actions they decide (open, escalation level 0, history "created from the minutes"),
 * the cycle's meeting time and approval time, and the events `minutes.accepted` and
 * `action.created`. Either all of it is stored or none of it, so a crash or a retry never leaves
 * minutes without their actions.
 *
 * - Minutes are accepted only while the cycle awaits them (phase AWAITING_MINUTES); otherwise
 *   CycleNotAwaitingMinutes.
 * - The very same text accepted again returns the first result (`repeated: true`), whatever the
 *   phase by then: a re-delivered email or a re-run command changes nothing.
 * - Different minutes, once minutes are recorded, are refused (MinutesAlreadyAccepted) unless
 *   they say `replaces: <n>` for the latest version n: a correction while the review still awaits
 *   minutes. It becomes version n+1; the actions of version n that are still open are cancelled
 *   ("replaced by version n+1 of the minutes") and the correction's actions are created, numbered
 *   after every action of the cycle, in the same transaction. Every version is kept.
 * - Two acceptances at the same moment: the transaction lets one win; the other finds the
 *   winner's minutes on its retry and returns them if they are the same text, or is refused with
 *   MinutesAlreadyAccepted.
 * - The minutes are checked against the cycle's input requests: an input nobody provided must be
 *   noted as such, not as "nothing to report".
 * - It does not resume the workflow: the caller completes the parked task after acceptance.
 */
import { DateTime } from 'luxon';
import type { Clock } from '../clock.ts';
import { parseWith, PersonId } from '../model/common.ts';
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { EventDraft } from '../model/event.ts';
import { actionIdFor, CycleId } from '../model/ids.ts';
import type { Programme } from '../programme/schema.ts';
import { personById } from '../programme/queries.ts';
import { AlreadyExists, ConcurrentUpdate, NotFound, type ReviewRepository } from '../store/repository.ts';
import { minutesHash, MinutesSource, type MinutesRecord } from '../model/minutes-record.ts';
import { inputStatusesOf } from './reading.ts';
import { declaredReplaces, validateMinutes } from './validate.ts';
import { zoneInWords } from '../mail/templates/format.ts';

export class CycleNotAwaitingMinutes extends Error {
  override name = 'CycleNotAwaitingMinutes' as const;
}

export class MinutesAlreadyAccepted extends Error {
  override name = 'MinutesAlreadyAccepted' as const;
}

/** The programme given does not belong to the cycle. */
export class ProgrammeMismatch extends Error {
  override name = 'ProgrammeMismatch' as const;
}

export interface AcceptMinutesDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
}

export interface AcceptMinutesInput {
  readonly cycleId: string;
  /** The minutes as written (YAML). */
  readonly text: string;
  /** The person who sent them (checked by the caller: the ISMS manager, or whoever the token names). */
  readonly submittedBy: string;
  readonly source: MinutesSource;
  /** The programme version the cycle runs under. */
  readonly programme: Programme;
  /** The inputs of the cycle, in package order. */
  readonly catalogueKeys: readonly string[];
}

export type AcceptMinutesResult =
  | {
      ok: true;
      minutes: MinutesRecord;
      /** The actions these minutes created (as stored now, for a repeat). */
      actions: Action[];
      /** True when the very same minutes had been accepted before and nothing was written. */
      repeated: boolean;
    }
  | { ok: false; problems: string[] };

/** How often an acceptance that lost a race is retried (it re-reads everything each time). */
const ATTEMPTS = 3;

/** Validates and records minutes (see the module note). */
export async function acceptMinutes(
  deps: AcceptMinutesDeps,
  input: AcceptMinutesInput,
): Promise<AcceptMinutesResult> {
  const cycleId = parseWith(CycleId, input.cycleId, 'cycle id');
  const submittedBy = parseWith(PersonId, input.submittedBy, 'submitted by');
  const source = parseWith(MinutesSource, input.source, 'minutes source');
  personById(input.programme, submittedBy);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await attemptAccept(deps, { ...input, cycleId, submittedBy, source });
    } catch (error) {
      const lostRace =
        (error instanceof AlreadyExists && (error.kind === 'minutes' || error.kind === 'action')) ||
        (error instanceof ConcurrentUpdate && (error.kind === 'cycle' || error.kind === 'action'));
      if (!lostRace || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function attemptAccept(
  deps: AcceptMinutesDeps,
  input: AcceptMinutesInput,
): Promise<AcceptMinutesResult> {
  const { repo, clock } = deps;
  const { programme, cycleId } = input;
  const cycle = await repo.getCycle(cycleId);
  if (!cycle)
    throw new NotFound('cycle', cycleId, 'minutes are recorded for an existing review; check the cycle id');
  if (cycle.programmeId !== programme.organisation.id) {
    throw new ProgrammeMismatch(
      `cycle ${cycleId} belongs to programme ${cycle.programmeId}, but the programme given is ${programme.organisation.id}`,
    );
  }
  const sourceHash = minutesHash(input.text);
  const latest = await repo.getMinutes(cycleId);
  if (latest?.sourceHash === sourceHash) {
    const stored = await repo.listActionsOfCycle(cycleId);
    const byId = new Map(stored.map((action) => [action.id, action]));
    const actions = latest.actionIds.flatMap((id) => byId.get(id) ?? []);
    return { ok: true, minutes: latest, actions, repeated: true };
  }
  if (cycle.phase !== 'AWAITING_MINUTES') throw notAwaiting(cycle, latest, programme);
  // Different minutes once minutes are recorded: refused before anything else is checked, unless
  // they say they correct the latest version.
  if (latest && declaredReplaces(input.text) !== latest.version) {
    throw alreadyAccepted(latest, declaredReplaces(input.text), programme);
  }

  const now = clock.now();
  // How each input's request stands: the minutes may not call an input nobody provided "nothing to report".
  const requests = await repo.listInputRequests(cycleId);
  const validation = validateMinutes(input.text, {
    programme,
    cycle,
    catalogueKeys: input.catalogueKeys,
    now,
    firstDecisionNumber: latest ? lastNumber(latest.content.decisions.map((d) => d.id)) + 1 : 1,
    inputStatuses: inputStatusesOf(requests),
  });
  if (!validation.ok) return validation;
  const content = validation.minutes;
  if (!latest && content.replaces !== undefined) {
    return {
      ok: false,
      problems: [
        `replaces: ${content.replaces}: no minutes have been recorded for review ${cycleId} yet, so there is ` +
          'nothing to replace; remove the line',
      ],
    };
  }
  if (latest && content.replaces !== latest.version)
    throw alreadyAccepted(latest, content.replaces, programme);

  const version = latest ? latest.version + 1 : 1;
  const at = now.toISOString();
  const existing = await repo.listActionsOfCycle(cycleId);
  const firstAction = lastNumber(existing.map((action) => action.id)) + 1;
  const created = version === 1 ? 'created from the minutes' : `created from the minutes, version ${version}`;
  const newActions: Action[] = content.actions.map((draft, index) => ({
    id: actionIdFor(cycleId, firstAction + index),
    cycleId,
    programmeId: cycle.programmeId,
    title: draft.title,
    ...(draft.description ? { description: draft.description } : {}),
    ownerId: draft.ownerId,
    dueDate: draft.dueDate,
    status: 'open',
    escalationLevel: 0,
    corrective: draft.corrective,
    ...(draft.decisionId ? { decisionId: draft.decisionId } : {}),
    ...(draft.inputKey ? { inputKey: draft.inputKey } : {}),
    history: [{ at, by: input.submittedBy, change: created }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  }));
  const replacedIds = new Set(latest?.actionIds ?? []);
  const reason = `replaced by version ${version} of the minutes`;
  const cancelled: Action[] = existing
    .filter(
      (action) => replacedIds.has(action.id) && (action.status === 'open' || action.status === 'in_progress'),
    )
    .map((action) => ({
      ...action,
      status: 'cancelled',
      cancelReason: reason,
      history: [
        ...action.history,
        { at, by: input.submittedBy, change: `status ${action.status} → cancelled: ${reason}` },
      ],
      updatedAt: at,
    }));

  const record: MinutesRecord = {
    cycleId,
    programmeId: cycle.programmeId,
    version,
    acceptedAt: at,
    submittedBy: input.submittedBy,
    source: input.source,
    content,
    sourceText: input.text,
    sourceHash,
    actionIds: newActions.map((action) => action.id),
  };
  const event = (type: string, data: Record<string, unknown>): EventDraft => ({
    type,
    at,
    actor: input.submittedBy,
    data,
    ...(input.source.channel === 'email' ? { sourceMessageId: input.source.messageId } : {}),
  });
  const events: EventDraft[] = [];
  if (cancelled.length > 0) {
    events.push(event('action.cancelled', { actionIds: cancelled.map((action) => action.id), reason }));
  }
  if (newActions.length > 0) {
    events.push(
      event('action.created', {
        minutesVersion: version,
        actions: newActions.map((action) => ({
          id: action.id,
          ownerId: action.ownerId,
          dueDate: action.dueDate,
          corrective: action.corrective,
          ...(action.decisionId ? { decisionId: action.decisionId } : {}),
        })),
      }),
    );
  }
  const saved = await repo.saveMinutes(record, {
    event: event('minutes.accepted', {
      version,
      channel: input.source.channel,
      sourceHash,
      heldAt: content.heldAt,
      attendees: content.attendance.map((entry) => ({
        personId: entry.personId,
        status: entry.status,
        topManagement: entry.topManagement,
        ...(entry.proxyFor ? { proxyFor: entry.proxyFor } : {}),
      })),
      decisionIds: content.decisions.map((decision) => decision.id),
      actionIds: record.actionIds,
      ...(content.replaces ? { replaces: content.replaces } : {}),
    }),
    events,
    newActions,
    changedActions: cancelled,
    cycle: { ...cycle, heldAt: content.heldAt, minutesApprovedAt: at, updatedAt: at },
  });
  return { ok: true, minutes: saved.minutes, actions: saved.newActions, repeated: false };
}

/** The highest number among ids like A-...-003 / D-...-02 (0 when there are none). */
function lastNumber(ids: readonly string[]): number {
  return ids.reduce((max, id) => Math.max(max, Number(id.slice(id.lastIndexOf('-') + 1)) || 0), 0);
}

function describeAcceptance(record: MinutesRecord, programme: Programme): string {
  const zone = programme.organisation.timeZone;
  const when = DateTime.fromISO(record.acceptedAt, { zone }).toFormat("d LLLL yyyy 'at' HH:mm");
  const who = programme.people.find((person) => person.id === record.submittedBy);
  return `version ${record.version}, sent by ${who ? `${who.name} (${who.id})` : record.submittedBy} and accepted on ${when} ${zoneInWords(zone)}`;
}

function alreadyAccepted(
  latest: MinutesRecord,
  replaces: number | undefined,
  programme: Programme,
): MinutesAlreadyAccepted {
  const recorded = describeAcceptance(latest, programme);
  if (replaces === undefined) {
    return new MinutesAlreadyAccepted(
      `minutes of review ${latest.cycleId} are already recorded (${recorded}); these differ from them and were ` +
        `not recorded. To correct the recorded minutes while the review still awaits them, add the line ` +
        `"replaces: ${latest.version}" at the top and send them again.`,
    );
  }
  return new MinutesAlreadyAccepted(
    `these minutes say they replace version ${replaces}, but the latest minutes of review ${latest.cycleId} are ` +
      `${recorded}; they were not recorded. Check version ${latest.version} and send your correction with ` +
      `"replaces: ${latest.version}".`,
  );
}

function notAwaiting(
  cycle: Cycle,
  latest: MinutesRecord | undefined,
  programme: Programme,
): CycleNotAwaitingMinutes {
  const start = `review ${cycle.id} is in phase ${cycle.phase}: minutes are recorded only while it awaits them (phase AWAITING_MINUTES).`;
  let hint: string;
  if (cycle.phase === 'FAILED') {
    hint = ` It failed in phase ${cycle.failure?.phase ?? 'unknown'} (${cycle.failure?.error ?? 'no error recorded'}); resume it first.`;
  } else if (cycle.phase === 'FOLLOW_UP' || cycle.phase === 'CLOSED') {
    hint = latest
      ? ` The minutes recorded (${describeAcceptance(latest, programme)}) stand and can no longer be replaced; record further decisions at the next review.`
      : ' It has moved on without minutes; record them at the next review.';
  } else {
    hint =
      ' The meeting has not been reached yet: send the minutes after the meeting, once the minutes request has arrived.';
  }
  return new CycleNotAwaitingMinutes(start + hint);
}
