/**
 * Every store contract on DynamoDB Local, each case on a fresh table (the beforeTransaction hook
 * is SDK middleware run before each TransactWriteItems the repository sends); and the in-memory
 * store shown to answer a whole review exactly as DynamoDB does.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { canonicalJson } from '#shared/model/canonical-json.ts';
import { transition } from '#shared/model/cycle.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { storeContracts, type MakeRepository } from '#test/contracts/index.ts';
import {
  aCycle,
  aCycleSummary,
  aHeldMail,
  aMinutesRecord,
  anAction,
  anEvent,
  anInputRequest,
  answered,
  aPeriodClaim,
  aProgrammeVersion,
  aReplyToken,
  aSubmission,
  openCycle,
} from '#test/contracts/records.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { memoryRepository } from '#test/support/memory-store/index.ts';

const dynamoDb: MakeRepository = async (hooks = {}) => {
  const table = await freshTable('contract');
  const { beforeTransaction } = hooks;
  if (beforeTransaction) {
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') await beforeTransaction();
        return next(args);
      },
      { step: 'initialize', name: 'contractBeforeTransaction' },
    );
  }
  // No waiting between retries: the contracts race writers, they do not wait for time.
  return new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
};

for (const contract of storeContracts) contract('DynamoDB', dynamoDb);

/** Runs `step`, and records what it answered or the error it threw (its name and words). */
async function answer(step: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: (await step()) ?? null };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

/** One morning of a review on a store: writes of every port, refused ones among them, then every read. */
async function aReview(repo: ReviewRepository, inputs: ReturnType<typeof reviewInputs>): Promise<unknown[]> {
  const { q3, q4, submission, later } = inputs;
  const log: unknown[] = [];
  const step = async (name: string, run: () => Promise<unknown>) => log.push([name, await answer(run)]);
  await step('programme 1', () => repo.saveProgrammeVersion(aProgrammeVersion(1)));
  await step('programme 3', () => repo.saveProgrammeVersion(aProgrammeVersion(3)));
  await step('open q3', () => openCycle(repo, q3, ['b', 'd1']));
  await step('open q4', () => repo.createCycle(q4, [anInputRequest(q4, 'd1')]));
  await step('open q3 again', () => openCycle(repo, q3, ['b']));
  await step('q3 requesting', () =>
    repo.updateCycle(transition(q3, 'REQUESTING_INPUTS', new Date('2026-10-01T08:05:00Z')), {
      event: anEvent('cycle.phase_changed'),
    }),
  );
  await step('q3 stale', () => repo.updateCycle(q3, { event: anEvent('cycle.noted') }));
  await step('remind b', async () =>
    repo.updateInputRequest(
      { ...(await repo.getInputRequest(q3.id, 'b'))!, remindersSent: 1 },
      {
        event: anEvent('input.reminded', { key: 'b' }),
      },
    ),
  );
  const d1 = (await repo.getInputRequest(q3.id, 'd1'))!;
  await step('submit d1', () =>
    repo.recordSubmission(submission, answered(d1, submission), { event: anEvent('input.submitted') }),
  );
  await step('supersede d1', async () => {
    const current = (await repo.getInputRequest(q3.id, 'd1'))!;
    return repo.recordSubmission(later, answered(current, later), { event: anEvent('input.resubmitted') });
  });
  await step('actions', () =>
    repo.createActions([anAction(q3, 5), anAction(q3, 6, { ownerId: 'cfo' })], {
      event: anEvent('actions.created'),
    }),
  );
  await step('action again', () => repo.createActions([anAction(q3, 6)]));
  await step('action done', () =>
    repo.updateAction(
      { ...anAction(q3, 5), status: 'in_progress' },
      { event: { ...anEvent('action.started'), sourceMessageId: '<a5@mail.example.com>' } },
    ),
  );
  await step('minutes', async () =>
    repo.saveMinutes(aMinutesRecord(1), {
      event: anEvent('minutes.accepted'),
      events: [anEvent('action.created', { n: 1 }), anEvent('action.created', { n: 2 })],
      newActions: [anAction(q3, 1), anAction(q3, 2)],
      cycle: { ...(await repo.getCycle(q3.id))!, heldAt: '2026-10-29T09:30:00.000Z' },
    }),
  );
  await step('minutes 3', () => repo.saveMinutes(aMinutesRecord(3)));
  await step('receipt', () =>
    repo.recordMessageReceived(
      '<r1@mail.example.com>',
      { at: '2026-10-30T08:00:00Z' },
      {
        cycleId: q3.id,
        event: anEvent('mail.received', { nested: { list: [1, 'two', null], empty: {} } }),
      },
    ),
  );
  await step('receipt again', () =>
    repo.recordMessageReceived(
      'r1@mail.example.com',
      { at: '2026-10-30T08:01:00Z' },
      {
        cycleId: q3.id,
        event: anEvent('mail.received'),
      },
    ),
  );
  await step('seen', () => repo.markMessageSeen('<s1@mail.example.com>', { at: '2026-10-30T08:00:00Z' }));
  await step('claim', () => repo.claimNotification(q3.id, 'package', '2026-10-24T08:00:00Z'));
  await step('claim released', async () => {
    await repo.claimNotification(q3.id, 'minutes-reminder', '2026-10-30T08:00:00Z');
    return repo.releaseNotification(q3.id, 'minutes-reminder');
  });
  await step('token', () => repo.putReplyToken(aReplyToken()));
  await step('token again', () => repo.putReplyToken(aReplyToken()));
  await step('link', () => repo.linkReplyToken('<q1@isms.example.com>', aReplyToken().tokenId));
  await step('park', () =>
    repo.parkTaskToken({
      cycleId: q3.id,
      purpose: 'inputs',
      taskToken: 'tok-1',
      parkedAt: '2026-10-01T09:00:00Z',
    }),
  );
  await step('complete', () => repo.completeParkedTask(q3.id, 'inputs', '2026-10-19T08:00:00Z'));
  await step('summary 2', () => repo.putCycleSummary(aCycleSummary(q3, { packageVersion: 2 })));
  await step('summary 1', () => repo.putCycleSummary(aCycleSummary(q3, { packageVersion: 1, decisions: 9 })));
  await step('summary q4', () => repo.putCycleSummary(aCycleSummary(q4)));
  const held = aHeldMail('2026-10-31T23:59:59.000Z', 'h1', { cycleId: q3.id });
  await step('hold', () => repo.holdMessage(held));
  await step('hold again', () => repo.holdMessage(aHeldMail('2026-11-01T00:00:01.000Z', 'h1')));
  await step('release', () =>
    repo.markHeldReleased(held.id, { at: '2026-11-02T08:00:00Z', by: 'alice', outcome: 'ok' }),
  );
  await step('quota', () => repo.consumeDailyQuota('r1', '2026-10-30', 3, 4));
  await step('quota over', () => repo.consumeDailyQuota('r1', '2026-10-30', 2, 4));
  await step('period', () => repo.claimPeriod(aPeriodClaim()));
  await step('period again', () => repo.claimPeriod(aPeriodClaim({ cycleId: q4.id })));
  await step('append', () => repo.appendEvent(q3.id, anEvent('cycle.noted', { last: true })));

  await step('records q3', () => repo.getCycleRecords(q3.id));
  await step('records q4', () => repo.getCycleRecords(q4.id));
  await step('head q3', () => repo.getChainHead(q3.id));
  await step('events q3 from 4', () => repo.listEvents(q3.id, 4));
  await step('cycles', () => repo.listCycles('example-ltd', { newestFirst: true }));
  await step('history', () => repo.listSubmissionHistory('example-ltd', 'd1'));
  await step('pending', () => repo.listPendingInputRequests('example-ltd'));
  await step('by owner', () => repo.listActionsByOwner('example-ltd', 'ciso'));
  await step('follow-up', () => repo.listActionsNeedingFollowUp('example-ltd'));
  await step('minutes read', () => repo.getMinutes(q3.id));
  await step('programmes', () => repo.listProgrammeVersions('example-ltd'));
  await step('summaries', () => repo.listCycleSummaries('example-ltd'));
  await step('held', () =>
    repo.listHeldMessages({ since: '2026-10-01T00:00:00Z', until: '2026-12-01T00:00:00Z', status: 'all' }),
  );
  await step('token read', () => repo.getReplyToken(aReplyToken().tokenId));
  await step('token of message', () => repo.replyTokenOfMessage('q1@isms.example.com'));
  return log;
}

