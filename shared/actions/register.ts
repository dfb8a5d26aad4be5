/**
 * The action register: every change to an action, by email reply or the command line, goes through
 * `changeAction`, which checks the change against the lifecycle, records who made it and from where
 * (the inbound Message-ID, or the command line) in the action's history and the cycle's log, and
 * sends what the change calls for (the effectiveness check, the chair's extension request, the
 * owner's answer).
 *
 * Lifecycle:
 *
 * | command  | from                       | to          | needs                                           |
 * | -------- | -------------------------- | ----------- | ----------------------------------------------- |
 * | progress | open, in progress          | in progress | a note                                          |
 * | done     | open, in progress          | done        | evidence; a corrective action gets its check    |
 * | verify   | done                       | verified    | a note; corrective: someone other than the owner |
 * | check    | done (corrective)          | verified / open | PASS or FAIL with rationale, not the owner  |
 * | reopen   | in progress, done          | open        | a note                                          |
 * | cancel   | open, in progress, done    | cancelled   | a reason                                        |
 * | extend   | open, in progress          | (same)      | a later date and a reason; the chair decides    |
 * | approve / refuse | a pending extension | (same)     | refuse: a reason; approve moves the due date    |
 * | reschedule  | open, in progress       | (same)      | top management: a new future date and a reason  |
 * | reassign    | open, in progress       | (same)      | top management: another owner, a reason; a new  |
 * |             |                         |             | date when the action is already overdue         |
 * | accept-risk | open, in progress       | cancelled   | top management: the reason the risk is accepted |
 *
 * The last three are top management's decisions on an escalated action (the escalation email asks
 * for one of them): only the chair or a member of top management may make them, by reply to the
 * escalation or recorded on the command line in their name. Each supersedes a pending extension
 * request and tells the owner (and, when reassigned, the new owner).
 * Verified and cancelled are final. A due date that moves (an approved extension, a failed check)
 * clears the follow-up steps sent, so the ladder starts again for the new date.
 *
 * Idempotency: a change from an email carries its Message-ID; a message seen again finds its entry
 * in the history and changes nothing (its notifications are re-sent through the outbox, which sends
 * each once).
 */
import { DateTime } from 'luxon';
import type { Clock } from '../clock.ts';
import type { Action, ActionStatus, HistoryEntry, UpdateSource } from '../model/action.ts';
import type { Attachment } from '../model/input.ts';
import { ProgrammeSchema, type Programme } from '../programme/schema.ts';
import { ismsManager, personById, topManagement } from '../programme/queries.ts';
import { findPerson, unknownPerson } from '../programme/people.ts';
import { ConcurrentUpdate, type ReviewRepository } from '../store/repository.ts';
import type { Cycle } from '../model/cycle.ts';
import type { ActionNotifierPort } from './ports.ts';

/** Days the assignee has for an effectiveness check once a corrective action is done. */
export const EFFECTIVENESS_CHECK_DAYS = 30;
/** Days an action reopened by a failed effectiveness check has, at least. */
export const REOPENED_DUE_DAYS = 30;

export class ActionNotFound extends Error {
  override name = 'ActionNotFound' as const;
  constructor(readonly actionId: string) {
    super(`action ${actionId} does not exist; check the id with \`isms-review actions list\``);
  }
}

/** The change does not fit the action's state or lacks what it needs; the message says what to do. */
export class InvalidActionChange extends Error {
  override name = 'InvalidActionChange' as const;
}

/** Verified and cancelled actions are final. */
export class ActionClosed extends Error {
  override name = 'ActionClosed' as const;
}

