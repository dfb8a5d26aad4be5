/**
 * The DynamoDB repository against DynamoDB Local: conditions, transactions and the event chain
 * behave as on AWS, so these tests prove what the unit tests cannot (races, atomicity, paging).
 */
import { describe, it, expect, beforeEach } from 'vitest';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import {
  AlreadyExists,
  ChainConflict,
  ConcurrentUpdate,
  CorruptRecord,
  NotFound,
  TransactionTooLarge,
} from '#shared/store/repository.ts';
import { InvalidData } from '#shared/model/common.ts';
import { cycleIdFor, actionIdFor } from '#shared/model/ids.ts';
import { transition, type Cycle } from '#shared/model/cycle.ts';
import { verifyChain, GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import { cycleKeys, inputKeys } from '#shared/store/keys.ts';
import { eventsTableNameFor } from '#shared/store/table-design.ts';
import { dynamoDbClient, freshTable } from '#test/support/local-stack.ts';
import {
  aCycle,
  anAction,
  anEvent,
  anInputRequest,
  answered,
  aProgrammeVersion,
  aSubmission,
  OPENED_AT,
} from '#test/unit/model/builders.ts';

let repo: DynamoDbRepository;
let raw: ReturnType<typeof documentClient>;
let tableName: string;
let table: Awaited<ReturnType<typeof freshTable>>;

beforeEach(async () => {
  table = await freshTable('repo');
  tableName = table.tableName;
  raw = documentClient(table.client);
  // No waiting between retries: the tests race writers, they do not wait for time.
  repo = new DynamoDbRepository({ ...table, backoff: () => Promise.resolve() });
});

/** Every item of a cycle's partition, read straight from the table and the events table, by sort key. */
async function partition(cycleId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const name of [tableName, eventsTableNameFor(tableName)]) {
    const output = await raw.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycleId) },
        ConsistentRead: true,
      }),
    );
    items.push(...(output.Items ?? []));
  }
  return items.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

async function openCycle(cycle: Cycle = aCycle(), keys = ['b', 'd1', 'f']) {
  return repo.createCycle(
    cycle,
    keys.map((key) => anInputRequest(cycle, key)),
    { event: anEvent('cycle.opened', { keys }) },
  );
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const settled = await Promise.allSettled([promise]);
  const result = settled[0]!;
  if (result.status === 'fulfilled') throw new Error('expected the write to be rejected, but it succeeded');
  return result.reason as Error;
}

describe('bad input and missing records', () => {
  it('rejects an invalid record before writing anything', async () => {
    const cycle = aCycle();
    const error = await rejection(repo.createCycle({ ...cycle, phase: 'DONE' as never }, []));
    expect(error).toBeInstanceOf(InvalidData);
    expect(error.message).toContain(`cycle ${cycle.id} is not valid: phase: expected a phase`);
    expect(await partition(cycle.id)).toEqual([]);
  });

  it('rejects requests that do not belong to the cycle, listed twice, or not new', async () => {
    const cycle = aCycle();
    const other = aCycle({}, new Date('2027-01-01T08:00:00Z'));
    const error = await rejection(
      repo.createCycle(cycle, [
        anInputRequest(other, 'b'),
        anInputRequest(cycle, 'c'),
        anInputRequest(cycle, 'c', { version: 2 }),
      ]),
    );
    expect(error).toBeInstanceOf(InvalidData);
    expect(error.message).toBe(
      `new cycle ${cycle.id} is not valid: requests[0].cycleId: input b names cycle ${other.id} of example-ltd, not ${cycle.id} of example-ltd; ` +
        'requests[2].inputKey: input c is listed twice; request each input once; requests[2].version: a new input request has version 1',
    );
    expect(await partition(cycle.id)).toEqual([]);
  });

  it('answers missing records with undefined on read and NotFound on write', async () => {
    const cycle = aCycle();
    expect(await repo.getCycle(cycle.id)).toBeUndefined();
    expect(await repo.getCycleRecords(cycle.id)).toBeUndefined();
    const update = await rejection(repo.updateCycle(cycle));
    expect(update).toBeInstanceOf(NotFound);
    expect(update.message).toBe(`cycle ${cycle.id} does not exist: check the id`);
    expect(await rejection(repo.appendEvent(cycle.id, anEvent()))).toBeInstanceOf(NotFound);
    expect(await rejection(repo.createActions([anAction(cycle)]))).toBeInstanceOf(NotFound);
    expect(await partition(cycle.id)).toEqual([]);
  });

  it('reports a stored item edited by hand out of shape as CorruptRecord', async () => {
    const { cycle } = await openCycle();
    await raw.send(
      new UpdateCommand({
        TableName: tableName,
        Key: cycleKeys.cycle(cycle.id),
        UpdateExpression: 'SET phase = :p',
        ExpressionAttributeValues: { ':p': 'PARTY' },
      }),
    );
    const error = await rejection(repo.getCycle(cycle.id));
    expect(error).toBeInstanceOf(CorruptRecord);
    expect(error.message).toContain(
      `stored cycle ${cycle.id} (CYCLE#${cycle.id} / CYCLE) does not match its schema: phase:`,
    );
  });
});

