/**
 * Every message of the corpus (test/fixtures/mail) end to end: through `ingest` against DynamoDB
 * Local, the local S3 and the local SES, with a real signed reply address (or a forged, expired or
 * missing one, as the file's `pipeline` expectation says). Each must end in the expected outcome,
 * with the expected answer or none, and change the cycle only as an accepted message should: the
 * cycle's records are compared before and after.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ingest, type IngestResult } from '#shared/ingest/pipeline.ts';
import { SesVerdicts } from '#shared/mail/inbound.ts';
import { MailLimits } from '#shared/mail/mail-checks.ts';
import {
  corpusWorld,
  CORPUS_DELEGATE,
  fixture,
  issueToken,
  NOW,
  PASS,
  snapshot,
  type World,
} from './support.ts';

const DIR = new URL('../../fixtures/mail/', import.meta.url);

const Pipeline = z.strictObject({
  /** The purpose of the token the message answers. */
  purpose: z.enum(['inputs', 'action', 'extension']).default('inputs'),
  /** valid; forged (one character of the MAC changed); expired; thread (no +token: In-Reply-To). */
  token: z.enum(['valid', 'forged', 'expired', 'thread']).default('valid'),
  /** Who the From address becomes: the token's recipient, their delegate, or kept as written. */
  sender: z.enum(['recipient', 'delegate', 'as-written']).default('recipient'),
  /** Another corpus file ingested first (a replay of it, or a resubmission after it). */
  after: z.string().optional(),
  outcome: z.enum(['accepted', 'rejected', 'held', 'ignored', 'dropped']),
  reasonIncludes: z.string(),
  answer: z.enum(['confirmation', 'rejection', 'none']),
  /** Input keys this message records a submission for (accepted inputs only). */
  recorded: z.array(z.string()).default([]),
  /** Input keys whose new submission supersedes an earlier one. */
  supersedes: z.array(z.string()).default([]),
  /** Recorded input keys whose answer is thin (shared/cycle/input-quality.ts): an input.thin event follows. */
  thin: z.array(z.string()).default([]),
});
type Pipeline = z.output<typeof Pipeline>;

const File = z.looseObject({
  envelope: z.optional(z.strictObject({ mailFrom: z.optional(z.string()), recipients: z.array(z.string()) })),
  verdicts: z.optional(SesVerdicts),
  parse: z.optional(
    z.looseObject({
      from: z.string(),
      attachments: z.array(
        z.looseObject({
          filename: z.string().nullable(),
          contentType: z.string(),
          size: z.number(),
          sha256: z.string(),
          inline: z.boolean(),
        }),
      ),
    }),
  ),
  input: z.optional(
    z.looseObject({
      expected: z.array(
        z.strictObject({ key: z.string(), period: z.strictObject({ from: z.string(), to: z.string() }) }),
      ),
    }),
  ),
  pipeline: Pipeline,
});

const Corpus = z.looseObject({
  limits: MailLimits,
  automation: z.strictObject({ ownAddresses: z.array(z.string()), inboundDomain: z.string() }),
  defaultVerdicts: SesVerdicts,
  files: z.record(z.string(), File),
});

const corpus = Corpus.parse(JSON.parse(readFileSync(new URL('expectations.json', DIR), 'utf8')));
const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.eml'))
  .sort();

/** The recipient of each purpose's token, and who may answer for them. */
const DELEGATE = CORPUS_DELEGATE;
/** The request the thread fallback finds: the Message-ID the corpus's replies name. */
const THREAD_MESSAGE_ID = '<C-20261001T0800Z-Q.input.priya.1@isms.example.com>';

