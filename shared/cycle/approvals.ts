/**
 * Approvals before a document leaves the review: the ISMS manager approves the package before it
 * goes to top management (clause 7.5.2 c, "review and approval for suitability and adequacy"), and
 * the chair approves the minutes before they are distributed.
 *
 * Each approval is of one version: the latest package built, the latest minutes accepted. A version
 * replaced by a newer one (a late or corrected input, corrected minutes) needs its own approval.
 * What was asked and answered is in the cycle's log, never only on the cycle item:
 *
 *   <subject>.approval_requested   the approver asked, for version n (with its SHA-256)
 *   <subject>.approval_reminder_sent / <subject>.approval_escalated
 *   <subject>.approved             APPROVE, by the approver, for version n
 *   package.changes_requested      CHANGES <what>, by the ISMS manager, for version n
 *   minutes.objected               OBJECT <what>, by the chair, for version n
 *
 * The workflow asks (CheckPackageApproval / CheckMinutesApproval), parks its token until an answer
 * or the next reminder falls due (AwaitPackageApproval / AwaitMinutesApproval, wake-up.ts) and asks
 * again; a reply resumes it at once. A package whose inputs changed since it was built goes back to
 * CompilePackage for a new version first: nothing here renders a package.
 */
import type { Cycle } from '../model/cycle.ts';
import type { CycleEvent as EventRecord } from '../model/event.ts';
import type { Person, Programme } from '../programme/schema.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import {
  APPROVAL_SUBJECTS,
  type ApprovalItem,
  type ApprovalSubject,
  type DistributionDeps,
  type StoredPackage,
  type WaitingDeps,
} from './ports.ts';
import { SYSTEM, iso, loadCycleContext } from './cycle-state.ts';
import { changedInputs, inputsChangedSince } from './package-gate.ts';
import { recipientZone } from '../mail/business-hours.ts';
import { archiveMinutes } from './minutes-archive.ts';
import {
  nextReminderAt,
  reminderSendable,
  wakeUpFor,
  type ReminderSeries,
  type StampedWakeUp,
} from './wake-up.ts';

export { APPROVAL_SUBJECTS, type ApprovalItem, type ApprovalMessage, type ApprovalSubject } from './ports.ts';

/** The reply-token and task-token purpose of each approval. */
export const APPROVAL_PURPOSES = {
  package: 'package-approval',
  minutes: 'minutes-approval',
} as const satisfies Record<ApprovalSubject, string>;
export type ApprovalPurpose = (typeof APPROVAL_PURPOSES)[ApprovalSubject];

export function subjectOfPurpose(purpose: string): ApprovalSubject | undefined {
  return APPROVAL_SUBJECTS.find((subject) => APPROVAL_PURPOSES[subject] === purpose);
}

/** Days between reminders, and the reminder from which someone above is copied. */
export const APPROVAL_REMINDER_EVERY_DAYS: Record<ApprovalSubject, number> = { package: 1, minutes: 2 };
export const MINUTES_APPROVAL_REMINDERS_BEFORE_COPY = 2;

export class NothingToApprove extends Error {
  override name = 'NothingToApprove' as const;
}

/** Whether the programme asks for this approval: the package's may be turned off, the minutes' not. */
export function approvalRequired(programme: Programme, subject: ApprovalSubject): boolean {
  return subject === 'minutes' || programme.approvals.package;
}

/** Who approves: the ISMS manager the package, the chair the minutes. */
export function approverOf(programme: Programme, subject: ApprovalSubject): Person {
  return subject === 'package' ? ismsManager(programme) : topManagement(programme).chair;
}

/** Who is copied when an approval is late: the chair for the package, the ISMS manager for the minutes. */
export function escalationOf(programme: Programme, subject: ApprovalSubject): Person {
  return subject === 'package' ? topManagement(programme).chair : ismsManager(programme);
}

/** The last package built (from its `package.built` event), or undefined before compile. */
export function latestPackage(events: readonly EventRecord[]): StoredPackage | undefined {
  const built = events.filter((event) => event.type === 'package.built').at(-1);
  return built ? (built.data as unknown as StoredPackage) : undefined;
}

/** The event answering `version` of `subject` with APPROVE, if any. */
export function approvalOf(
  events: readonly EventRecord[],
  subject: ApprovalSubject,
  version: number,
): EventRecord | undefined {
  return events.find((event) => event.type === `${subject}.approved` && event.data.version === version);
}

/** The version whose approval was asked for last (undefined: not asked yet). */
export function requestedVersion(
  events: readonly EventRecord[],
  subject: ApprovalSubject,
): number | undefined {
  const asked = events.filter((event) => event.type === `${subject}.approval_requested`).at(-1);
  return asked ? Number(asked.data.version) : undefined;
}

