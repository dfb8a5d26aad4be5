/**
 * Reply tokens about an action stop working a grace period after the action closes, whatever
 * expiry they were issued with; tokens about anything else, or an action still open, keep theirs.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTION_TOKEN_GRACE_DAYS,
  closedActionExpiry,
  withActionExpiry,
} from '#shared/ingest/token-expiry.ts';
import type { Action } from '#shared/model/action.ts';
import type { ReplyTokenRecord } from '#shared/model/records.ts';
import { aCycle, anAction } from '#test/unit/model/builders.ts';

const DAY = 86_400_000;
const cycle = aCycle();
const CLOSED_AT = '2027-02-01T10:00:00.000Z';

function token(overrides: Partial<ReplyTokenRecord> = {}): ReplyTokenRecord {
  return {
    tokenId: 'abcdefghij',
    cycleId: cycle.id,
    purpose: 'action',
    recipientId: 'ciso',
    ref: anAction(cycle).id,
    issuedAt: '2026-12-01T00:00:00.000Z',
    expiresAt: '2027-12-01T00:00:00.000Z',
    ...overrides,
  };
}

function repoWith(action: Action | undefined) {
  const asked: string[] = [];
  return {
    asked,
    repo: {
      getAction: async (id: string) => {
        asked.push(id);
        return action;
      },
    },
  };
}

describe('reply tokens about actions', () => {
  it('leaves alone a missing token, a token without an action, an unknown action and an open one', async () => {
    const open = anAction(cycle, 1, { status: 'in_progress', updatedAt: CLOSED_AT });
    expect(await withActionExpiry(repoWith(open).repo, undefined)).toBeUndefined();
    const inputs = repoWith(open);
    expect(await withActionExpiry(inputs.repo, token({ purpose: 'inputs', ref: 'd1' }))).toEqual(
      token({ purpose: 'inputs', ref: 'd1' }),
    );
    expect(inputs.asked).toEqual([]);
    expect(await withActionExpiry(repoWith(undefined).repo, token())).toEqual(token());
    expect(await withActionExpiry(repoWith(open).repo, token())).toEqual(token());
  });

  it('keeps a corrective action that is done but not yet checked open for replies', () => {
    const awaitingCheck = anAction(cycle, 1, {
      status: 'done',
      corrective: true,
      effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-03-01' },
      updatedAt: CLOSED_AT,
    });
    expect(closedActionExpiry(awaitingCheck)).toBeUndefined();
  });

  it('expires every kind of action token a grace period after the action closed', async () => {
    const closesAt = new Date(Date.parse(CLOSED_AT) + ACTION_TOKEN_GRACE_DAYS * DAY).toISOString();
    for (const status of ['done', 'cancelled'] as const) {
      const closed = anAction(cycle, 1, {
        status,
        ...(status === 'cancelled'
          ? { cancelReason: 'superseded' }
          : { closureEvidence: { text: 'done', at: CLOSED_AT, by: 'ciso' } }),
        updatedAt: CLOSED_AT,
      });
      for (const purpose of ['action', 'extension', 'effectiveness', 'decision']) {
        expect(
          (await withActionExpiry(repoWith(closed).repo, token({ purpose })))?.expiresAt,
          `${status} ${purpose}`,
        ).toBe(closesAt);
      }
    }
  });

  it('never lengthens a token that expires before the grace ends', async () => {
    const closed = anAction(cycle, 1, {
      status: 'done',
      closureEvidence: { text: 'done', at: CLOSED_AT, by: 'ciso' },
      updatedAt: CLOSED_AT,
    });
    const short = token({ expiresAt: '2027-02-03T00:00:00.000Z' });
    expect(await withActionExpiry(repoWith(closed).repo, short)).toEqual(short);
  });
});
