/**
 * Checkpoints: on entering each top-level state the runtime stores the state's name and raw input.
 * Every task or wait handler first waits until the checkpoint of its state is stored
 * (`checkpointed`), so no side effect of a state happens before the state is recorded. `resumeAll()`
 * restarts a RUNNING execution from its checkpoint (`resumedEntryFrom`); a resumed Wait (Seconds) or
 * task timeout counts from when the state was first entered, not from the resume (`entryTime`).
 *
 * The same event log also feeds the state-transition counts of metrics.ts.
 */
import type { RuntimeClock } from './clock.ts';
import { describeError, type Live, type ResumedEntry } from './live-execution.ts';
import type { Checkpoint } from './store.ts';

export interface CheckpointDeps {
  readonly clock: RuntimeClock;
  /** Where checkpoints are written: the top-level states. */
  readonly topLevelStates: ReadonlySet<string>;
  /** Stores one checkpoint (nothing once the runtime stopped writing). */
  readonly save: (executionName: string, checkpoint: Checkpoint) => Promise<unknown>;
  readonly log: (line: string) => void;
}

/** Consumes the library's event log of one run: counts states and retries, chains checkpoint writes. */
export async function recordCheckpoints(
  live: Live,
  events: AsyncGenerator<{ type: string; state?: { name: string; input: unknown }; index?: number }>,
  deps: CheckpointDeps,
): Promise<void> {
  try {
    for await (const event of events) {
      // Counted as billed: states of Parallel branches and Map iterations come through here too.
      if (event.type === 'StateEntered') live.counters.statesEntered += 1;
      else if (event.type === 'StateRetried') live.counters.retries += 1;
      if (event.type !== 'StateEntered' || !event.state || event.index !== undefined) continue;
      if (!deps.topLevelStates.has(event.state.name)) continue;
      let enteredAt = deps.clock.now().toISOString();
      const resumed = live.resumedEntry;
      if (resumed?.forCheckpoint) {
        resumed.forCheckpoint = false;
        if (resumed.stateName === event.state.name) enteredAt = resumed.enteredAt;
      }
      const checkpoint = {
        stateName: event.state.name,
        input: JSON.stringify(event.state.input ?? null),
        enteredAt,
      };
      live.checkpoints = live.checkpoints
        .then(() => deps.save(live.record.name, checkpoint))
        .then(
          () => {},
          (error: unknown) =>
            deps.log(
              `execution ${live.record.name}: checkpoint at ${checkpoint.stateName} not stored: ${describeError(error)}`,
            ),
        );
    }
  } catch (error) {
    deps.log(`execution ${live.record.name}: event log failed: ${describeError(error)}`);
  }
}

/** Waits until the checkpoint of the state being entered is stored. */
export async function checkpointed(live: Live): Promise<void> {
  // The StateEntered event is queued before the handler is called; its consumer runs in
  // microtasks, which all run before setImmediate fires.
  await new Promise((resolve) => setImmediate(resolve));
  await live.checkpoints;
}

/** When this state was entered: the real first entry for a resumed state, else now. */
export function entryTime(live: Live, stateName: string, clock: RuntimeClock): number {
  const resumed = live.resumedEntry;
  if (resumed?.forHandler) {
    resumed.forHandler = false;
    if (resumed.stateName === stateName) return Date.parse(resumed.enteredAt);
  }
  return clock.nowMs();
}

/** How a resumed run treats its first state: as entered when the checkpoint says. */
export function resumedEntryFrom(checkpoint: Checkpoint | undefined): ResumedEntry | undefined {
  return checkpoint
    ? {
        stateName: checkpoint.stateName,
        enteredAt: checkpoint.enteredAt,
        forCheckpoint: true,
        forHandler: true,
      }
    : undefined;
}