/** What awaits approval now: the latest package version, or the latest minutes version. */
export async function itemAwaitingApproval(
  deps: Pick<DistributionDeps, 'repo'>,
  cycle: Cycle,
  subject: ApprovalSubject,
  events: readonly EventRecord[],
): Promise<ApprovalItem | undefined> {
  if (subject === 'package') {
    const built = latestPackage(events);
    return built ? { subject, version: built.version, sha256: built.sha256 } : undefined;
  }
  const latest = (await deps.repo.listMinutes(cycle.id)).at(-1);
  return latest ? { subject, version: latest.version, sha256: latest.sourceHash } : undefined;
}

/**
 * Whether the workflow waiting for this approval should look again now: the latest version is
 * approved, a newer version exists than the one asked about, or (package) an input changed since the
 * package was built, so a new version must be built and asked about.
 */
export async function approvalNeedsAttention(
  deps: Pick<WaitingDeps, 'repo'>,
  cycleId: string,
  subject: ApprovalSubject,
): Promise<boolean> {
  const cycle = await deps.repo.getCycle(cycleId);
  if (!cycle) return false;
  const events = await deps.repo.listEvents(cycleId);
  const item = await itemAwaitingApproval(deps, cycle, subject, events);
  if (!item) return false;
  if (approvalOf(events, subject, item.version)) return true;
  if (requestedVersion(events, subject) !== item.version) return true;
  if (subject === 'package') {
    const built = latestPackage(events)!;
    return inputsChangedSince(built, await deps.repo.listInputRequests(cycleId)).length > 0;
  }
  return false;
}

/** The reminder due `elapsedDays` after the request (0: none yet). */
export function approvalReminderDue(subject: ApprovalSubject, elapsedDays: number): number {
  return Math.max(0, Math.floor(elapsedDays / APPROVAL_REMINDER_EVERY_DAYS[subject]));
}

/**
 * The reminders of one approval as a series to its approver, counted from when the version was asked
 * about: each goes inside the approver's business hours (their time zone, else the organisation's).
 */
export function approvalReminders(
  programme: Programme,
  subject: ApprovalSubject,
  askedAt: string,
): ReminderSeries {
  const asked = Date.parse(askedAt);
  const every = APPROVAL_REMINDER_EVERY_DAYS[subject] * 86_400_000;
  return {
    dueAt: (n) => new Date(asked + n * every),
    dueBy: (at) => approvalReminderDue(subject, (at.getTime() - asked) / 86_400_000),
    timeZone: recipientZone(programme, approverOf(programme, subject)),
    hours: programme.mail.businessHours,
  };
}

/**
 * Is the latest version approved? If not, asks for it (once per version), and sends the reminder or
 * escalation that has fallen due. A package whose inputs changed since it was built is not asked
 * about: the answer is `rebuild`, the workflow has CompilePackage build the new version and asks again.
 */
