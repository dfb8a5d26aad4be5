/**
 * Time along an event chain. Each event's `at` is the time it was recorded, and it is recorded
 * after the event before it, so times never decrease along the chain (the stores keep it so:
 * hash-chain.ts chainEvent). Logs written before that rule may hold events whose `at` is a
 * business time (when a reply arrived, when SES delivered) or a clock read before a slow step,
 * earlier than their predecessor's. `evidence verify` names each such place as a warning: the
 * chain still proves the order, the times are only less exact.
 */

/** The parts of an event this reads. */
export interface TimedEvent {
  readonly seq: number;
  readonly type?: unknown;
  readonly at?: unknown;
}

export interface BackwardTime {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  /** The event before it, and its time. */
  readonly previousSeq: number;
  readonly previousAt: string;
}

/** Every event whose time is earlier than its predecessor's, in order (events without a readable time are passed over). */
export function backwardTimes(events: readonly TimedEvent[]): BackwardTime[] {
  const found: BackwardTime[] = [];
  let previous: { seq: number; at: string; ms: number } | undefined;
  for (const event of events) {
    const ms = typeof event.at === 'string' ? Date.parse(event.at) : Number.NaN;
    if (Number.isNaN(ms)) continue;
    const at = event.at as string;
    if (previous && ms < previous.ms) {
      found.push({
        seq: event.seq,
        type: String(event.type),
        at,
        previousSeq: previous.seq,
        previousAt: previous.at,
      });
    }
    previous = { seq: event.seq, at, ms };
  }
  return found;
}

/** How many places verify names one by one; the rest are counted. */
const NAMED = 10;

/** The warning `evidence verify` gives for `found`, or undefined when time never runs backwards. */
export function backwardTimesWarning(found: readonly BackwardTime[], file: string): string | undefined {
  if (found.length === 0) return undefined;
  const places = found
    .slice(0, NAMED)
    .map(
      (b) => `seq ${b.seq} (${b.type}) at ${b.at} is earlier than seq ${b.previousSeq} at ${b.previousAt}`,
    );
  const more = found.length > NAMED ? `; and ${found.length - NAMED} more` : '';
  return (
    `TIME RUNS BACKWARDS in ${file} at ${found.length} place(s): ${places.join('; ')}${more}. ` +
    'The chain still proves the order of the events; these times were stamped before the event was recorded (a business time or an early clock reading), so read them as approximate.'
  );
}
