/**
 * SES delivery receipts into a cycle's log on DynamoDB Local: recorded once however often
 * EventBridge delivers them, skipped (and said why) when they are not a review's, refused when
 * they are not SES events.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { FixedClock } from '#shared/clock.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidMailEvent, recordMailEvent } from '#shared/evidence/mail-events.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle } from '#test/unit/model/builders.ts';

const cycle = aCycle({ phase: 'DISTRIBUTED' });
let repo: DynamoDbRepository;
const clock = new FixedClock(new Date('2026-10-24T08:05:00.000Z'));

/** An SES event as EventBridge delivers it for the configuration set. */
function sesEvent(
  eventType: string,
  detail: Record<string, unknown> = {},
  tags: Record<string, string[]> = {},
) {
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': `Email ${eventType}`,
    detail: {
      eventType,
      mail: {
        timestamp: '2026-10-24T08:00:00.123Z',
        messageId: '0102019a2b3c4d5e-6f708192-a3b4-4c5d-8e9f-0a1b2c3d4e5f-000000',
        destination: ['ceo@example.com', 'cto@example.com'],
        tags: { cycle: [cycle.id], purpose: ['package'], 'ses:configuration-set': ['isms-review'], ...tags },
      },
      ...detail,
    },
  };
}

const DELIVERY = {
  timestamp: '2026-10-24T08:00:02.500Z',
  recipients: ['CEO@example.com'],
  smtpResponse: '250 2.0.0 OK',
};
const delivered = sesEvent('Delivery', { delivery: DELIVERY });

beforeEach(async () => {
  const table = await freshTable('mail-events');
  repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
  await repo.createCycle(cycle, [], {
    event: { type: 'cycle.opened', at: cycle.openedAt, actor: 'system', data: {} },
  });
});

describe('recordMailEvent', () => {
  it('records a delivery once, however often it is delivered', async () => {
    const first = await recordMailEvent({ repo, clock }, delivered);
    expect(first.recorded).toBe(true);
    // The event is stamped when it is recorded; when SES says it delivered is data.
    expect(first.recorded && first.event).toMatchObject({
      type: 'mail.delivered',
      at: '2026-10-24T08:05:00.000Z',
      actor: 'system',
      data: {
        at: '2026-10-24T08:00:02.500Z',
        recipients: ['ceo@example.com'],
        sesMessageId: delivered.detail.mail.messageId,
        purpose: 'package',
        smtpResponse: '250 2.0.0 OK',
        sentAt: '2026-10-24T08:00:00.123Z',
      },
    });
    expect(await recordMailEvent({ repo, clock }, delivered)).toEqual({
      recorded: false,
      reason: `mail.delivered of SES message ${delivered.detail.mail.messageId} was recorded before`,
    });
    const events = await repo.listEvents(cycle.id);
    expect(events.map((e) => e.type)).toEqual(['cycle.opened', 'mail.delivered']);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('keeps time running forward in the log when a receipt arrives after later events', async () => {
    // The package was distributed at 08:04; SES reports a delivery of 08:00:02 only at 08:05.
    await repo.appendEvent(cycle.id, {
      type: 'package.distributed',
      at: '2026-10-24T08:04:00.000Z',
      actor: 'system',
      data: {},
    });
    await recordMailEvent({ repo, clock }, delivered);
    const events = await repo.listEvents(cycle.id);
    expect(events.map((e) => [e.type, e.at])).toEqual([
      ['cycle.opened', cycle.openedAt],
      ['package.distributed', '2026-10-24T08:04:00.000Z'],
      ['mail.delivered', '2026-10-24T08:05:00.000Z'],
    ]);
    expect(events[2]!.data.at).toBe('2026-10-24T08:00:02.500Z');
  });

  it('records a bounce with its type and diagnostics, apart from the delivery to others', async () => {
    await recordMailEvent({ repo, clock }, delivered);
    const bounce = await recordMailEvent(
      { repo, clock },
      sesEvent('Bounce', {
        bounce: {
          timestamp: '2026-10-24T08:00:03Z',
          bounceType: 'Permanent',
          bounceSubType: 'NoEmail',
          bouncedRecipients: [
            { emailAddress: 'cto@example.com', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
          ],
        },
      }),
    );
    expect(bounce.recorded && bounce.event.data).toMatchObject({
      recipients: ['cto@example.com'],
      bounceType: 'Permanent',
      diagnostics: ['smtp; 550 5.1.1 user unknown'],
    });
  });

  it('skips mail that is not a review message, or of a cycle that does not exist, saying why', async () => {
    const untagged = sesEvent('Delivery', { delivery: DELIVERY });
    delete (untagged.detail.mail.tags as Record<string, unknown>).cycle;
    expect(await recordMailEvent({ repo, clock }, untagged)).toMatchObject({
      recorded: false,
      reason: expect.stringContaining('carries no cycle tag'),
    });
    const hostile = sesEvent('Delivery', { delivery: DELIVERY }, { cycle: ['../../etc'] });
    expect(await recordMailEvent({ repo, clock }, hostile)).toMatchObject({ recorded: false });
    const other = sesEvent('Delivery', { delivery: DELIVERY }, { cycle: ['C-20300101T0000Z-Q'] });
    expect(await recordMailEvent({ repo, clock }, other)).toMatchObject({
      recorded: false,
      reason: expect.stringContaining('C-20300101T0000Z-Q, which does not exist'),
    });
    expect((await repo.listEvents(cycle.id)).map((e) => e.type)).toEqual(['cycle.opened']);
  });

  it('refuses what is not an SES sending event, writing nothing', async () => {
    for (const bad of [
      null,
      {},
      { detail: { eventType: 'Open', mail: {} } },
      sesEvent('Delivery', { delivery: { timestamp: 'yesterday', recipients: [] } }),
    ]) {
      await expect(recordMailEvent({ repo, clock }, bad)).rejects.toThrow(InvalidMailEvent);
    }
    await expect(recordMailEvent({ repo, clock }, {})).rejects.toThrow('not an SES sending event: detail:');
    expect(await repo.listEvents(cycle.id)).toHaveLength(1);
  });
});
