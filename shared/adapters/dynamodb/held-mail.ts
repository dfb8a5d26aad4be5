/** Held mail, daily quotas and receipts on DynamoDB (shared/store/held-mail.ts): outside every cycle's chain, except the receipt's own event. */
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidData, parseWith } from '../../model/common.ts';
import { EventDraft, type CycleEvent } from '../../model/event.ts';
import { ReplyTokenRecord } from '../../model/records.ts';
import { heldMailKeys, messageKeys, quotaKeys, replyTokenKeys, type Key } from '../../store/keys.ts';
import { AlreadyExists } from '../../store/errors.ts';
import {
  checkDailyCounters,
  MAX_LOOKED_UP_TOKENS,
  type DailyCounter,
  HELD_MAIL_TTL_DAYS,
  HeldMail,
  HeldMailAlreadyReleased,
  HeldMailId,
  HeldMailNotFound,
  heldMailId,
  type HeldMailQuery,
  type InboundMailStore,
} from '../../store/held-mail.ts';
import { TTL_ATTRIBUTE } from '../../store/table-design.ts';
import type { EventChain } from './event-chain.ts';
import { seenItem } from './mail-records.ts';
import {
  isConditionalCheckFailed,
  numberAttribute,
  toRecord,
  ttlAfter,
  type DynamoTable,
  type Item,
} from './table.ts';

