/**
 * Input collection (clause 9.3.2): who is reminded, who is escalated, and when the cycle goes on.
 *
 * Per input owner with something still missing, the ladder counts from when the requests went out:
 *   reminder-1 .. reminder-R   every `reminderEveryDays`
 *   escalate-manager           one interval after the last reminder: the ISMS manager is told
 *   escalate-chair             one interval later: the chair is told
 * Steps that would fall on or after the input deadline are dropped: at the deadline the cycle goes
 * on and every missing input is recorded as "not provided", itself an item for management decision.
 *
 * A step goes out only inside its recipient's business hours (`sendableAt`, shared/mail/business-hours.ts:
 * the owner for a reminder, the ISMS manager or the chair for an escalation): one due outside them is
 * sent at the first check inside the recipient's next window, and dropped if that is past the deadline.
 * A reminder whose next step may go out at most REMINDER_OVERTAKEN_WITHIN_MS after it is left to that
 * step: one held over a weekend to Monday 09:00, with the next step due at 09:20, is not sent twenty
 * minutes before it. Judged on when each step may go out from its own due time, so a check at any
 * moment decides alike.
 */
import { dueSteps, nextStepAt, type Step } from '../ladder.ts';

export type InputStepKind = 'reminder' | 'escalate-manager' | 'escalate-chair';
export type InputStep = Step<InputStepKind>;

export interface InputPolicy {
  readonly reminderEveryDays: number;
  readonly remindersBeforeEscalation: number;
}

export type InputStatus = 'REQUESTED' | 'SUBMITTED' | 'NOTHING_TO_REPORT' | 'NOT_PROVIDED';

export interface InputState {
  readonly key: string;
  readonly ownerId: string;
  readonly status: InputStatus;
}

const DAY_MS = 86_400_000;

/** A reminder whose next step may go out this soon after it is left to that step (half an hour). */
export const REMINDER_OVERTAKEN_WITHIN_MS = 30 * 60_000;

export function inputLadder(requestedAt: Date, inputsDueAt: Date, policy: InputPolicy): InputStep[] {
  const interval = Math.max(1, policy.reminderEveryDays) * DAY_MS;
  const at = (n: number) => new Date(requestedAt.getTime() + n * interval);
  const reminders = Array.from({ length: Math.max(0, policy.remindersBeforeEscalation) }, (_, i) => ({
    id: `reminder-${i + 1}`,
    kind: 'reminder' as const,
    dueAt: at(i + 1),
  }));
  const r = reminders.length;
  const steps: InputStep[] = [
    ...reminders,
    { id: 'escalate-manager', kind: 'escalate-manager', dueAt: at(r + 1) },
    { id: 'escalate-chair', kind: 'escalate-chair', dueAt: at(r + 2) },
  ];
  return steps.filter((step) => step.dueAt.getTime() < inputsDueAt.getTime());
}

export const isAnswered = (status: InputStatus): boolean =>
  status === 'SUBMITTED' || status === 'NOTHING_TO_REPORT';

export interface InputCheck {
  /** Every required input is answered: go on at once. */
  readonly allAnswered: boolean;
  /** The deadline has passed: go on, recording the unanswered inputs as not provided. */
  readonly deadlinePassed: boolean;
  /** Inputs to record as not provided (only when the deadline has passed). */
  readonly notProvided: string[];
  /** Follow-up to send now, one entry per owner and step (the owner's missing keys grouped). */
  readonly send: { ownerId: string; step: InputStep; keys: string[] }[];
  /** When to look again if nothing arrives (undefined: at the deadline). */
  readonly nextCheckAt: Date;
}

export interface InputCheckInput {
  readonly now: Date;
  readonly requestedAt: Date;
  readonly inputsDueAt: Date;
  readonly policy: InputPolicy;
  readonly inputs: readonly InputState[];
  /** Steps already sent, as `<ownerId>:<stepId>`. */
  readonly sent: ReadonlySet<string>;
  /**
   * When a step falling due at `step.dueAt` may go out to its recipient (the start of their next
   * business hours when it falls outside them); absent: at once. A pure function of the step: the
   * check itself holds a step due before `now` to the recipient's hours from `now`.
   */
  readonly sendableAt?: (ownerId: string, step: InputStep) => Date;
}

