/** The event log on DynamoDB: the head on the cycle item, the events in the append-only events table. */
import { parseWith } from '../../model/common.ts';
import { CycleEvent, EventDraft, type ChainHead } from '../../model/event.ts';
import { cycleKeys, eventKeys, RANGE_END, SK } from '../../store/keys.ts';
import type { EventLog } from '../../store/event-log.ts';
import type { EventChain } from './event-chain.ts';
import { toRecord, type DynamoTable } from './table.ts';

export class DynamoEventLog implements EventLog {
  constructor(
    private readonly table: DynamoTable,
    private readonly chain: EventChain,
  ) {}

  async getChainHead(cycleId: string): Promise<ChainHead> {
    const { seq, hash } = await this.chain.head(cycleId);
    return { seq, hash };
  }

  async appendEvent(
    cycleId: string,
    input: EventDraft,
    options: { maxAttempts?: number } = {},
  ): Promise<CycleEvent> {
    const draft = parseWith(EventDraft, input, `event for cycle ${cycleId}`);
    const result = await this.chain.write(
      cycleId,
      draft,
      (event, head) => this.chain.steps(cycleId, event, head),
      options.maxAttempts,
    );
    return result.event!;
  }

  async listEvents(cycleId: string, fromSeq = 1): Promise<CycleEvent[]> {
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': cycleKeys.partition(cycleId),
          ':from': eventKeys.fromSeq(Math.max(1, fromSeq)),
          ':to': `${SK.event}${RANGE_END}`,
        },
      },
      undefined,
      true,
      this.table.eventsTableName,
    );
    return items.map((item) => toRecord(CycleEvent, item, 'event'));
  }
}
