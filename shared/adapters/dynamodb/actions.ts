/** Actions on DynamoDB: beside their cycle, indexed by owner and by follow-up date. */
import { parseWith } from '../../model/common.ts';
import { Action } from '../../model/action.ts';
import { EventDraft, type CycleEvent } from '../../model/event.ts';
import { cycleIdOfAction } from '../../model/ids.ts';
import { actionKeys, cycleKeys, RANGE_END, SK } from '../../store/keys.ts';
import { AlreadyExists, NotFound, type WriteOptions } from '../../store/errors.ts';
import type { ActionStore, ActionWriteOptions } from '../../store/actions.ts';
import { checkNewActions } from '../../store/write-checks.ts';
import type { EventChain } from './event-chain.ts';
import { toRecord, type DynamoTable, type Item } from './table.ts';

export class DynamoActionStore implements ActionStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly chain: EventChain,
  ) {}

  async createActions(
    inputs: readonly Action[],
    options: WriteOptions = {},
  ): Promise<{ actions: Action[]; event?: CycleEvent }> {
    const actions = inputs.map((action, index) => parseWith(Action, action, `action ${action?.id ?? index}`));
    const cycleId = checkNewActions(actions);
    const draft = options.event && parseWith(EventDraft, options.event, `event for cycle ${cycleId}`);
    const result = await this.chain.write(cycleId, draft, (event, head) => [
      ...actions.map((action) =>
        this.table.createStep(actionItem(action), () => new AlreadyExists('action', action.id)),
      ),
      ...(event
        ? this.chain.steps(cycleId, event, head)
        : [
            this.table.existsStep(
              cycleKeys.cycle(cycleId),
              () => new NotFound('cycle', cycleId, 'actions can only be created for an existing cycle'),
            ),
          ]),
    ]);
    return result.event ? { actions, event: result.event } : { actions };
  }

  async getAction(actionId: string): Promise<Action | undefined> {
    const item = await this.table.getItem(actionKeys.action(cycleIdOfAction(actionId), actionId));
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
    const { events } = await this.chain.writeMany(read.cycleId, drafts, (chained, head) => [
      this.table.versionedPutStep('action', read.id, actionItem(action), read.version),
      ...this.chain.appendSteps(read.cycleId, chained, head),
    ]);
    const last = events.at(-1);
    return last ? { action, event: last } : { action };
  }

  async listActionsOfCycle(cycleId: string): Promise<Action[]> {
    const items = await this.table.queryPrefix(cycleKeys.partition(cycleId), SK.action);
    return items.map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsNeedingFollowUp(programmeId: string, onOrBefore?: string): Promise<Action[]> {
    const items = await this.table.queryIndex(
      'gsi2',
      actionKeys.openPartition(programmeId),
      onOrBefore !== undefined ? { to: `${onOrBefore}#${RANGE_END}` } : {},
    );
    return items.map((item) => toRecord(Action, item, 'action'));
  }

  async listActionsByOwner(programmeId: string, ownerId: string): Promise<Action[]> {
    const items = await this.table.queryIndex('gsi1', actionKeys.ownerPartition(programmeId, ownerId));
    return items.map((item) => toRecord(Action, item, 'action'));
  }
}

export function actionItem(action: Action): Item {
  return {
    ...actionKeys.action(action.cycleId, action.id),
    ...actionKeys.indexKeys(action),
    entity: 'action',
    ...action,
  };
}
