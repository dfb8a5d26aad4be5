/**
 * A ladder is a list of follow-up steps (reminders, then escalations) that fall due at set times.
 * Both input collection and action follow-up use one. Each step has a stable id; the caller records
 * a step as sent with a conditional write keyed by it, so no step is ever sent twice.
 */
export interface Step<Kind extends string = string> {
  readonly id: string;
  readonly kind: Kind;
  /** The moment (UTC) from which the step is due. */
  readonly dueAt: Date;
}

/**
 * The steps to send now, in order. When sweeps were missed for a while (an outage), a reminder
 * overtaken by a later step is skipped: whoever is already late gets the later notice, not a stale
 * reminder. Escalations (every kind but `reminderKind`) are never skipped: each rung is evidence.
 */
export function dueSteps<S extends Step>(
  steps: readonly S[],
  now: Date,
  sent: ReadonlySet<string>,
  reminderKind = 'reminder',
): S[] {
  const reached = steps.filter((step) => step.dueAt.getTime() <= now.getTime());
  const latest = reached.at(-1);
  return reached.filter((step) => !sent.has(step.id) && (step.kind !== reminderKind || step === latest));
}

/**
 * When the next unsent step falls due after `now`, if any: the earliest, which need not be the first
 * in ladder order once each step waits for its own recipient's business hours.
 */
export function nextStepAt(steps: readonly Step[], now: Date, sent: ReadonlySet<string>): Date | undefined {
  let next: Date | undefined;
  for (const step of steps) {
    if (step.dueAt.getTime() <= now.getTime() || sent.has(step.id)) continue;
    if (!next || step.dueAt < next) next = step.dueAt;
  }
  return next;
}