async function setUp(name: string) {
  const file = corpus.files[name]!;
  const pipeline = file.pipeline;
  const { w, recipient, ref } = await corpusWorld(
    pipeline.purpose,
    file.input?.expected,
    corpus.automation.ownAddresses,
  );
  const expiresAt = pipeline.token === 'expired' ? '2026-10-05T00:00:00.000Z' : undefined;
  let token = await issueToken(w, recipient, {
    purpose: pipeline.purpose,
    ...(ref ? { ref } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  });
  if (pipeline.token === 'forged') token = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
  if (pipeline.token === 'thread') await w.repo.linkReplyToken(THREAD_MESSAGE_ID, token.split('.').at(-2)!);
  const from = file.parse?.from;
  const sender =
    pipeline.sender === 'recipient'
      ? w.email(recipient)
      : pipeline.sender === 'delegate'
        ? w.email(DELEGATE)
        : undefined;
  const replace = { '{{reply_token}}': token, ...(from && sender ? { [from]: sender } : {}) };
  return { w, replace, pipeline, fromAddress: sender ?? from ?? '' };
}

function send(
  w: World,
  name: string,
  replace: Record<string, string>,
  rawS3Key: string,
): Promise<IngestResult> {
  const file = corpus.files[name]!;
  const envelope = file.envelope;
  return ingest(
    { ...w.deps, settings: { ...w.deps.settings, mailLimits: corpus.limits } },
    {
      raw: fixture(name, replace),
      rawS3Key,
      sesVerdicts: file.verdicts ?? corpus.defaultVerdicts ?? PASS,
      receivedAt: NOW.toISOString(),
      ...(envelope
        ? {
            envelope: {
              mailFrom: envelope.mailFrom ?? '',
              rcptTo: envelope.recipients.map((r) =>
                r.split('{{reply_token}}').join(replace['{{reply_token}}']),
              ),
            },
          }
        : {}),
    },
  );
}

/** Each new submission keeps the files sent (not a signature's images) in S3, with their SHA-256. */
async function expectAttachmentsKept(w: World, name: string, added: string[]): Promise<void> {
  const sent = (corpus.files[name]!.parse?.attachments ?? []).filter(
    (a) => !(a.inline && a.contentType.startsWith('image/')),
  );
  for (const entry of added) {
    const [key, id] = entry.split(':');
    const submission = (await w.repo.listSubmissions(w.cycle.id, key)).find((s) => s.id === id)!;
    expect(submission.attachments.map((a) => [a.name, a.size, a.sha256])).toEqual(
      sent.map((a, n) => [a.filename ?? `attachment-${n + 1}`, a.size, a.sha256]),
    );
    for (const attachment of submission.attachments) {
      const stored = await w.deps.evidence.get(attachment.s3Key);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(attachment.sha256);
    }
  }
}

function answerOf(purposes: string[]): Pipeline['answer'] {
  if (purposes.length === 0) return 'none';
  expect(purposes).toHaveLength(1);
  return purposes[0] === 'reply' ? 'rejection' : 'confirmation';
}

describe('the mail corpus through the ingest pipeline', () => {
  it('has at least 60 messages, at least half of them hostile or broken', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    const notAccepted = files.filter((name) => corpus.files[name]?.pipeline.outcome !== 'accepted');
    expect(notAccepted.length * 2).toBeGreaterThanOrEqual(files.length);
  });

  it.each(files)('%s', async (name) => {
    const { w, replace, pipeline, fromAddress } = await setUp(name);
    if (pipeline.after) {
      const first = await send(w, pipeline.after, replace, `inbound/${pipeline.after}`);
      expect(first.outcome, `${pipeline.after} first`).toBe('accepted');
    }
    const before = await snapshot(w);
    const sentBefore = (await w.outboxStore.listSent(w.cycle.id)).length;
    const eventsBefore = await w.repo.listEvents(w.cycle.id);

    const result = await send(w, name, replace, `inbound/${name}`);

    // the outcome and the reason
    expect({ outcome: result.outcome, reason: result.reason }).toMatchObject({ outcome: pipeline.outcome });
    expect(result.reason).toContain(pipeline.reasonIncludes);

    // the answer, or none
    // (an accepted action reply may make the notifier send more: only the answer is keyed reply:)
    const answers = (await w.outboxStore.listSent(w.cycle.id))
      .slice(sentBefore)
      .filter((record) => record.key.startsWith('reply:'));
    expect(answerOf(answers.map((a) => a.purpose))).toBe(pipeline.answer);
    if (pipeline.answer !== 'none') expect(answers[0]!.recipients[0]).toBe(fromAddress.toLowerCase());

    // the cycle: unchanged, or changed only by what was recorded
    const after = await snapshot(w);
    if (pipeline.outcome !== 'accepted') {
      expect(after).toEqual(before);
    } else if (pipeline.purpose === 'inputs') {
      // Earlier answers stay on record; a resubmission only adds.
      expect(after.submissions).toEqual(expect.arrayContaining(before.submissions));
      const added = after.submissions.filter((s) => !before.submissions.includes(s));
      expect(added.map((s) => s.split(':')[0]).sort()).toEqual([...pipeline.recorded].sort());
      expect(
        added
          .filter((s) => !s.endsWith(':'))
          .map((s) => s.split(':')[0])
          .sort(),
      ).toEqual([...pipeline.supersedes].sort());
      expect(pipeline.recorded).toEqual(expect.arrayContaining(pipeline.thin));
      expect(after.events.slice(before.events.length)).toEqual(
        pipeline.recorded.flatMap((key) =>
          pipeline.thin.includes(key) ? ['input.submitted', 'input.thin'] : ['input.submitted'],
        ),
      );
      await expectAttachmentsKept(w, name, added);
      expect({ ...after, submissions: [], requests: [], events: [] }).toEqual({
        ...before,
        submissions: [],
        requests: [],
        events: [],
      });
    } else {
      expect(after.submissions).toEqual(before.submissions);
      expect(after.requests).toEqual(before.requests);
      expect(after.actions).not.toEqual(before.actions);
    }

    // the receipt is in the cycle's log with the raw message's key only when its sender was
    // authenticated and authorised (accepted or rejected); held, ignored, dropped and duplicate
    // mail stays outside the chain
    const logged = (await w.repo.listEvents(w.cycle.id))
      .slice(eventsBefore.length)
      .filter((e) => e.type === 'mail.received');
    if (pipeline.outcome === 'held') {
      expect(result.heldId).toMatch(/^H-/);
      const held = await w.repo.getHeldMessage(result.heldId!);
      expect(held).toMatchObject({ status: 'held', rawS3Key: `inbound/${name}` });
      expect(held!.reason).toContain(pipeline.reasonIncludes);
    }
    if (
      (pipeline.outcome === 'accepted' || pipeline.outcome === 'rejected') &&
      result.reason !== 'duplicate'
    ) {
      expect(logged).toHaveLength(1);
      expect(logged[0]!.data).toMatchObject({ outcome: pipeline.outcome, rawS3Key: `inbound/${name}` });
    } else {
      expect(logged).toEqual([]);
    }
  });
});