describe('creating a cycle', () => {
  it('writes the cycle, its input requests and its first event together', async () => {
    const cycle = aCycle();
    const created = await openCycle(cycle);
    expect(created.event).toMatchObject({
      cycleId: cycle.id,
      seq: 1,
      prevHash: GENESIS_HASH,
      type: 'cycle.opened',
    });
    const records = await repo.getCycleRecords(cycle.id);
    expect(records?.cycle).toEqual(cycle);
    expect(records?.inputRequests.map((request) => request.inputKey)).toEqual(['b', 'd1', 'f']);
    expect(records?.events).toEqual([created.event]);
    expect(await repo.getChainHead(cycle.id)).toEqual({ seq: 1, hash: created.event!.hash });
  });

  it('a repeated create (the same scheduled firing) is AlreadyExists and changes nothing', async () => {
    const cycle = aCycle();
    await openCycle(cycle);
    const before = await partition(cycle.id);
    const error = await rejection(openCycle({ ...cycle, comprehensive: true }, ['b', 'g']));
    expect(error).toBeInstanceOf(AlreadyExists);
    expect(error.message).toBe(
      `cycle ${cycle.id} already exists: a cycle with this id was opened already; nothing was written`,
    );
    expect(await partition(cycle.id)).toEqual(before);
  });

  it('is atomic: one failing condition (an input request already there) leaves no item written', async () => {
    const cycle = aCycle();
    const blocker = anInputRequest(cycle, 'f');
    await raw.send(
      new PutCommand({ TableName: tableName, Item: { ...inputKeys.request(cycle.id, 'f'), ...blocker } }),
    );
    const error = await rejection(openCycle(cycle, ['b', 'd1', 'f']));
    expect(error).toBeInstanceOf(AlreadyExists);
    expect(error.message).toContain(`input request ${cycle.id}/f already exists`);
    const items = await partition(cycle.id);
    expect(items.map((item) => item.sk)).toEqual(['INPUT#f']);
  });

  it('refuses a transaction larger than DynamoDB allows, before writing', async () => {
    const cycle = aCycle();
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const error = await rejection(openCycle(cycle, keys));
    expect(error).toBeInstanceOf(TransactionTooLarge);
    expect(error.message).toBe('this write needs 102 items but one transaction holds at most 100; split it');
    expect(await partition(cycle.id)).toEqual([]);
  });
});