export class DynamoInboundMailStore implements InboundMailStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly chain: EventChain,
  ) {}

  async holdMessage(input: HeldMail): Promise<{ held: HeldMail; first: boolean }> {
    const record = parseWith(HeldMail, input, 'held message');
    const messageIdHash = messageKeys.hashOf(record.messageId);
    const ttl = ttlAfter(record.receivedAt, HELD_MAIL_TTL_DAYS);
    const link = heldMailKeys.byMessage(messageIdHash);
    try {
      const heldBefore = () => new AlreadyExists('notification', record.id, 'held before');
      await this.table.transact([
        this.table.createStep(
          { ...link, entity: 'held-link', heldId: record.id, [TTL_ATTRIBUTE]: ttl },
          heldBefore,
        ),
        this.table.createStep(
          { ...heldMailKeys.held(record.id), entity: 'held', ...record, [TTL_ATTRIBUTE]: ttl },
          heldBefore,
        ),
      ]);
      return { held: record, first: true };
    } catch (error) {
      if (!(error instanceof AlreadyExists)) throw error;
      const existing = await this.table.getItem(link);
      const heldId = typeof existing?.heldId === 'string' ? existing.heldId : record.id;
      const held = await this.getHeldMessage(heldId);
      if (!held) throw error;
      return { held, first: false };
    }
  }

  async getHeldMessage(id: string): Promise<HeldMail | undefined> {
    if (!HeldMailId.safeParse(id).success) return undefined;
    const item = await this.table.getItem(heldMailKeys.held(id));
    return item && toRecord(HeldMail, item, 'held message');
  }

  async listHeldMessages(query: HeldMailQuery): Promise<HeldMail[]> {
    const since = new Date(query.since);
    const until = new Date(query.until);
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
      throw new InvalidData('held mail query', [
        { path: '(root)', message: 'since and until must be times' },
      ]);
    }
    // Ids have second precision: query the whole seconds, then keep [since, until) by receipt time.
    const fromId = heldMailId(since.toISOString(), '0'.repeat(16));
    const toId = heldMailId(until.toISOString(), 'f'.repeat(16));
    const out: HeldMail[] = [];
    const month = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
    while (month.getTime() <= until.getTime()) {
      const items = await this.table.queryAll(
        {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': heldMailKeys.partition(month.toISOString().slice(0, 7)),
            ':from': fromId,
            ':to': toId,
          },
        },
        undefined,
        true,
      );
      for (const item of items) {
        const held = toRecord(HeldMail, item, 'held message');
        const at = Date.parse(held.receivedAt);
        if (at < since.getTime() || at >= until.getTime()) continue;
        if ((query.status ?? 'held') !== 'all' && held.status !== (query.status ?? 'held')) continue;
        out.push(held);
        if (query.limit !== undefined && out.length >= query.limit) return out;
      }
      month.setUTCMonth(month.getUTCMonth() + 1);
    }
    return out;
  }

  async markHeldReleased(
    id: string,
    release: { at: string; by: string; outcome: string },
  ): Promise<HeldMail> {
    const current = await this.getHeldMessage(id);
    if (!current)
      throw new HeldMailNotFound(
        `no held message ${id} (it may have expired after ${HELD_MAIL_TTL_DAYS} days)`,
      );
    const released = parseWith(
      HeldMail,
      {
        ...current,
        status: 'released',
        releasedAt: release.at,
        releasedBy: release.by,
        releaseOutcome: release.outcome.slice(0, 2000),
      },
      `held message ${id}`,
    );
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: heldMailKeys.held(id),
          UpdateExpression:
            'SET #status = :released, releasedAt = :at, releasedBy = :by, releaseOutcome = :outcome',
          ConditionExpression: '#status = :held',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':released': 'released',
            ':held': 'held',
            ':at': released.releasedAt,
            ':by': released.releasedBy,
            ':outcome': released.releaseOutcome,
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new HeldMailAlreadyReleased(`held message ${id} was released already`);
      }
      throw error;
    }
    return released;
  }

  async consumeDailyQuota(scope: string, day: string, amount: number, limit: number): Promise<boolean> {
    if (!/^[A-Za-z0-9:._-]{1,200}$/.test(scope) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      throw new InvalidData('quota', [
        { path: '(root)', message: `scope ${scope} or day ${day} is not usable in a key` },
      ]);
    }
    if (!Number.isInteger(amount) || amount < 0 || !Number.isInteger(limit) || limit < 0) {
      throw new InvalidData('quota', [{ path: '(root)', message: 'amount and limit are whole numbers' }]);
    }
    if (amount > limit) return false;
    return this.table.conditional(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: quotaKeys.day(scope, day),
          UpdateExpression: 'SET entity = :entity, #ttl = :ttl ADD used :amount',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':entity': 'quota',
            ':amount': amount,
            ':room': limit - amount,
            ':ttl': ttlAfter(`${day}T00:00:00.000Z`, 3),
          },
        }),
      ),
    );
  }

  async consumeDailyQuotas(
    scope: string,
    day: string,
    counters: readonly DailyCounter[],
  ): Promise<{ exceeded?: string }> {
    checkDailyCounters(scope, day, counters);
    const firstFull = (item: Item | undefined) =>
      (
        counters.find(
          (c) => c.amount > c.limit || (numberAttribute(item, `used_${c.name}`) ?? 0) > c.limit - c.amount,
        ) ?? counters[0]!
      ).name;
    // An amount above its limit never fits; which counter is named first depends on the others' use.
    if (counters.some((c) => c.amount > c.limit)) {
      return { exceeded: firstFull(await this.table.getItem(quotaKeys.day(scope, day))) };
    }
    const names: Record<string, string> = { '#ttl': TTL_ATTRIBUTE };
    const values: Item = { ':entity': 'quota', ':ttl': ttlAfter(`${day}T00:00:00.000Z`, 3) };
    const conditions: string[] = [];
    const adds: string[] = [];
    for (const [index, counter] of counters.entries()) {
      names[`#c${index}`] = `used_${counter.name}`;
      values[`:a${index}`] = counter.amount;
      values[`:r${index}`] = counter.limit - counter.amount;
      conditions.push(`(attribute_not_exists(#c${index}) OR #c${index} <= :r${index})`);
      adds.push(`#c${index} :a${index}`);
    }
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: quotaKeys.day(scope, day),
          UpdateExpression: `SET entity = :entity, #ttl = :ttl ADD ${adds.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {};
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const old = (error as { Item?: Item }).Item ?? (await this.table.getItem(quotaKeys.day(scope, day)));
      return { exceeded: firstFull(old) };
    }
  }

  async lookUpInbound(
    messageId: string,
    tokenIds: readonly string[],
  ): Promise<{ seen: boolean; tokens: ReplyTokenRecord[] }> {
    const seenKey =
      messageKeys.normalise(messageId) === ''
        ? undefined
        : messageKeys.message(messageKeys.hashOf(messageId));
    const tokenKeys = [...new Set(tokenIds.filter((id) => id !== ''))]
      .slice(0, MAX_LOOKED_UP_TOKENS)
      .map((id) => replyTokenKeys.token(id));
    let pending: Key[] = [...(seenKey ? [seenKey] : []), ...tokenKeys];
    const items: Item[] = [];
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const output = await this.table.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.table.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(output.Responses?.[this.table.tableName] ?? []));
      pending = (output.UnprocessedKeys?.[this.table.tableName]?.Keys ?? []) as Key[];
      // Keys DynamoDB left unprocessed (throttling) are asked again after a short pause.
      if (pending.length > 0)
        await new Promise((wake) => setTimeout(wake, Math.min(1000, 20 * 2 ** attempt)));
    }
    const seen = seenKey !== undefined && items.some((i) => i.pk === seenKey.pk && i.sk === seenKey.sk);
    const tokens = items
      .filter((i) => i.sk === 'REPLY' && String(i.pk).startsWith('REPLY#'))
      .map((i) => toRecord(ReplyTokenRecord, i, 'reply token'));
    return { seen, tokens };
  }

  async messageSeen(messageId: string): Promise<boolean> {
    if (messageKeys.normalise(messageId) === '') return false;
    return (await this.table.getItem(messageKeys.message(messageKeys.hashOf(messageId)))) !== undefined;
  }

  async recordMessageReceived(
    messageId: string,
    seen: { at: string; rawS3Key?: string },
    log?: { cycleId: string; event: EventDraft },
  ): Promise<{ first: boolean; event?: CycleEvent }> {
    const item = seenItem(messageId, seen);
    if (!log) return { first: await this.table.putIfAbsent(item) };
    const draft = parseWith(EventDraft, log.event, `event for cycle ${log.cycleId}`);
    const seenStep = this.table.createStep(
      item,
      () => new AlreadyExists('notification', messageId, 'seen before'),
    );
    try {
      const result = await this.chain.write(log.cycleId, draft, (event, head) => [
        seenStep,
        ...this.chain.steps(log.cycleId, event, head),
      ]);
      return { first: true, ...(result.event ? { event: result.event } : {}) };
    } catch (error) {
      if (error instanceof AlreadyExists) return { first: false };
      throw error;
    }
  }
}
