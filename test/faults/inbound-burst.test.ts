/**
 * 200 replies in a burst through the real SMTP server (several connections at once), one in five a
 * second delivery of a message already sent, as mail systems do. The server stores every delivery
 * and runs the ingest before it answers; a temporary failure (4xx) is retried by the sender, as an
 * MTA does. Every distinct message is recorded exactly once, every duplicate is recognised, and no
 * message is lost.
 */
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { openCycle, requestInputs } from '#shared/cycle/service.ts';
import type { IngestResult } from '#shared/ingest/pipeline.ts';
import { cycleDeps } from '#shared/wiring/cycle.ts';
import { startSmtp, type RunningSmtp } from '#infra/local/emulators/smtp.ts';
import { ingestInbound } from '#infra/local/ingest.ts';
import { localStack, s3Client } from '#test/support/local-stack.ts';
import { deliverAll, replyAddressesOf, replyBurst } from '#test/support/replies.ts';
import { faultWorld, setClock } from './support.ts';

const MESSAGES = 200;
let smtp: RunningSmtp | undefined;
afterAll(async () => {
  await smtp?.stop();
});

describe('a burst of inbound mail', () => {
  it(
    'records each of 200 messages once, duplicates included, and loses none',
    { timeout: 90_000 },
    async () => {
      const w = await faultWorld('fault-burst');
      const deps = await cycleDeps();
      await openCycle(deps, w.openRequest);
      await requestInputs(deps, w.cycleId);
      const at = new Date(w.start.getTime() + 86_400_000);
      setClock(at);
      const asked = (await w.repo.listInputRequests(w.cycleId)).filter((r) => !r.automatic && r.ownerId);
      const addresses = await replyAddressesOf({
        repo: w.repo,
        programme: w.programme,
        cycleId: w.cycleId,
        requests: asked,
        now: at,
        replyKeyHex: process.env.REPLY_KEY!,
      });
      const prefix = `inbound/burst-${randomUUID().slice(0, 8)}/`;
      const results: IngestResult[] = [];
      smtp = await startSmtp({
        port: 0,
        s3: s3Client(),
        bucket: localStack().buckets.rawMail,
        prefix,
        onInbound: async (mail) => {
          results.push(await ingestInbound(mail));
        },
      });

      // One in five is a second delivery of an earlier message.
      const messages = replyBurst({
        programme: w.programme,
        requests: asked,
        addresses,
        at,
        count: MESSAGES,
      });
      const distinct = new Set(messages.map((m) => m.messageId));

      const delivery = await deliverAll(smtp, messages);
      expect(delivery.failed).toEqual([]);

      // Each distinct message was recorded once; every other delivery was recognised as a duplicate.
      expect(results.every((r) => r.outcome === 'accepted' || r.outcome === 'ignored')).toBe(true);
      const accepted = results.filter((r) => r.outcome === 'accepted').map((r) => r.messageId);
      expect(new Set(accepted).size).toBe(accepted.length);
      const recorded: string[] = [];
      for (const key of new Set(asked.map((r) => r.inputKey))) {
        for (const submission of await w.repo.listSubmissions(w.cycleId, key)) {
          if (submission.source.channel === 'email')
            recorded.push(submission.source.messageId.replace(/^<|>$/g, ''));
        }
      }
      expect(recorded.sort()).toEqual([...distinct].sort());
      expect(results.length).toBeGreaterThanOrEqual(MESSAGES);
      // The raw message of every delivery is kept.
      const listed = await s3Client().send(
        new ListObjectsV2Command({ Bucket: localStack().buckets.rawMail, Prefix: prefix, MaxKeys: 1000 }),
      );
      expect(listed.KeyCount).toBeGreaterThanOrEqual(MESSAGES);
    },
  );
});