export type ActionCommand =
  | { readonly kind: 'progress'; readonly note: string }
  | {
      readonly kind: 'done';
      readonly evidence: string;
      readonly attachments?: readonly Attachment[];
      /** Who checks the effectiveness of a corrective action (default: see `defaultChecker`). */
      readonly checkerId?: string;
    }
  | { readonly kind: 'verify'; readonly note: string }
  | { readonly kind: 'check'; readonly passed: boolean; readonly note: string }
  | { readonly kind: 'reopen'; readonly note: string }
  | { readonly kind: 'cancel'; readonly reason: string }
  | { readonly kind: 'extend'; readonly until: string; readonly reason: string }
  | { readonly kind: 'approve'; readonly comment?: string }
  | { readonly kind: 'refuse'; readonly reason: string }
  | { readonly kind: 'reschedule'; readonly until: string; readonly reason: string }
  | {
      readonly kind: 'reassign';
      /** The new owner: a person id or email of the programme. */
      readonly to: string;
      readonly until?: string;
      readonly reason: string;
    }
  | { readonly kind: 'accept-risk'; readonly reason: string };

/** The decisions top management takes on an escalated action. */
export type ManagementDecision = 'reschedule' | 'reassign' | 'accept-risk';

export interface ActionChangeRequest {
  readonly actionId: string;
  /** The person making the change (a programme person id). */
  readonly by: string;
  readonly source: UpdateSource;
  readonly command: ActionCommand;
}

/** What a change sends afterwards. */
export type FollowOn =
  | { readonly kind: 'effectiveness-check' }
  | { readonly kind: 'extension-request' }
  | {
      readonly kind: 'extension-decision';
      readonly approved: boolean;
      readonly requestedAt: string;
      readonly requestedDueDate: string;
      readonly previousDueDate: string;
      readonly reason?: string;
    }
  | { readonly kind: 'reopened'; readonly finding: string; readonly checkedBy: string }
  | {
      readonly kind: 'management-decision';
      readonly decision: ManagementDecision;
      readonly reason: string;
      readonly decidedBy: string;
      readonly decidedAt: string;
      readonly previousOwnerId: string;
      readonly previousDueDate: string;
    };

export interface PlannedChange {
  readonly next: Action;
  readonly eventType: string;
  readonly eventData: Record<string, unknown>;
  readonly followOn?: FollowOn;
}

const STATUS_WORDS: Record<ActionStatus, string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
};

const sourceWords = (source: UpdateSource) =>
  source.channel === 'email'
    ? 'by email'
    : source.channel === 'cli'
      ? 'on the command line'
      : 'by the system';

function required(text: string | undefined, what: string): string {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') throw new InvalidActionChange(what);
  return trimmed;
}