describe('two writers on the same cycle', () => {
  it('one wins, the other gets ConcurrentUpdate, and nothing is half-written', async () => {
    const { cycle } = await openCycle();
    const readByBoth = (await repo.getCycle(cycle.id))!;
    const at = new Date('2026-10-01T08:05:00Z');
    const writers = ['alice', 'bob'].map((who) =>
      repo.updateCycle(transition(readByBoth, 'REQUESTING_INPUTS', at), {
        event: { ...anEvent('cycle.phase_changed', { by: who }, at), actor: who },
      }),
    );
    const results = await Promise.allSettled(writers);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = (lost[0] as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(ConcurrentUpdate);
    expect(error.name).toBe('ConcurrentUpdate');
    expect(error.message).toBe(
      `cycle ${cycle.id} was changed by someone else (expected version 1, found 2); reload and retry`,
    );

    // Every item after: the cycle once at version 2, the winner's event and only it, an intact chain.
    const winner = (won[0] as PromiseFulfilledResult<{ cycle: Cycle; event?: { actor: string } }>).value;
    const items = await partition(cycle.id);
    expect(items.map((item) => item.sk)).toEqual([
      'CYCLE',
      'EVENT#0000000001',
      'EVENT#0000000002',
      'INPUT#b',
      'INPUT#d1',
      'INPUT#f',
    ]);
    const records = (await repo.getCycleRecords(cycle.id))!;
    expect(records.cycle).toEqual(winner.cycle);
    expect(records.cycle).toMatchObject({ version: 2, phase: 'REQUESTING_INPUTS' });
    expect(records.events.map((event) => event.actor)).toEqual(['system', winner.event!.actor]);
    const head = await repo.getChainHead(cycle.id);
    expect(verifyChain(records.events, { head })).toMatchObject({ ok: true, count: 2 });
  });

  it('the loser can reload and retry; an update to an older copy is refused', async () => {
    const { cycle } = await openCycle();
    const at = new Date('2026-10-01T08:05:00Z');
    await repo.updateCycle(transition(cycle, 'REQUESTING_INPUTS', at));
    const stale = await rejection(repo.updateCycle({ ...cycle, comprehensive: true }));
    expect(stale).toBeInstanceOf(ConcurrentUpdate);
    const reloaded = (await repo.getCycle(cycle.id))!;
    const { cycle: stored } = await repo.updateCycle({
      ...reloaded,
      comprehensive: true,
      executionArn: 'arn:x',
    });
    expect(stored.version).toBe(3);
    // Optional fields left out are removed, the chain head is untouched by a cycle update.
    const { executionArn: _arn, ...withoutArn } = stored;
    const { cycle: final } = await repo.updateCycle(withoutArn);
    expect(await repo.getCycle(cycle.id)).toEqual(final);
    expect(final.executionArn).toBeUndefined();
    expect((await repo.getChainHead(cycle.id)).seq).toBe(1);
  });

  it('two owners replying at once to the same input: one submission is recorded, the other refused', async () => {
    const cycle = aCycle();
    const { requests } = await openCycle(cycle, ['d1']);
    const request = requests[0]!;
    const replies = [
      aSubmission(request, new Date('2026-10-10T14:30:05.123Z'), { submitterId: 'auditor' }),
      aSubmission(request, new Date('2026-10-10T14:30:05.124Z'), {
        submitterId: 'deputy',
        onBehalfOf: 'auditor',
      }),
    ];
    const results = await Promise.allSettled(
      replies.map((submission) =>
        repo.recordSubmission(submission, answered(request, submission), {
          event: anEvent('input.submitted', { submissionId: submission.id }),
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConcurrentUpdate);
    expect((lost.reason as Error).message).toBe(
      `input request ${cycle.id}/d1 was changed by someone else (expected version 1, found 2); reload and retry`,
    );
    const records = (await repo.getCycleRecords(cycle.id))!;
    expect(records.submissions).toHaveLength(1);
    expect(records.inputRequests[0]).toMatchObject({
      status: 'SUBMITTED',
      version: 2,
      submissionId: records.submissions[0]!.id,
    });
    expect(records.events.map((event) => event.type)).toEqual(['cycle.opened', 'input.submitted']);
    expect(verifyChain(records.events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);
  });
});

describe('the event chain under concurrent writers', () => {
  it('several writers appending at once produce one unbroken chain with every event', async () => {
    const { cycle } = await openCycle();
    const writers = 4;
    const perWriter = 5;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let n = 0; n < perWriter; n += 1) {
          await repo.appendEvent(
            cycle.id,
            { ...anEvent('test.appended', { writer, n }), actor: `writer${writer}` },
            { maxAttempts: 50 },
          );
        }
      }),
    );
    const events = await repo.listEvents(cycle.id);
    expect(events.map((event) => event.seq)).toEqual(
      Array.from({ length: 1 + writers * perWriter }, (_, i) => i + 1),
    );
    const head = await repo.getChainHead(cycle.id);
    expect(verifyChain(events, { head })).toMatchObject({ ok: true, count: 1 + writers * perWriter });
    const written = events.slice(1).map((event) => `${String(event.data.writer)}:${String(event.data.n)}`);
    expect(new Set(written).size).toBe(writers * perWriter);
  });

  it('a writer that keeps losing gives up with ChainConflict after its attempts, writing nothing', async () => {
    const { cycle } = await openCycle();
    // A repository whose every write is preceded by another writer moving the head first: a client
    // of its own, with a step that lets the rival append before each of its transactions is sent.
    const client = dynamoDbClient();
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { TransactItems?: unknown }).TransactItems) {
          await repo.appendEvent(cycle.id, anEvent('test.rival'));
        }
        return next(args);
      },
      { step: 'initialize', name: 'rivalFirst' },
    );
    const unlucky = new DynamoDbRepository({
      ...table,
      client,
      maxEventAttempts: 3,
      backoff: async () => {},
    });
    const error = await rejection(unlucky.appendEvent(cycle.id, anEvent('test.unlucky')));
    expect(error).toBeInstanceOf(ChainConflict);
    expect(error.message).toBe(
      `the event log of cycle ${cycle.id} moved on while event 4 was being appended (gave up after 3 attempts); another writer got there first: re-read the head and retry`,
    );
    const events = await repo.listEvents(cycle.id);
    expect(events.map((event) => event.type)).toEqual([
      'cycle.opened',
      'test.rival',
      'test.rival',
      'test.rival',
    ]);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('lists events from a seq, and reads every page of a long log', async () => {
    const { cycle } = await openCycle();
    const big = 'x'.repeat(60_000);
    for (let n = 0; n < 20; n += 1) await repo.appendEvent(cycle.id, anEvent('test.big', { n, big }));
    // 21 events of ~60 KB are more than one 1 MB query page.
    const firstPage = await raw.send(
      new QueryCommand({
        TableName: eventsTableNameFor(tableName),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
        ExpressionAttributeValues: { ':pk': cycleKeys.partition(cycle.id), ':events': 'EVENT#' },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items!.length).toBeLessThan(21);
    const events = await repo.listEvents(cycle.id);
    expect(events).toHaveLength(21);
    expect(verifyChain(events, { head: await repo.getChainHead(cycle.id) }).ok).toBe(true);
    expect((await repo.listEvents(cycle.id, 19)).map((event) => event.seq)).toEqual([19, 20, 21]);
  });
});

describe('submissions', () => {
  it('a later submission supersedes an earlier one and both are kept; superseding nothing is refused', async () => {
    const cycle = aCycle();
    const { requests } = await openCycle(cycle, ['d1']);
    const first = aSubmission(requests[0]!, new Date('2026-10-10T10:00:00.000Z'));
    const { request: afterFirst } = await repo.recordSubmission(first, answered(requests[0]!, first));
    const ghost = aSubmission(afterFirst, new Date('2026-10-11T10:00:00.000Z'), {
      supersedes: 'S-20261001T000000000Z-000000',
    });
    const error = await rejection(repo.recordSubmission(ghost, answered(afterFirst, ghost)));
    expect(error).toBeInstanceOf(NotFound);
    expect(error.message).toContain(`input ${cycle.id}/d1 has no such submission`);
    expect(await repo.listSubmissions(cycle.id)).toEqual([first]);

    const second = aSubmission(afterFirst, new Date('2026-10-12T10:00:00.000Z'), {
      kind: 'nothing_to_report',
      summary: 'No audits were held this quarter; the programme resumes in January.',
      supersedes: first.id,
    });
    const { request } = await repo.recordSubmission(second, answered(afterFirst, second));
    expect(request).toMatchObject({ status: 'NOTHING_TO_REPORT', submissionId: second.id, version: 3 });
    expect(await repo.listSubmissions(cycle.id, 'd1')).toEqual([first, second]);
    expect(await repo.getInputRequest(cycle.id, 'd1')).toEqual(request);
  });

  it('refuses a submission whose request was not updated to point at it', async () => {
    const cycle = aCycle();
    const { requests } = await openCycle(cycle, ['d1']);
    const submission = aSubmission(requests[0]!);
    const error = await rejection(repo.recordSubmission(submission, requests[0]!));
    expect(error).toBeInstanceOf(InvalidData);
    expect(error.message).toContain(`set status SUBMITTED and submissionId ${submission.id} on the request`);
    expect(await repo.listSubmissions(cycle.id)).toEqual([]);
  });

  it('pending requests leave the index once answered; history lists an input across cycles by period', async () => {
    const q3 = aCycle();
    const q4 = aCycle({}, new Date('2027-01-01T08:00:00.000Z'));
    const { requests: q3Requests } = await openCycle(q3, ['d1', 'f']);
    const { requests: q4Requests } = await openCycle(q4, ['d1']);
    expect(
      (await repo.listPendingInputRequests('example-ltd')).map((r) => `${r.cycleId}/${r.inputKey}`),
    ).toEqual([`${q3.id}/d1`, `${q3.id}/f`, `${q4.id}/d1`]);
    expect(await repo.listPendingInputRequests('example-ltd', q3.inputsDueAt)).toHaveLength(2);

    const older = aSubmission(q3Requests[0]!, new Date('2026-10-10T10:00:00.000Z'));
    const newer = aSubmission(q4Requests[0]!, new Date('2027-01-10T10:00:00.000Z'), {
      periodCovered: { from: '2026-10-01', to: '2026-12-31' },
    });
    await repo.recordSubmission(newer, answered(q4Requests[0]!, newer));
    await repo.recordSubmission(older, answered(q3Requests[0]!, older));
    expect(
      (await repo.listPendingInputRequests('example-ltd')).map((r) => `${r.cycleId}/${r.inputKey}`),
    ).toEqual([`${q3.id}/f`]);
    expect(await repo.listSubmissionHistory('example-ltd', 'd1')).toEqual([older, newer]);
    expect(await repo.listSubmissionHistory('example-ltd', 'd1', { newestFirst: true, limit: 1 })).toEqual([
      newer,
    ]);
    expect(
      await repo.listSubmissionHistory('example-ltd', 'd1', { periodEndingOnOrBefore: '2026-09-30' }),
    ).toEqual([older]);
  });
});

describe('actions', () => {
  it('creates the actions of the minutes all or nothing', async () => {
    const { cycle } = await openCycle();
    await repo.createActions([anAction(cycle, 3)]);
    const error = await rejection(
      repo.createActions([anAction(cycle, 1), anAction(cycle, 2), anAction(cycle, 3)], {
        event: anEvent('actions.created'),
      }),
    );
    expect(error).toBeInstanceOf(AlreadyExists);
    expect(error.message).toBe(
      `action ${actionIdFor(cycle.id, 3)} already exists: it was already recorded; nothing was written`,
    );
    expect((await repo.listActionsOfCycle(cycle.id)).map((action) => action.id)).toEqual([
      actionIdFor(cycle.id, 3),
    ]);
    expect((await repo.getChainHead(cycle.id)).seq).toBe(1);
  });

  it('the follow-up index holds only actions that need follow-up; the owner index holds all', async () => {
    const { cycle } = await openCycle();
    const { actions } = await repo.createActions(
      [
        anAction(cycle, 1, { dueDate: '2026-11-30' }),
        anAction(cycle, 2, { dueDate: '2026-12-31', ownerId: 'cfo' }),
        anAction(cycle, 3, { dueDate: '2026-11-15' }),
      ],
      { event: anEvent('actions.created', { count: 3 }) },
    );
    const ids = (list: { id: string }[]) => list.map((action) => action.id.slice(-3));
    expect(ids(await repo.listActionsNeedingFollowUp('example-ltd'))).toEqual(['003', '001', '002']);
    expect(ids(await repo.listActionsNeedingFollowUp('example-ltd', '2026-11-30'))).toEqual(['003', '001']);

    const cancelled = {
      ...actions[0]!,
      status: 'cancelled' as const,
      cancelReason: 'Merged into action 3.',
      history: [...actions[0]!.history, { at: '2026-11-01T09:00:00.000Z', by: 'alice', change: 'cancelled' }],
    };
    const { action: stored, event } = await repo.updateAction(cancelled, {
      event: anEvent('action.cancelled'),
    });
    expect(stored.version).toBe(2);
    expect(event?.seq).toBe(3);
    expect(ids(await repo.listActionsNeedingFollowUp('example-ltd'))).toEqual(['003', '002']);
    expect(ids(await repo.listActionsByOwner('example-ltd', 'ciso'))).toEqual(['003', '001']);
    expect(await repo.getAction(actions[0]!.id)).toEqual(stored);

    const stale = await rejection(repo.updateAction({ ...actions[0]!, title: 'Renamed' }));
    expect(stale).toBeInstanceOf(ConcurrentUpdate);
    expect(stale.message).toBe(
      `action ${actions[0]!.id} was changed by someone else (expected version 1, found 2); reload and retry`,
    );
  });
});

describe('idempotency records', () => {
  it('a Message-ID is new once; a duplicate delivery answers false', async () => {
    const seen = { at: '2026-10-10T10:00:00.000Z', rawS3Key: 'inbound/abc' };
    expect(await repo.markMessageSeen('<abc@mail.example.com>', seen)).toBe(true);
    expect(await repo.markMessageSeen('<abc@mail.example.com>', seen)).toBe(false);
    expect(await repo.markMessageSeen('abc@mail.example.com', seen)).toBe(false);
    expect(await repo.markMessageSeen('<def@mail.example.com>', seen)).toBe(true);
    expect(await rejection(repo.markMessageSeen(' <> ', seen))).toBeInstanceOf(InvalidData);
  });

  it('a notification is claimed once, and can be given back when sending failed', async () => {
    const { cycle } = await openCycle();
    const key = `action:${actionIdFor(cycle.id, 1)}:remind-7d`;
    expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:00:00.000Z')).toBe(true);
    expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:05:00.000Z')).toBe(false);
    await repo.releaseNotification(cycle.id, key);
    expect(await repo.claimNotification(cycle.id, key, '2026-12-08T07:10:00.000Z')).toBe(true);
    expect((await repo.getCycleRecords(cycle.id))?.notificationsSent).toEqual([key]);
  });

  it('a parked task token is completed exactly once, and a newer wait is not completed by an old token', async () => {
    const { cycle } = await openCycle();
    await repo.parkTaskToken({
      cycleId: cycle.id,
      purpose: 'inputs',
      taskToken: 'token-1',
      parkedAt: '2026-10-01T09:00:00.000Z',
    });
    await repo.parkTaskToken({
      cycleId: cycle.id,
      purpose: 'inputs',
      taskToken: 'token-2',
      parkedAt: '2026-10-04T09:00:00.000Z',
    });
    expect(
      await repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z', 'token-1'),
    ).toBeUndefined();
    const [first, second] = await Promise.all([
      repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z'),
      repo.completeParkedTask(cycle.id, 'inputs', '2026-10-05T09:00:00.000Z'),
    ]);
    const completed = [first, second].filter((task) => task !== undefined);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      taskToken: 'token-2',
      status: 'completed',
      completedAt: '2026-10-05T09:00:00.000Z',
    });
    expect(await repo.getParkedTask(cycle.id, 'inputs')).toEqual(completed[0]);
    expect(await repo.completeParkedTask(cycle.id, 'minutes', '2026-10-05T09:00:00.000Z')).toBeUndefined();
  });

  it('stores a reply token under its id once', async () => {
    const record = {
      tokenId: 'rt_0123456789',
      cycleId: cycleIdFor('quarterly', OPENED_AT),
      purpose: 'input.d1',
      recipientId: 'auditor',
      ref: 'd1',
      issuedAt: '2026-10-01T08:00:00.000Z',
      expiresAt: '2026-10-31T08:00:00.000Z',
    };
    await repo.putReplyToken(record);
    expect(await repo.getReplyToken(record.tokenId)).toEqual(record);
    expect(await rejection(repo.putReplyToken(record))).toBeInstanceOf(AlreadyExists);
    expect(await repo.getReplyToken('rt_unknown000')).toBeUndefined();
  });
});

