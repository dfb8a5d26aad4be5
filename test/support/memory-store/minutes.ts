/**
 * MinutesStore in memory: every version of a cycle's minutes under MINUTES#<version>, stored in
 * one transaction with what accepting them creates (actions, the cycle's dates, the events).
 */
import { checkMinutesWrite } from '#shared/store/write-checks.ts';
import { Action } from '#shared/model/action.ts';
import { parseWith } from '#shared/model/common.ts';
import { Cycle } from '#shared/model/cycle.ts';
import { EventDraft, type CycleEvent } from '#shared/model/event.ts';
import { MinutesRecord } from '#shared/model/minutes-record.ts';
import { cycleKeys, minutesKeys, SK } from '#shared/store/keys.ts';
import type { MinutesStore, SavedMinutes, SaveMinutesOptions } from '#shared/store/minutes.ts';
import { AlreadyExists, NotFound } from '#shared/store/repository.ts';
import type { EventChain } from './chain.ts';
import { actionItem, cycleUpdateStep, existsStep, newItemStep, versionedPutStep } from './items.ts';
import { toRecord, type MemoryTables, type Step } from './table.ts';

export class MemoryMinutesStore implements MinutesStore {
  constructor(
    private readonly tables: MemoryTables,
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
    const { main } = this.tables;
    let events: CycleEvent[] = [];
    await this.chain.withEventRetry(cycleId, drafts[0], (first, head) => {
      events = [];
      if (first) {
        events.push(first);
        for (const draft of drafts.slice(1))
          events.push(this.chain.build(cycleId, events[events.length - 1]!, draft));
      }
      const last = events[events.length - 1];
      const steps: Step[] = [
        newItemStep(
          main,
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
          existsStep(
            main,
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
        steps.push(newItemStep(main, actionItem(action), () => new AlreadyExists('action', action.id)));
      }
      changedActions.forEach((action, index) => {
        steps.push(
          versionedPutStep(main, 'action', action.id, actionItem(action), changedRead[index]!.version),
        );
      });
      if (cycleRead && cycle) steps.push(cycleUpdateStep(main, cycleRead, cycle, head, last));
      else if (last && head) steps.push(this.chain.chainHeadStep(cycleId, head, last));
      else {
        steps.push(
          existsStep(
            main,
            cycleKeys.cycle(cycleId),
            () => new NotFound('cycle', cycleId, 'minutes are recorded for an existing cycle'),
          ),
        );
      }
      for (const event of events) steps.push(this.chain.eventPutStep(event));
      return steps;
    });
    return { minutes, ...(cycle ? { cycle } : {}), newActions, changedActions, events };
  }

  async getMinutes(cycleId: string): Promise<MinutesRecord | undefined> {
    const [latest] = this.tables.main.query(cycleKeys.partition(cycleId), {
      range: { prefix: SK.minutes },
      descending: true,
      limit: 1,
    });
    return latest && toRecord(MinutesRecord, latest, `minutes of cycle ${cycleId}`);
  }

  async listMinutes(cycleId: string): Promise<MinutesRecord[]> {
    return this.tables.main
      .query(cycleKeys.partition(cycleId), { range: { prefix: SK.minutes } })
      .map((item) => toRecord(MinutesRecord, item, `minutes of cycle ${cycleId}`));
  }
}
