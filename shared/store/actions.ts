/** The action aggregate: actions decided in a review, followed to closure across cycles. */
import type { Action } from '../model/action.ts';
import type { CycleEvent, EventDraft } from '../model/event.ts';
import type { WriteOptions } from './errors.ts';

export interface ActionWriteOptions extends WriteOptions {
  /** Several events (e.g. the ladder steps one sweep sent for the action), in order. */
  readonly events?: readonly EventDraft[];
}

export interface ActionStore {
  /** Creates several actions (e.g. from the minutes) in one transaction. AlreadyExists if any exists. */
  createActions(
    actions: readonly Action[],
    options?: WriteOptions,
  ): Promise<{ actions: Action[]; event?: CycleEvent }>;
  getAction(actionId: string): Promise<Action | undefined>;
  /**
   * Stores `action` (its version = the version read). ConcurrentUpdate / NotFound. With `events`,
   * appends each of them (after `event`, if given) to the cycle's log in the same transaction;
   * `event` in the result is the last one appended.
   */
  updateAction(action: Action, options?: ActionWriteOptions): Promise<{ action: Action; event?: CycleEvent }>;
  listActionsOfCycle(cycleId: string): Promise<Action[]>;
  /** Actions that need follow-up, by follow-up date (optionally up to `onOrBefore`, yyyy-mm-dd). */
  listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]>;
  listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]>;
}