describe('programme versions and cycle listing', () => {
  it('saves versions in order; a taken or skipped version is refused', async () => {
    await repo.saveProgrammeVersion(aProgrammeVersion(1));
    const v2 = await repo.saveProgrammeVersion(aProgrammeVersion(2));
    expect(await repo.getCurrentProgramme('example-ltd')).toEqual(v2);
    const taken = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(2, { note: 'again' })));
    expect(taken).toBeInstanceOf(AlreadyExists);
    const skipped = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(4)));
    expect(skipped).toBeInstanceOf(ConcurrentUpdate);
    expect(skipped.message).toBe(
      'programme version example-ltd was changed by someone else (expected version 3, found 2); reload and retry',
    );
    expect((await repo.listProgrammeVersions('example-ltd')).map((version) => version.version)).toEqual([
      1, 2,
    ]);
    expect(await repo.getProgrammeVersion('example-ltd', 1)).toEqual(aProgrammeVersion(1));
  });

  it('lists a programme’s cycles by meeting date, in either order, within a window', async () => {
    const openings = [
      '2027-01-01T08:00:00Z',
      '2026-04-01T07:00:00Z',
      '2026-10-01T08:00:00Z',
      '2026-07-01T07:00:00Z',
    ];
    for (const opening of openings) await openCycle(aCycle({}, new Date(opening)));
    const meetings = (cycles: Cycle[]) => cycles.map((cycle) => cycle.plannedMeetingAt.slice(0, 10));
    expect(meetings(await repo.listCycles('example-ltd'))).toEqual([
      '2026-04-29',
      '2026-07-29',
      '2026-10-29',
      '2027-01-29',
    ]);
    expect(meetings(await repo.listCycles('example-ltd', { newestFirst: true, limit: 2 }))).toEqual([
      '2027-01-29',
      '2026-10-29',
    ]);
    expect(
      meetings(
        await repo.listCycles('example-ltd', {
          meetingFrom: '2026-07-01T00:00:00Z',
          meetingTo: '2026-10-29T08:00:00Z',
        }),
      ),
    ).toEqual(['2026-07-29', '2026-10-29']);
    expect(await repo.listCycles('other-org')).toEqual([]);
  });
});
