/** The minutes aggregate: every version of a cycle's minutes, stored with what accepting them creates. */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { CycleEvent, EventDraft } from '../model/event.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { WriteOptions } from './errors.ts';

/**
 * What else is stored in the transaction that stores minutes (acceptance: the minutes, the
 * actions they create, the cycle's meeting dates and the events, all or nothing).
 */
export interface SaveMinutesOptions extends WriteOptions {
  /** Events appended after `event`, in this order. */
  readonly events?: readonly EventDraft[];
  /** Actions the minutes create: each new, version 1 (AlreadyExists if any exists). */
  readonly newActions?: readonly Action[];
  /** Actions changed with them, e.g. cancelled because a correction replaces them (version = the version read). */
  readonly changedActions?: readonly Action[];
  /** The cycle as changed by the caller, e.g. heldAt and minutesApprovedAt set (version = the version read). */
  readonly cycle?: Cycle;
}

export interface SavedMinutes {
  readonly minutes: MinutesRecord;
  /** The stored cycle, when one was given. */
  readonly cycle?: Cycle;
  readonly newActions: Action[];
  readonly changedActions: Action[];
  /** The events appended, in order (`event` first). */
  readonly events: CycleEvent[];
}

export interface MinutesStore {
  /**
   * Stores a version of a cycle's minutes: version 1, or the latest + 1 (NotFound when the
   * previous version is missing; AlreadyExists when this version is taken, e.g. by a concurrent
   * acceptance), with everything in `options` in the same transaction.
   */
  saveMinutes(record: MinutesRecord, options?: SaveMinutesOptions): Promise<SavedMinutes>;
  /** The latest version of the cycle's minutes, if any. */
  getMinutes(cycleId: string): Promise<MinutesRecord | undefined>;
  /** Every version of the cycle's minutes, oldest first. */
  listMinutes(cycleId: string): Promise<MinutesRecord[]>;
}