function reviewInputs() {
  const q3 = aCycle();
  const q4 = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
  const submission = aSubmission(anInputRequest(q3, 'd1'), new Date('2026-10-10T10:00:00.000Z'));
  const later = aSubmission(anInputRequest(q3, 'd1'), new Date('2026-10-11T10:00:00.000Z'), {
    supersedes: submission.id,
  });
  return { q3, q4, submission, later };
}

describe('the in-memory store', () => {
  it('answers a whole review as DynamoDB does: the same records, events, hashes, orders and errors', async () => {
    const inputs = reviewInputs();
    const onDynamoDb = await aReview(await dynamoDb(), inputs);
    const inMemory = await aReview(memoryRepository(), inputs);
    expect(inMemory).toEqual(onDynamoDb);
    // As canonical JSON (what event hashes are taken of), one step a line. Canonical, because the
    // order of a map's keys is DynamoDB's own (a programme document, an event's data come back in
    // another order than written); the records' fields come back in their schema's order on both.
    expect(inMemory.map((entry) => canonicalJson(entry))).toEqual(
      onDynamoDb.map((entry) => canonicalJson(entry)),
    );
    // The review wrote what it meant to: refused writes among accepted ones.
    expect(JSON.stringify(onDynamoDb)).toContain('"error":"ConcurrentUpdate"');
    expect(JSON.stringify(onDynamoDb)).toContain('"error":"AlreadyExists"');
    expect(JSON.stringify(onDynamoDb)).toContain('"error":"NotFound"');
  });
});
