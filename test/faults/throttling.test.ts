/**
 * DynamoDB throttles: injected with SDK middleware on every client the handlers build, inside the
 * SDK's retry loop, exactly where a real ProvisionedThroughputExceededException arrives. Brief
 * throttling is absorbed by the SDK's retries; the write that records sent mail is tried a few more
 * times (the mail has gone); throttling that outlasts the retries fails the phase with nothing
 * half-written, and the retried phase then completes once.
 */
import { ProvisionedThroughputExceededException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { onDynamoClientCreated } from '#shared/adapters/dynamodb.ts';
import { RequestCounter } from '#shared/adapters/request-counter.ts';
import { openCycle, requestInputs } from '#shared/cycle/service.ts';
import { inputOwners, programmeCatalogue } from '#shared/programme/queries.ts';
import { wireCycle } from '#shared/wiring/cycle.ts';
import { localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { faultWorld, setClock } from './support.ts';

/** Throttles the HTTP attempts `rule` picks (by command name and attempt number, from 1). */
class Throttle {
  attempts = 0;
  throttled = 0;
  rule: (command: string, attempt: number) => boolean = () => false;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.attempts += 1;
        if (this.rule((context.commandName ?? '').replace(/Command$/, ''), this.attempts)) {
          this.throttled += 1;
          throw new ProvisionedThroughputExceededException({
            message: 'Rate of requests exceeds the allowed throughput (injected).',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'injectThrottling' },
    );
  }
}

const hooks: (() => void)[] = [];
afterEach(() => hooks.splice(0).forEach((remove) => remove()));

async function throttledWorld(prefix: string) {
  const throttle = new Throttle();
  const counter = new RequestCounter();
  // The counter first: it sees every attempt, the throttled ones included.
  hooks.push(onDynamoClientCreated((client) => counter.attach(client)));
  hooks.push(onDynamoClientCreated((client) => throttle.attach(client)));
  const w = await faultWorld(prefix);
  return { w, throttle, counter, deps: await wireCycle() };
}

describe('DynamoDB throttling', () => {
  it('is absorbed by the SDK retries when it is brief: every fourth attempt throttled', async () => {
    const { w, throttle, counter, deps } = await throttledWorld('fault-throttle-brief');
    throttle.rule = (_command, attempt) => attempt % 4 === 0;

    await openCycle(deps, w.openRequest);
    await requestInputs(deps, w.cycleId);

    expect(throttle.throttled).toBeGreaterThan(3);
    const counts = counter.snapshot();
    expect(counts.totalAttempts).toBeGreaterThan(counts.totalCommands);
    const cycle = await w.repo.getCycle(w.cycleId);
    expect(cycle?.phase).toBe('AWAITING_INPUTS');
    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(inputOwners(w.programme).length);
  });

  it("records the sent mail when throttling outlasts the SDK retries of that write but not the outbox's own", async () => {
    const { w, throttle, deps } = await throttledWorld('fault-throttle-record');
    await openCycle(deps, w.openRequest);
    // requestInputs writes the step to REQUESTING_INPUTS, claims the messages, sends them, then
    // records them as sent: that record is throttled on its first five attempts (the SDK makes three).
    let transactions = 0;
    throttle.rule = (command) => {
      if (command !== 'TransactWriteItems') return false;
      transactions += 1;
      return transactions >= 3 && transactions <= 7;
    };

    await requestInputs(deps, w.cycleId);

    expect(throttle.throttled).toBe(5);
    expect((await w.repo.getCycle(w.cycleId))?.phase).toBe('AWAITING_INPUTS');
    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key);
    expect(keys).toHaveLength(inputOwners(w.programme).length);
    const sentEvents = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'mail.sent');
    expect(sentEvents).toHaveLength(keys.length);
    for (const { owner } of inputOwners(w.programme)) {
      const mail = await listSentMail(localStack().endpoints.ses, { to: owner.email });
      expect(mail, owner.id).toHaveLength(1);
    }
  });

  it('leaves nothing half-written when it outlasts the retries, and the retried phase completes once', async () => {
    const { w, throttle, deps } = await throttledWorld('fault-throttle-long');
    // Every write of the cycle's creation is throttled, on every attempt.
    throttle.rule = (command) => command === 'TransactWriteItems';
    const failed = await openCycle(deps, w.openRequest).catch((error: unknown) => error);
    expect(failed).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    // At least the SDK's default three attempts of the transaction.
    expect(throttle.throttled).toBeGreaterThanOrEqual(3);
    // Atomic: no cycle, no input request, no event.
    expect(await w.repo.getCycle(w.cycleId)).toBeUndefined();
    expect(await w.repo.listInputRequests(w.cycleId)).toEqual([]);
    expect(await w.repo.listEvents(w.cycleId)).toEqual([]);

    // Throttling ends; the state machine's retry opens the cycle once, and again changes nothing.
    throttle.rule = () => false;
    await openCycle(deps, w.openRequest);
    await openCycle(deps, w.openRequest);
    const cycle = await w.repo.getCycle(w.cycleId);
    expect(cycle?.version).toBe(1);
    expect((await w.repo.listInputRequests(w.cycleId)).map((r) => r.inputKey).sort()).toEqual(
      programmeCatalogue(w.programme)
        .map((i) => i.key)
        .sort(),
    );
    expect((await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'cycle.opened')).toHaveLength(1);

    // Throttled again in the middle of sending the requests: the phase's first write (its step to
    // REQUESTING_INPUTS) goes through; the claim of the messages fails on every attempt.
    let transactions = 0;
    throttle.rule = (command) => command === 'TransactWriteItems' && ++transactions > 1;
    const interrupted = await requestInputs(deps, w.cycleId).catch((error: unknown) => error);
    expect(interrupted).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    throttle.rule = () => false;
    // The state machine retries; SendInProgress (a claim whose lease has not run out) is retried
    // after a backoff longer than the lease, as the definition's Retry does.
    let now = w.start;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await requestInputs(deps, w.cycleId).catch((error: unknown) => error);
      if (!(outcome instanceof Error)) break;
      expect(outcome.name).toBe('SendInProgress');
      expect(attempt).toBeLessThan(3);
      now = new Date(now.getTime() + 61_000);
      setClock(now);
    }
    const sent = await w.outbox.listSent(w.cycleId);
    const keys = sent.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(inputOwners(w.programme).length);
    expect((await w.repo.getCycle(w.cycleId))?.phase).toBe('AWAITING_INPUTS');
    // In the mailbox: each owner has the request once (the write that failed came before SES).
    for (const { owner } of inputOwners(w.programme)) {
      const mail = await listSentMail(localStack().endpoints.ses, { to: owner.email });
      expect(mail, owner.id).toHaveLength(1);
    }
  });
});
