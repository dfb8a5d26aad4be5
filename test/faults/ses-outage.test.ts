/**
 * The local SES goes away while a phase is sending mail, and comes back. The phase fails with the
 * error the state machine retries (MailServiceUnavailable); once SES answers again the retried
 * phase sends what was not sent, and nothing twice: every notice leaves once, through the outbox,
 * and arrives once in the mailbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCycle, requestInputs } from '#shared/cycle/service.ts';
import { inputOwners } from '#shared/programme/queries.ts';
import { wireCycle } from '#shared/wiring/cycle.ts';
import { localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { faultWorld, FlakyProxy } from './support.ts';

let proxy: FlakyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('SES unavailable for a while', () => {
  it('fails the sending phase with a retryable error, then sends every request once when SES is back', async () => {
    const w = await faultWorld('fault-ses');
    proxy = await FlakyProxy.start(localStack().endpoints.ses);
    process.env.AWS_ENDPOINT_URL_SES = proxy.endpoint;
    const deps = await wireCycle();
    await openCycle(deps, w.openRequest);
    const owners = inputOwners(w.programme).map((o) => o.owner);
    expect(owners.length).toBeGreaterThan(1);

    // SES goes down right after the first request is out.
    proxy.downAfter = 1;
    const first = await requestInputs(deps, w.cycleId).catch((error: unknown) => error);
    expect(first).toMatchObject({ name: 'MailServiceUnavailable' });
    expect(proxy.cut).toBeGreaterThan(0);
    const partial = await w.outbox.listSent(w.cycleId);
    expect(partial.length).toBeLessThan(owners.length);
    expect(partial).toHaveLength(1);

    // Still down: the retry fails the same way and loses nothing that was sent.
    const second = await requestInputs(deps, w.cycleId).catch((error: unknown) => error);
    expect(second).toMatchObject({ name: 'MailServiceUnavailable' });
    expect((await w.outbox.listSent(w.cycleId)).map((m) => m.key)).toEqual(partial.map((m) => m.key));

    // SES is back: the state machine's next retry completes the phase; a further retry sends nothing.
    proxy.downAfter = Infinity;
    proxy.down = false;
    await requestInputs(deps, w.cycleId);
    await requestInputs(deps, w.cycleId);
    const sent = await w.outbox.listSent(w.cycleId);
    const keys = sent.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith('input-request:')).sort()).toEqual(
      owners.map((o) => `input-request:${o.id}`).sort(),
    );
    for (const owner of owners) {
      const mail = await listSentMail(localStack().endpoints.ses, { to: owner.email });
      expect(mail, `mail to ${owner.id}`).toHaveLength(1);
    }
    expect((await w.repo.getCycle(w.cycleId))?.phase).toBe('AWAITING_INPUTS');
  });
});