/**
 * The reminders of `ladder` (each step at the time it may go out from its own due time) that a later
 * step, going out before the deadline, follows within REMINDER_OVERTAKEN_WITHIN_MS.
 */
function overtakenSoon(ladder: readonly InputStep[], inputsDueAt: Date): Set<string> {
  return new Set(
    ladder
      .filter(
        (step, i) =>
          step.kind === 'reminder' &&
          ladder
            .slice(i + 1)
            .some(
              (next) =>
                next.dueAt.getTime() < inputsDueAt.getTime() &&
                next.dueAt.getTime() <= step.dueAt.getTime() + REMINDER_OVERTAKEN_WITHIN_MS,
            ),
      )
      .map((step) => step.id),
  );
}

export function checkInputs({
  now,
  requestedAt,
  inputsDueAt,
  policy,
  inputs,
  sent,
  sendableAt,
}: InputCheckInput): InputCheck {
  const open = inputs.filter((input) => input.status === 'REQUESTED');
  const allAnswered = open.length === 0;
  const deadlinePassed = now.getTime() >= inputsDueAt.getTime();
  if (allAnswered || deadlinePassed) {
    return {
      allAnswered,
      deadlinePassed,
      notProvided: deadlinePassed ? open.map((input) => input.key) : [],
      send: [],
      nextCheckAt: now,
    };
  }
  const ladder = inputLadder(requestedAt, inputsDueAt, policy);
  const byOwner = new Map<string, string[]>();
  for (const input of open) byOwner.set(input.ownerId, [...(byOwner.get(input.ownerId) ?? []), input.key]);
  const send: InputCheck['send'] = [];
  let nextCheckAt = inputsDueAt;
  for (const [ownerId, keys] of byOwner) {
    const ownerSent = new Set(
      [...sent].filter((id) => id.startsWith(`${ownerId}:`)).map((id) => id.slice(ownerId.length + 1)),
    );
    // A step sent already stays where it was reached: held again to its recipient's next window, it
    // would drop out of what is reached, and a reminder it overtook would be sent after it. One due
    // before `now` may go out in the recipient's hours from `now`.
    const holdAt = (step: InputStep, from: number) =>
      sendableAt
        ? sendableAt(ownerId, { ...step, dueAt: new Date(Math.max(step.dueAt.getTime(), from)) })
        : step.dueAt;
    const held = ladder
      .map((step) => (ownerSent.has(step.id) ? step : { ...step, dueAt: holdAt(step, now.getTime()) }))
      .filter((step) => step.dueAt.getTime() < inputsDueAt.getTime());
    const soon = overtakenSoon(
      ladder.map((step) => ({ ...step, dueAt: holdAt(step, 0) })),
      inputsDueAt,
    );
    const ownerDue = dueSteps(held, now, ownerSent).filter((step) => !soon.has(step.id));
    for (const step of ownerDue) send.push({ ownerId, step, keys: keys.sort() });
    // A reminder before a step already sent (or sent now) is overtaken for good: nothing to wake for;
    // nor is one its next step follows within REMINDER_OVERTAKEN_WITHIN_MS.
    const done = new Set([...ownerSent, ...send.filter((s) => s.ownerId === ownerId).map((s) => s.step.id)]);
    const lastDone = held.findLastIndex((step) => done.has(step.id));
    const live = held.filter((step, i) => step.kind !== 'reminder' || (i > lastDone && !soon.has(step.id)));
    const next = nextStepAt(live, now, done);
    if (next && next < nextCheckAt) nextCheckAt = next;
  }
  return { allAnswered, deadlinePassed, notProvided: [], send, nextCheckAt };
}
