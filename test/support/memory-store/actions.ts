/**
 * ActionStore in memory: actions in their cycle's partition, indexed by owner (gsi1, every action)
 * and by follow-up date (gsi2, only while an action needs follow-up).
 */
import { checkNewActions } from '#shared/store/write-checks.ts';
import { Action } from '#shared/model/action.ts';
import { parseWith } from '#shared/model/common.ts';
import { EventDraft, type CycleEvent } from '#shared/model/event.ts';
import { cycleIdOfAction } from '#shared/model/ids.ts';
import type { ActionStore, ActionWriteOptions } from '#shared/store/actions.ts';
import { actionKeys, cycleKeys, RANGE_END, SK } from '#shared/store/keys.ts';
import { AlreadyExists, NotFound, type WriteOptions } from '#shared/store/repository.ts';
import type { EventChain } from './chain.ts';
import { actionItem, existsStep, newItemStep, versionedPutStep } from './items.ts';
import { toRecord, type MemoryTables } from './table.ts';

export class MemoryActionStore implements ActionStore {
  constructor(
    private readonly tables: MemoryTables,
    private readonly chain: EventChain,
  ) {}

  async createActions(
    inputs: readonly Action[],
    options: WriteOptions = {},
  ): Promise<{ actions: Action[]; event?: CycleEvent }> {
    const actions = inputs.map((action, index) => parseWith(Action, action, `action ${action?.id ?? index}`));
    const cycleId = checkNewActions(actions);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${cycleId}`);
    const { main } = this.tables;
    const result = await this.chain.withEventRetry(cycleId, draft, (event, head) => [
      ...actions.map((action) =>
        newItemStep(main, actionItem(action), () => new AlreadyExists('action', action.id)),
      ),
      ...(event
        ? this.chain.eventSteps(cycleId, event, head)
        : [
            existsStep(
              main,
              cycleKeys.cycle(cycleId),
              () => new NotFound('cycle', cycleId, 'actions can only be created for an existing cycle'),
            ),
          ]),
    ]);
    return result.event ? { actions, event: result.event } : { actions };
  }

  async getAction(actionId: string): Promise<Action | undefined> {
    const item = this.tables.main.get(actionKeys.action(cycleIdOfAction(actionId), actionId));
    return item && toRecord(Action, item, `action ${actionId}`);
  }

  async updateAction(
    input: Action,
    options: ActionWriteOptions = {},
  ): Promise<{ action: Action; event?: CycleEvent }> {
    const read = parseWith(Action, input, `action ${input?.id}`);
    const drafts = [...(options.event ? [options.event] : []), ...(options.events ?? [])].map((draft) =>
      parseWith(EventDraft, draft, `event for cycle ${read.cycleId}`),
    );
    const action: Action = { ...read, version: read.version + 1 };
    const { events } = await this.chain.withEventsRetry(read.cycleId, drafts, (chained, head) => [
      versionedPutStep(this.tables.main, 'action', read.id, actionItem(action), read.version),
      ...this.chain.appendSteps(read.cycleId, chained, head),
    ]);
    const last = events.at(-1);
    return last ? { action, event: last } : { action };
  }

  async listActionsOfCycle(cycleId: string): Promise<Action[]> {
    return this.tables.main
      .query(cycleKeys.partition(cycleId), { range: { prefix: SK.action } })
      .map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]> {
    return this.tables.main
      .queryIndex('gsi2', actionKeys.openPartition(programmeId), {
        range: onOrBefore !== undefined ? { to: `${onOrBefore}#${RANGE_END}` } : {},
      })
      .map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]> {
    return this.tables.main
      .queryIndex('gsi1', actionKeys.ownerPartition(programmeId, ownerId))
      .map((item) => toRecord(Action, item, 'action'));
  }
}