export async function checkApproval(
  deps: DistributionDeps<'approvalRequest'>,
  args: { cycleId: string; subject: ApprovalSubject },
): Promise<{ approved: boolean; version?: number; rebuild?: true } & StampedWakeUp> {
  const { subject } = args;
  const context = await loadCycleContext(deps, args.cycleId);
  const { cycle, programme } = context;
  // Nothing is asked of anyone here: should the workflow wait all the same, it looks again at the latest in a week.
  const idle = wakeUpFor(cycle, deps.clock.now(), undefined);
  if (subject === 'package' && cycle.phase !== 'AWAITING_DISTRIBUTION') {
    // Already distributed (a retried step after the approval): nothing to ask any more.
    return { approved: !approvalRequired(programme, subject) || cycle.phase !== 'COMPILING', ...idle };
  }
  const events = await deps.repo.listEvents(cycle.id);
  // A package built before an input changed is neither asked about nor sent, approval or not.
  const built = subject === 'package' ? latestPackage(events) : undefined;
  if (built && (await changedInputs(deps.repo, cycle.id, built, deps.clock.now())).length)
    return { approved: false, rebuild: true, ...idle };
  if (!approvalRequired(programme, subject)) return { approved: true, ...idle };
  const item = await itemAwaitingApproval(deps, cycle, subject, events);
  if (!item) {
    throw new NothingToApprove(
      subject === 'package'
        ? `cycle ${cycle.id} has no package built yet; the workflow asks for its approval only after CompilePackage`
        : `cycle ${cycle.id} has no accepted minutes yet; the workflow asks for their approval only after they are accepted`,
    );
  }
  if (approvalOf(events, subject, item.version)) return { approved: true, version: item.version, ...idle };

  const now = deps.clock.now();
  const asked = events.find(
    (event) => event.type === `${subject}.approval_requested` && event.data.version === item.version,
  );
  const approver = approverOf(programme, subject);
  const earlier = events
    .filter(
      (event) =>
        (event.type === 'package.changes_requested' || event.type === 'minutes.objected') &&
        event.type.startsWith(subject) &&
        Number(event.data.version) < item.version,
    )
    .at(-1);
  const message = {
    cycle,
    programme,
    item,
    ...(subject === 'package' ? { neededBy: cycle.packageSendAt } : {}),
    ...(earlier
      ? { earlierAnswer: { version: Number(earlier.data.version), what: String(earlier.data.what) } }
      : {}),
  };
  const attach = async () =>
    subject === 'package'
      ? { stored: latestPackage(events)! }
      : { pdf: await archiveMinutes(deps, cycle, programme) };

  const base = `${APPROVAL_PURPOSES[subject]}:v${item.version}`;
  if (!asked) {
    // Recorded even when an earlier run claimed it: no request event exists yet, so that run died
    // before recording it, and without it no reminder would ever fall due.
    await sendClaimed(
      deps,
      cycle.id,
      `${base}:request`,
      now,
      true,
      async () => {
        await deps.notifier.approvalRequest({ ...message, ...(await attach()), reminder: 0 });
      },
      {
        type: `${subject}.approval_requested`,
        data: { version: item.version, sha256: item.sha256, to: approver.id },
      },
    );
    // Asked now: the first reminder counts from now.
    const series = approvalReminders(programme, subject, iso(now));
    return { approved: false, version: item.version, ...wakeUpFor(cycle, now, nextReminderAt(series, now)) };
  }

  const series = approvalReminders(programme, subject, asked.at);
  const reminder = series.dueBy(now);
  // The package past its sending date goes up to the chair, who is copied from then on; the minutes
  // copy the ISMS manager from the third reminder.
  const late =
    subject === 'package'
      ? now.getTime() >= Date.parse(cycle.packageSendAt)
      : reminder > MINUTES_APPROVAL_REMINDERS_BEFORE_COPY;
  // Reminders go inside the approver's business hours (their time zone, else the organisation's),
  // or at once when a whole window passed without a check inside it (wake-up.ts).
  const sendable = reminderSendable(series, reminder, now);
  if (reminder >= 1 && sendable) {
    const copy = late ? escalationOf(programme, subject) : undefined;
    const sendCopy = copy && copy.id !== approver.id ? copy : undefined;
    await sendClaimed(
      deps,
      cycle.id,
      `${base}:reminder-${reminder}`,
      now,
      false,
      async () => {
        await deps.notifier.approvalRequest({
          ...message,
          ...(await attach()),
          reminder,
          ...(sendCopy ? { copy: sendCopy } : {}),
        });
      },
      {
        type: sendCopy ? `${subject}.approval_escalated` : `${subject}.approval_reminder_sent`,
        data: { version: item.version, reminder, ...(sendCopy ? { copied: sendCopy.id } : {}) },
      },
    );
  }
  return { approved: false, version: item.version, ...wakeUpFor(cycle, now, nextReminderAt(series, now)) };
}

/**
 * Claims the notification, sends it, records the event once. Sent even when already claimed: a run
 * killed between the claim and the send left the claim alone; the outbox sends each key once.
 */
async function sendClaimed(
  deps: Pick<DistributionDeps, 'repo'>,
  cycleId: string,
  key: string,
  now: Date,
  recordAnyway: boolean,
  send: () => Promise<void>,
  event: { type: string; data: Record<string, unknown> },
): Promise<void> {
  const claimed = await deps.repo.claimNotification(cycleId, key, iso(now));
  try {
    await send();
  } catch (error) {
    if (claimed) await deps.repo.releaseNotification(cycleId, key);
    throw error;
  }
  if (claimed || recordAnyway)
    await deps.repo.appendEvent(cycleId, { ...event, at: iso(now), actor: SYSTEM });
}

/** An approver's answer to one version, as recorded in the cycle's log. */
export interface ApprovalAnswer {
  readonly subject: ApprovalSubject;
  readonly version: number;
  readonly sha256: string;
  /** The approver's person id. */
  readonly by: string;
  readonly at: string;
  readonly answer: 'approve' | 'changes' | 'object';
  /** What must change (CHANGES, OBJECT), or the approver's comment (APPROVE). */
  readonly text?: string;
  /** The reply's Message-ID, which makes a message handled twice a repeat. */
  readonly messageId?: string;
}

/** Records an answer: `<subject>.approved`, `package.changes_requested` or `minutes.objected`. */
export async function recordApprovalAnswer(
  deps: Pick<WaitingDeps, 'repo'>,
  cycleId: string,
  answer: ApprovalAnswer,
) {
  const type =
    answer.answer === 'approve'
      ? `${answer.subject}.approved`
      : answer.subject === 'package'
        ? 'package.changes_requested'
        : 'minutes.objected';
  const text = answer.text ? { [answer.answer === 'approve' ? 'comment' : 'what']: answer.text } : {};
  await deps.repo.appendEvent(cycleId, {
    type,
    at: answer.at,
    actor: answer.by,
    data: {
      version: answer.version,
      sha256: answer.sha256,
      ...text,
      ...(answer.messageId ? { messageId: answer.messageId } : {}),
    },
  });
}

/** Whether `version` of the package may be distributed: approved, or approval turned off. */
export function packageApproved(
  programme: Programme,
  events: readonly EventRecord[],
  version: number,
): boolean {
  return !approvalRequired(programme, 'package') || approvalOf(events, 'package', version) !== undefined;
}
