/**
 * InboundMailStore in memory: held messages in month partitions (HELD#<yyyy-mm>, by id) with a link
 * from their Message-ID that makes holding idempotent, the daily quotas (QUOTA#<scope>), and the
 * receipt mark, written with the receipt's event in one transaction.
 */
import { InvalidData, parseWith } from '#shared/model/common.ts';
import { EventDraft, type CycleEvent } from '#shared/model/event.ts';
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
} from '#shared/store/held-mail.ts';
import { ReplyTokenRecord } from '#shared/model/records.ts';
import { heldMailKeys, messageKeys, quotaKeys, replyTokenKeys } from '#shared/store/keys.ts';
import { AlreadyExists } from '#shared/store/repository.ts';
import type { EventChain } from './chain.ts';
import { assertMessageId, NO_DEDUPE, seenItem } from './mail-records.ts';
import { newItemStep } from './items.ts';
import { toRecord, type MemoryTables } from './table.ts';

export class MemoryInboundMailStore implements InboundMailStore {
  constructor(
    private readonly tables: MemoryTables,
    private readonly chain: EventChain,
  ) {}

  async holdMessage(input: HeldMail): Promise<{ held: HeldMail; first: boolean }> {
    const record = parseWith(HeldMail, input, 'held message');
    const link = heldMailKeys.byMessage(messageKeys.hashOf(record.messageId));
    const { main } = this.tables;
    const heldBefore = () => new AlreadyExists('notification', record.id, 'held before');
    try {
      await this.tables.write([
        newItemStep(main, { ...link, entity: 'held-link', heldId: record.id }, heldBefore),
        newItemStep(main, { ...heldMailKeys.held(record.id), entity: 'held', ...record }, heldBefore),
      ]);
      return { held: record, first: true };
    } catch (error) {
      if (!(error instanceof AlreadyExists)) throw error;
      const existing = main.get(link);
      const heldId = typeof existing?.heldId === 'string' ? existing.heldId : record.id;
      const held = await this.getHeldMessage(heldId);
      if (!held) throw error;
      return { held, first: false };
    }
  }

  async getHeldMessage(id: string): Promise<HeldMail | undefined> {
    if (!HeldMailId.safeParse(id).success) return undefined;
    const item = this.tables.main.get(heldMailKeys.held(id));
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
    // Ids have second precision: read the whole seconds, then keep [since, until) by receipt time.
    const from = heldMailId(since.toISOString(), '0'.repeat(16));
    const to = heldMailId(until.toISOString(), 'f'.repeat(16));
    const status = query.status ?? 'held';
    const out: HeldMail[] = [];
    const month = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
    while (month.getTime() <= until.getTime()) {
      const items = this.tables.main.query(heldMailKeys.partition(month.toISOString().slice(0, 7)), {
        range: { from, to },
      });
      for (const item of items) {
        const held = toRecord(HeldMail, item, 'held message');
        const at = Date.parse(held.receivedAt);
        if (at < since.getTime() || at >= until.getTime()) continue;
        if (status !== 'all' && held.status !== status) continue;
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
    const key = heldMailKeys.held(id);
    const item = this.tables.main.get(key);
    if (item?.status !== 'held') throw new HeldMailAlreadyReleased(`held message ${id} was released already`);
    this.tables.main.put({
      ...item,
      status: 'released',
      releasedAt: released.releasedAt,
      releasedBy: released.releasedBy,
      releaseOutcome: released.releaseOutcome,
    });
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
    const key = quotaKeys.day(scope, day);
    const counter = this.tables.main.get(key);
    const used = typeof counter?.used === 'number' ? counter.used : undefined;
    // One conditional add on DynamoDB; here nothing runs between the read and the write.
    if (used !== undefined && used > limit - amount) return false;
    this.tables.main.put({ ...key, ...counter, entity: 'quota', used: (used ?? 0) + amount });
    return true;
  }

  async consumeDailyQuotas(
    scope: string,
    day: string,
    counters: readonly DailyCounter[],
  ): Promise<{ exceeded?: string }> {
    checkDailyCounters(scope, day, counters);
    const key = quotaKeys.day(scope, day);
    const item = this.tables.main.get(key);
    const used = (name: string) => {
      const value = item?.[`used_${name}`];
      return typeof value === 'number' ? value : 0;
    };
    // One conditional update on DynamoDB; here nothing runs between the read and the write.
    const full = counters.find((c) => c.amount > c.limit || used(c.name) > c.limit - c.amount);
    if (full) return { exceeded: full.name };
    const added = Object.fromEntries(counters.map((c) => [`used_${c.name}`, used(c.name) + c.amount]));
    this.tables.main.put({ ...key, ...item, entity: 'quota', ...added });
    return {};
  }

  async lookUpInbound(
    messageId: string,
    tokenIds: readonly string[],
  ): Promise<{ seen: boolean; tokens: ReplyTokenRecord[] }> {
    const seen = await this.messageSeen(messageId);
    const tokens = [...new Set(tokenIds.filter((id) => id !== ''))]
      .slice(0, MAX_LOOKED_UP_TOKENS)
      .map((id) => this.tables.main.get(replyTokenKeys.token(id)))
      .filter((item) => item !== undefined)
      .map((item) => toRecord(ReplyTokenRecord, item, 'reply token'));
    return { seen, tokens };
  }

  async messageSeen(messageId: string): Promise<boolean> {
    if (messageKeys.normalise(messageId) === '') return false;
    return this.tables.main.get(messageKeys.message(messageKeys.hashOf(messageId))) !== undefined;
  }

  async recordMessageReceived(
    messageId: string,
    seen: { at: string; rawS3Key?: string },
    log?: { cycleId: string; event: EventDraft },
  ): Promise<{ first: boolean; event?: CycleEvent }> {
    assertMessageId(messageId, NO_DEDUPE);
    // Without an event, only the mark: what markMessageSeen writes.
    if (!log) return { first: this.tables.putIfAbsent(seenItem(messageId, seen)) };
    const draft = parseWith(EventDraft, log.event, `event for cycle ${log.cycleId}`);
    const item = seenItem(messageId, seen);
    try {
      const result = await this.chain.withEventRetry(log.cycleId, draft, (event, head) => [
        newItemStep(
          this.tables.main,
          item,
          () => new AlreadyExists('notification', messageId, 'seen before'),
        ),
        ...this.chain.eventSteps(log.cycleId, event, head),
      ]);
      return { first: true, ...(result.event ? { event: result.event } : {}) };
    } catch (error) {
      if (error instanceof AlreadyExists) return { first: false };
      throw error;
    }
  }
}
