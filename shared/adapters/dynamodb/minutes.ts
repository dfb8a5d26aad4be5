/** Minutes on DynamoDB: each version beside the cycle, stored in one transaction with what accepting them changes. */
import { parseWith } from '../../model/common.ts';
import { Action } from '../../model/action.ts';
import { Cycle } from '../../model/cycle.ts';
import { EventDraft, type CycleEvent } from '../../model/event.ts';
import { MinutesRecord } from '../../model/minutes-record.ts';
import { cycleKeys, minutesKeys, SK } from '../../store/keys.ts';
import { AlreadyExists, NotFound } from '../../store/errors.ts';
import type { MinutesStore, SavedMinutes, SaveMinutesOptions } from '../../store/minutes.ts';
import { checkMinutesWrite } from '../../store/write-checks.ts';
import { actionItem } from './actions.ts';
import { cycleUpdateStep } from './cycles.ts';
import type { EventChain } from './event-chain.ts';
import { toRecord, type DynamoTable, type Step } from './table.ts';

export class DynamoMinutesStore implements MinutesStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly chain: EventChain,
  ) {}

  async saveMinutes(input: MinutesRecord, options: SaveMinutesOptions = {}): Promise<SavedMinutes> {
    const minutes = parseWith(MinutesRecord, input, `minutes ${input?.cycleId} version ${input?.version}`);
    const { cycleId, version } = minutes;
    const id = `${cycleId} version ${version}`;
    const newActions = (options.newActions ?? []).map((action, index) =>
      parseWith(Action, action, `action ${action?.id ?? index}`),
    );
    const changedRead = (options.changedActions ?? []).map((action, index) =>
      parseWith(Action, action, `action ${action?.id ?? index}`),
    );
    const cycleRead = options.cycle && parseWith(Cycle, options.cycle, `cycle ${options.cycle?.id}`);
    const drafts = [...(options.event ? [options.event] : []), ...(options.events ?? [])].map((draft) =>
      parseWith(EventDraft, draft, `event for cycle ${cycleId}`),
    );
    checkMinutesWrite(minutes, { newActions, changedActions: changedRead, cycle: cycleRead });

    const cycle = cycleRead && { ...cycleRead, version: cycleRead.version + 1 };
    const changedActions = changedRead.map((action) => ({ ...action, version: action.version + 1 }));
    let events: CycleEvent[] = [];
    await this.chain.write(cycleId, drafts[0], (first, head) => {
      events = [];
      if (first) {
        events.push(first);
        for (const draft of drafts.slice(1))
          events.push(this.chain.build(cycleId, events[events.length - 1]!, draft));
      }
      const last = events[events.length - 1];
      const steps: Step[] = [
        this.table.createStep(
          { ...minutesKeys.minutes(cycleId, version), entity: 'minutes', ...minutes },
          () =>
            new AlreadyExists(
              'minutes',
              id,
              `version ${version} of the minutes was recorded already (perhaps at the same moment); nothing was written: reload the latest minutes`,
            ),
        ),
      ];
      if (version > 1) {
        steps.push(
          this.table.existsStep(
            minutesKeys.minutes(cycleId, version - 1),
            () =>
              new NotFound(
                'minutes',
                `${cycleId} version ${version - 1}`,
                `versions follow each other: version ${version} can only replace a recorded version ${version - 1}`,
              ),
          ),
        );
      }
      for (const action of newActions) {
        steps.push(this.table.createStep(actionItem(action), () => new AlreadyExists('action', action.id)));
      }
      changedActions.forEach((action, index) => {
        steps.push(
          this.table.versionedPutStep('action', action.id, actionItem(action), changedRead[index]!.version),
        );
      });
      if (cycleRead && cycle) steps.push(cycleUpdateStep(this.table, cycleRead, cycle, head, last));
      else if (last && head) steps.push(this.chain.headStep(cycleId, head, last));
      else {
        steps.push(
          this.table.existsStep(
            cycleKeys.cycle(cycleId),
            () => new NotFound('cycle', cycleId, 'minutes are recorded for an existing cycle'),
          ),
        );
      }
      for (const event of events) steps.push(this.chain.putStep(event));
      return steps;
    });
    return { minutes, ...(cycle ? { cycle } : {}), newActions, changedActions, events };
  }

  async getMinutes(cycleId: string): Promise<MinutesRecord | undefined> {
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId), ':prefix': SK.minutes },
        ScanIndexForward: false,
      },
      1,
      true,
    );
    return items[0] && toRecord(MinutesRecord, items[0], `minutes of cycle ${cycleId}`);
  }

  async listMinutes(cycleId: string): Promise<MinutesRecord[]> {
    const items = await this.table.queryPrefix(cycleKeys.partition(cycleId), SK.minutes);
    return items.map((item) => toRecord(MinutesRecord, item, `minutes of cycle ${cycleId}`));
  }
}