/** The calendar date of `at` in the organisation's time zone. */
export function localDate(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

/**
 * Who checks a corrective action by default: the ISMS manager, or the chair when the ISMS manager
 * owns the action (the check is never done by the owner).
 */
export function defaultChecker(programme: Programme, ownerId: string): string {
  const manager = ismsManager(programme).id;
  return manager !== ownerId ? manager : topManagement(programme).chair.id;
}

/**
 * The action after `request`, as of `now`, or the reason it cannot be made. Pure: the caller loads
 * the action and stores the result.
 */
export function planChange(
  action: Action,
  request: ActionChangeRequest,
  programme: Programme,
  now: Date,
): PlannedChange {
  const { command, by, source } = request;
  const at = now.toISOString();
  const zone = programme.organisation.timeZone;
  const today = localDate(now, zone);
  const status = action.status;
  const label = `action ${action.id}`;
  if (status === 'verified' || status === 'cancelled') {
    throw new ActionClosed(
      `${label} is already ${STATUS_WORDS[status]}, which is final; nothing was changed. ` +
        'If the work must go on, ask the ISMS manager to record a new action.',
    );
  }
  personById(programme, by);
  const entry = (change: string): HistoryEntry => ({
    at,
    by,
    change: `${change} (${sourceWords(source)})`,
    source,
  });
  const base = { ...action, updatedAt: at };
  const moved = (to: ActionStatus, note: string) =>
    `status ${STATUS_WORDS[status]} → ${STATUS_WORDS[to]}: ${note}`;
  const eventData = (extra: Record<string, unknown>) => ({
    actionId: action.id,
    command: command.kind,
    from: status,
    source: source.channel,
    ...(source.channel === 'email' ? { messageId: source.messageId } : {}),
    ...extra,
  });
  const openWork = status === 'open' || status === 'in_progress';

  switch (command.kind) {
    case 'progress': {
      const note = required(command.note, 'PROGRESS needs a note saying where the action stands');
      if (!openWork) {
        throw new InvalidActionChange(
          `${label} is ${STATUS_WORDS[status]}; progress is reported only on open work. To take it back into work, reopen it with a note`,
        );
      }
      return {
        next: { ...base, status: 'in_progress', history: [...action.history, entry(`progress: ${note}`)] },
        eventType: 'action.updated',
        eventData: eventData({ to: 'in_progress', note }),
      };
    }
    case 'done': {
      const evidence = required(
        command.evidence,
        'DONE needs evidence: what was done and where it can be seen (a document, a link, a ticket)',
      );
      if (!openWork) {
        throw new InvalidActionChange(`${label} is already ${STATUS_WORDS[status]}; nothing was changed`);
      }
      let check = action.effectivenessCheck;
      if (action.corrective) {
        const checkerId = command.checkerId ?? check?.assigneeId ?? defaultChecker(programme, action.ownerId);
        personById(programme, checkerId);
        if (checkerId === action.ownerId) {
          throw new InvalidActionChange(
            `the effectiveness check of ${label} must be done by someone other than its owner (${action.ownerId}); name another person`,
          );
        }
        check = { assigneeId: checkerId, dueDate: addDays(today, EFFECTIVENESS_CHECK_DAYS) };
      }
      const next: Action = {
        ...base,
        status: 'done',
        closureEvidence: {
          text: evidence,
          ...(command.attachments && command.attachments.length > 0
            ? { attachments: [...command.attachments] }
            : {}),
          at,
          by,
        },
        ...(check ? { effectivenessCheck: check } : {}),
        history: [
          ...action.history,
          entry(
            moved('done', evidence) +
              (check ? `; effectiveness check by ${check.assigneeId} due ${check.dueDate}` : ''),
          ),
        ],
      };
      delete (next as { extensionRequest?: unknown }).extensionRequest;
      return {
        next,
        eventType: 'action.updated',
        eventData: eventData({
          to: 'done',
          evidence,
          ...(check ? { checkAssignedTo: check.assigneeId } : {}),
        }),
        ...(check ? { followOn: { kind: 'effectiveness-check' } as const } : {}),
      };
    }
    case 'verify':
    case 'check': {
      const note = required(
        command.note,
        command.kind === 'check'
          ? `${command.passed ? 'PASS' : 'FAIL'} needs the rationale: what was looked at and what it showed`
          : 'verifying an action needs a note saying how it was confirmed',
      );
      if (status !== 'done') {
        throw new InvalidActionChange(
          `${label} is ${STATUS_WORDS[status]}; only a done action can be verified or checked`,
        );
      }
      const passed = command.kind === 'verify' || command.passed;
      if (command.kind === 'check' && !action.corrective) {
        throw new InvalidActionChange(`${label} is not a corrective action; it has no effectiveness check`);
      }
      if (!action.corrective) {
        return {
          next: { ...base, status: 'verified', history: [...action.history, entry(moved('verified', note))] },
          eventType: 'action.updated',
          eventData: eventData({ to: 'verified', note }),
        };
      }
      if (by === action.ownerId) {
        throw new InvalidActionChange(
          `the effectiveness check of ${label} must be done by someone other than its owner (${action.ownerId})`,
        );
      }
      const check = {
        ...(action.effectivenessCheck ?? { assigneeId: by, dueDate: today }),
        assigneeId: by,
        result: passed ? ('passed' as const) : ('failed' as const),
        note,
        checkedAt: at,
      };
      if (passed) {
        return {
          next: {
            ...base,
            status: 'verified',
            effectivenessCheck: check,
            history: [...action.history, entry(`effectiveness check passed; ${moved('verified', note)}`)],
          },
          eventType: 'action.effectiveness_checked',
          eventData: eventData({ to: 'verified', result: 'passed', note }),
        };
      }
      const dueDate = [action.dueDate, addDays(today, REOPENED_DUE_DAYS)].sort().at(-1)!;
      const reopened: Action = {
        ...base,
        status: 'open',
        dueDate,
        escalationLevel: 0,
        effectivenessCheck: check,
        history: [
          ...action.history,
          entry(
            `effectiveness check failed; ${moved('open', note)}` +
              (dueDate !== action.dueDate ? `; due date ${action.dueDate} → ${dueDate}` : ''),
          ),
        ],
      };
      delete (reopened as { closureEvidence?: unknown }).closureEvidence;
      delete (reopened as { stepsSent?: unknown }).stepsSent;
      return {
        next: reopened,
        eventType: 'action.effectiveness_checked',
        eventData: eventData({ to: 'open', result: 'failed', note, dueDate }),
        followOn: { kind: 'reopened', finding: note, checkedBy: by },
      };
    }
    case 'reopen': {
      const note = required(command.note, 'reopening an action needs a note saying why');
      if (status === 'open') throw new InvalidActionChange(`${label} is already open; nothing was changed`);
      const next: Action = {
        ...base,
        status: 'open',
        history: [...action.history, entry(moved('open', note))],
      };
      delete (next as { closureEvidence?: unknown }).closureEvidence;
      if (next.effectivenessCheck && next.effectivenessCheck.result === undefined) {
        delete (next as { effectivenessCheck?: unknown }).effectivenessCheck;
      }
      return { next, eventType: 'action.updated', eventData: eventData({ to: 'open', note }) };
    }
    case 'cancel': {
      const reason = required(
        command.reason,
        'cancelling an action needs the reason, which auditors will read',
      );
      const next: Action = {
        ...base,
        status: 'cancelled',
        cancelReason: reason,
        history: [...action.history, entry(moved('cancelled', reason))],
      };
      delete (next as { extensionRequest?: unknown }).extensionRequest;
      if (next.effectivenessCheck && next.effectivenessCheck.result === undefined) {
        delete (next as { effectivenessCheck?: unknown }).effectivenessCheck;
      }
      if (next.status === 'cancelled' && next.closureEvidence) {
        delete (next as { closureEvidence?: unknown }).closureEvidence;
      }
      return { next, eventType: 'action.updated', eventData: eventData({ to: 'cancelled', reason }) };
    }
    case 'extend': {
      const reason = required(command.reason, 'EXTEND needs a reason after the date');
      if (!openWork) {
        throw new InvalidActionChange(
          `${label} is ${STATUS_WORDS[status]}; only open work can be given a later due date`,
        );
      }
      if (command.until <= action.dueDate) {
        throw new InvalidActionChange(
          `EXTEND ${command.until} is not later than the current due date, ${action.dueDate}; ask for a later date`,
        );
      }
      if (command.until <= today) {
        throw new InvalidActionChange(
          `EXTEND ${command.until} is not in the future (today is ${today}); ask for a later date`,
        );
      }
      const pending = action.extensionRequest;
      return {
        next: {
          ...base,
          extensionRequest: { dueDate: command.until, reason, requestedAt: at, by, source },
          history: [
            ...action.history,
            entry(
              `extension to ${command.until} requested: ${reason}` +
                (pending ? ` (replaces the request for ${pending.dueDate})` : ''),
            ),
          ],
        },
        eventType: 'action.extension_requested',
        eventData: eventData({
          to: status,
          dueDate: action.dueDate,
          requestedDueDate: command.until,
          reason,
        }),
        followOn: { kind: 'extension-request' },
      };
    }
    case 'approve':
    case 'refuse': {
      const pending = action.extensionRequest;
      if (!pending) {
        throw new InvalidActionChange(
          `${label} has no extension request waiting for an answer (it was answered already, or the action was closed); nothing was changed`,
        );
      }
      const rest = { ...base };
      delete (rest as { extensionRequest?: unknown }).extensionRequest;
      if (command.kind === 'refuse') {
        const reason = required(command.reason, 'REFUSE needs a reason, which is sent to the owner');
        return {
          next: {
            ...rest,
            history: [
              ...action.history,
              entry(`extension to ${pending.dueDate} refused: ${reason}; due date stays ${action.dueDate}`),
            ],
          },
          eventType: 'action.extension_decided',
          eventData: eventData({
            to: status,
            decision: 'refused',
            requestedDueDate: pending.dueDate,
            reason,
          }),
          followOn: {
            kind: 'extension-decision',
            approved: false,
            requestedAt: pending.requestedAt,
            requestedDueDate: pending.dueDate,
            previousDueDate: action.dueDate,
            reason,
          },
        };
      }
      const comment = command.comment?.trim();
      const next: Action = {
        ...rest,
        dueDate: pending.dueDate,
        escalationLevel: 0,
        extensionsGranted: (action.extensionsGranted ?? 0) + 1,
        history: [
          ...action.history,
          entry(
            `extension approved: due date ${action.dueDate} → ${pending.dueDate}` +
              (comment ? `: ${comment}` : ''),
          ),
        ],
      };
      delete (next as { stepsSent?: unknown }).stepsSent;
      return {
        next,
        eventType: 'action.extension_decided',
        eventData: eventData({
          to: status,
          decision: 'approved',
          previousDueDate: action.dueDate,
          dueDate: pending.dueDate,
          ...(comment ? { comment } : {}),
        }),
        followOn: {
          kind: 'extension-decision',
          approved: true,
          requestedAt: pending.requestedAt,
          requestedDueDate: pending.dueDate,
          previousDueDate: action.dueDate,
          ...(comment ? { reason: comment } : {}),
        },
      };
    }
    case 'reschedule':
    case 'reassign':
    case 'accept-risk':
      return planDecision(action, { command, by }, programme, { at, today, entry, base, eventData });
  }
}

const DECISION_WORDS: Record<ManagementDecision, string> = {
  reschedule: 'RESCHEDULE',
  reassign: 'REASSIGN',
  'accept-risk': 'ACCEPT RISK',
};

/** Top management's decision on an escalated action (see the module note). */
function planDecision(
  action: Action,
  request: { command: Extract<ActionCommand, { kind: ManagementDecision }>; by: string },
  programme: Programme,
  context: {
    at: string;
    today: string;
    entry: (change: string) => HistoryEntry;
    base: Action;
    eventData: (extra: Record<string, unknown>) => Record<string, unknown>;
  },
): PlannedChange {
  const { command, by } = request;
  const { at, today, entry, eventData } = context;
  const word = DECISION_WORDS[command.kind];
  const label = `action ${action.id}`;
  const { chair, members } = topManagement(programme);
  const decider = personById(programme, by);
  if (![chair, ...members].some((member) => member.id === decider.id)) {
    throw new InvalidActionChange(
      `${word} is a decision of top management, and ${decider.id} (${decider.name}) is not a member of it; ` +
        `record it in the name of the member who decided (the chair is ${chair.id})`,
    );
  }
  const reason = required(
    command.reason,
    `${word} needs the reason for the decision, which auditors will read`,
  );
  if (action.status !== 'open' && action.status !== 'in_progress') {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; top management decides only on open work; nothing was changed`,
    );
  }
  const rest: Action = { ...context.base };
  delete (rest as { extensionRequest?: unknown }).extensionRequest;
  const superseded = action.extensionRequest
    ? ` (supersedes the request to extend to ${action.extensionRequest.dueDate})`
    : '';
  const followOn = {
    kind: 'management-decision' as const,
    decision: command.kind,
    reason,
    decidedBy: by,
    decidedAt: at,
    previousOwnerId: action.ownerId,
    previousDueDate: action.dueDate,
  };
  const futureDate = (date: string) => {
    if (date <= today) {
      throw new InvalidActionChange(
        `${word}: ${date} is not in the future (today is ${today}); give a due date the owner can still meet`,
      );
    }
    return date;
  };
  if (command.kind === 'accept-risk') {
    const note = `risk accepted by top management (${decider.name}): ${reason}`;
    const next: Action = {
      ...rest,
      status: 'cancelled',
      cancelReason: note,
      history: [
        ...action.history,
        entry(`status ${STATUS_WORDS[action.status]} → cancelled: ${note}${superseded}`),
      ],
    };
    return {
      next,
      eventType: 'action.risk_accepted',
      eventData: eventData({ to: 'cancelled', reason, decidedBy: by }),
      followOn,
    };
  }
  if (command.kind === 'reschedule') {
    const until = futureDate(command.until);
    if (until === action.dueDate) {
      throw new InvalidActionChange(`${label} is already due on ${until}; nothing was changed`);
    }
    const next: Action = {
      ...rest,
      dueDate: until,
      escalationLevel: 0,
      history: [
        ...action.history,
        entry(`due date ${action.dueDate} → ${until} set by top management: ${reason}${superseded}`),
      ],
    };
    delete (next as { stepsSent?: unknown }).stepsSent;
    return {
      next,
      eventType: 'action.rescheduled',
      eventData: eventData({ to: action.status, previousDueDate: action.dueDate, reason, decidedBy: by }),
      followOn,
    };
  }
  const owner = findPerson(programme, command.to);
  if (!owner) throw new InvalidActionChange(`REASSIGN: ${unknownPerson(programme, command.to)}`);
  if (owner.id === action.ownerId) {
    throw new InvalidActionChange(
      `${owner.id} (${owner.name}) already owns ${label}; name another owner, or RESCHEDULE to give a new date`,
    );
  }
  if (command.until === undefined && action.dueDate <= today) {
    throw new InvalidActionChange(
      `${label} was due on ${action.dueDate}; give the new owner a due date: REASSIGN ${owner.id} <yyyy-mm-dd> <reason>`,
    );
  }
  const dueDate = command.until === undefined ? action.dueDate : futureDate(command.until);
  const next: Action = {
    ...rest,
    ownerId: owner.id,
    dueDate,
    escalationLevel: 0,
    history: [
      ...action.history,
      entry(
        `owner ${action.ownerId} → ${owner.id}` +
          (dueDate !== action.dueDate ? `, due date ${action.dueDate} → ${dueDate}` : '') +
          `, decided by top management: ${reason}${superseded}`,
      ),
    ],
  };
  delete (next as { stepsSent?: unknown }).stepsSent;
  return {
    next,
    eventType: 'action.reassigned',
    eventData: eventData({
      to: action.status,
      previousOwnerId: action.ownerId,
      ownerId: owner.id,
      previousDueDate: action.dueDate,
      reason,
      decidedBy: by,
    }),
    followOn,
  };
}

export interface ActionDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  /** Sends what a change calls for; absent: nothing is sent (e.g. a dry run). */
  readonly notifier?: ActionNotifierPort;
}

export interface ActionChangeResult {
  readonly action: Action;
  /** The same email was applied before; nothing was changed this time. */
  readonly repeated: boolean;
  readonly followOn?: FollowOn;
}

const ATTEMPTS = 20;

/** The cycle that decided the action, and the programme version it ran under. */
export async function actionContext(
  repo: ReviewRepository,
  action: Pick<Action, 'cycleId' | 'id'>,
): Promise<{ cycle: Cycle; programme: Programme }> {
  const cycle = await repo.getCycle(action.cycleId);
  if (!cycle) throw new ActionNotFound(`${action.id} (its cycle ${action.cycleId} is missing)`);
  const stored = await repo.getProgrammeVersion(cycle.programme.programmeId, cycle.programme.version);
  if (!stored) {
    throw new InvalidActionChange(
      `programme ${cycle.programme.programmeId} version ${cycle.programme.version} of cycle ${cycle.id} is not stored`,
    );
  }
  return { cycle, programme: ProgrammeSchema.parse(stored.document) };
}

/** Applies one change (see the module comment), retrying when another writer got there first. */
export async function changeAction(
  deps: ActionDeps,
  request: ActionChangeRequest,
): Promise<ActionChangeResult> {
  for (let attempt = 1; ; attempt += 1) {
    const action = await deps.repo.getAction(request.actionId);
    if (!action) throw new ActionNotFound(request.actionId);
    const { cycle, programme } = await actionContext(deps.repo, action);
    const { source } = request;
    if (
      source.channel === 'email' &&
      action.history.some((e) => e.source?.channel === 'email' && e.source.messageId === source.messageId)
    ) {
      // The change was stored; what it sends may not have been (a crash in between): send again,
      // the outbox sends each message once.
      const followOn = followOnOf(action, request.command);
      if (followOn) await sendFollowOn(deps, { cycle, programme, action }, followOn);
      return { action, repeated: true };
    }
    const planned = planChange(action, request, programme, deps.clock.now());
    try {
      const { action: stored } = await deps.repo.updateAction(planned.next, {
        event: {
          type: planned.eventType,
          at: planned.next.updatedAt,
          actor: request.by,
          ...(source.channel === 'email' ? { sourceMessageId: source.messageId } : {}),
          data: { ...planned.eventData, to: planned.next.status, dueDate: planned.next.dueDate },
        },
      });
      if (planned.followOn) await sendFollowOn(deps, { cycle, programme, action: stored }, planned.followOn);
      return { action: stored, repeated: false, ...(planned.followOn ? { followOn: planned.followOn } : {}) };
    } catch (error) {
      if (error instanceof ConcurrentUpdate && attempt < ATTEMPTS) {
        await new Promise((wake) => setTimeout(wake, Math.random() * Math.min(50, 5 * attempt)));
        continue;
      }
      throw error;
    }
  }
}

/**
 * What an already applied change sends, from the action as stored (the notifier sends nothing when
 * the action has moved on); undefined for a chair's answer, whose request is no longer on the action.
 */
function followOnOf(action: Action, command: ActionCommand): FollowOn | undefined {
  if (command.kind === 'done' && action.status === 'done' && action.effectivenessCheck) {
    return { kind: 'effectiveness-check' };
  }
  if (command.kind === 'extend' && action.extensionRequest) return { kind: 'extension-request' };
  const check = action.effectivenessCheck;
  if (command.kind === 'check' && !command.passed && action.status === 'open' && check?.result === 'failed') {
    return { kind: 'reopened', finding: check.note ?? command.note, checkedBy: check.assigneeId };
  }
  return undefined;
}

/** Sends the message a change calls for (each idempotent by its own key in the outbox). */
export async function sendFollowOn(
  deps: ActionDeps,
  message: { cycle: Cycle; programme: Programme; action: Action },
  followOn: FollowOn,
): Promise<void> {
  const notifier = deps.notifier;
  if (!notifier) return;
  switch (followOn.kind) {
    case 'effectiveness-check':
      return notifier.effectivenessCheckRequest(message);
    case 'extension-request':
      return notifier.extensionRequest(message);
    case 'extension-decision':
      return notifier.extensionDecision({ ...message, ...followOn });
    case 'reopened':
      return notifier.actionReopened({
        ...message,
        finding: followOn.finding,
        checkedBy: followOn.checkedBy,
      });
    case 'management-decision':
      return notifier.managementDecision({ ...message, ...followOn });
  }
}
