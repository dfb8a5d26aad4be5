/**
 * Every message of the corpus in test/fixtures/mail goes through the whole inbound path (parse,
 * verdicts, automation, limits, quote stripping, reply format) and must give what
 * expectations.json says. A file without an expectation, or an expectation without a file, fails.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseInbound } from '#shared/mail/inbound.ts';
import type { InboundMessage } from '#shared/mail/inbound.ts';
import {
  checkAuthentication,
  checkLimits,
  checkVerdicts,
  isAutomated,
  MailLimits,
} from '#shared/mail/mail-checks.ts';
import type { CheckDecision } from '#shared/mail/mail-checks.ts';
import { stripQuotes } from '#shared/mail/strip-quotes.ts';
import { ACTION_COMMAND_KINDS, parseActionCommand, parseInputReply } from '#shared/mail/reply-format.ts';

const DIR = new URL('../../fixtures/mail/', import.meta.url);

const Decision = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({
    ok: z.literal(false),
    action: z.enum(['drop', 'reject', 'ignore', 'hold']),
    reasonIncludes: z.string(),
  }),
]);
type ExpectedDecision = z.infer<typeof Decision>;

const Verdicts = z.record(z.string(), z.unknown());

const Expectation = z.strictObject({
  envelope: z.optional(z.strictObject({ mailFrom: z.optional(z.string()), recipients: z.array(z.string()) })),
  verdicts: z.optional(Verdicts),
  parseError: z.optional(z.enum(['UnparseableMail', 'MissingSender', 'MailTooLarge'])),
  parse: z.optional(
    z.strictObject({
      from: z.string(),
      fromName: z.string(),
      to: z.array(z.string()),
      cc: z.array(z.string()),
      subject: z.string(),
      messageId: z.string().nullable(),
      inReplyTo: z.string().nullable(),
      references: z.array(z.string()),
      date: z.string().nullable(),
      textSource: z.enum(['plain', 'html', 'none']),
      attachments: z.array(
        z.strictObject({
          filename: z.string().nullable(),
          contentType: z.string(),
          size: z.number(),
          sha256: z.string(),
          inline: z.boolean(),
        }),
      ),
      textIncludes: z.optional(z.array(z.string())),
      textExcludes: z.optional(z.array(z.string())),
    }),
  ),
  checks: z.optional(z.strictObject({ verdicts: Decision, automated: Decision, limits: Decision })),
  reply: z.optional(z.string()),
  input: z.optional(
    z.strictObject({
      expected: z.array(
        z.strictObject({ key: z.string(), period: z.strictObject({ from: z.string(), to: z.string() }) }),
      ),
      inputs: z.array(z.unknown()),
      problems: z.array(z.string()),
      missing: z.array(z.string()),
    }),
  ),
  command: z.optional(
    z.strictObject({
      allowed: z.array(z.enum(ACTION_COMMAND_KINDS)),
      result: z.union([
        z.strictObject({ ok: z.literal(true), command: z.unknown() }),
        z.strictObject({ ok: z.literal(false), errorIncludes: z.string() }),
      ]),
    }),
  ),
  /** The end-to-end outcome; test/integration/ingest/corpus.test.ts reads and checks it. */
  pipeline: z.looseObject({ token: z.optional(z.string()) }),
});

const Expectations = z.strictObject({
  $comment: z.string(),
  replyAddress: z.string(),
  limits: MailLimits,
  automation: z.strictObject({ ownAddresses: z.array(z.string()), inboundDomain: z.string() }),
  defaultVerdicts: Verdicts,
  files: z.record(z.string(), Expectation),
});

const expectations = Expectations.parse(JSON.parse(readFileSync(new URL('expectations.json', DIR), 'utf8')));
const emlFiles = readdirSync(DIR)
  .filter((name) => name.endsWith('.eml'))
  .sort();

function expectDecision(actual: CheckDecision, expected: ExpectedDecision): void {
  if (expected.ok) {
    expect(actual).toEqual({ ok: true });
    return;
  }
  expect(actual.ok).toBe(false);
  if (actual.ok) return;
  expect(actual.action).toBe(expected.action);
  expect(actual.reason).toContain(expected.reasonIncludes);
}

async function parseFixture(name: string): Promise<InboundMessage> {
  const expectation = expectations.files[name];
  const raw = readFileSync(new URL(name, DIR));
  return parseInbound(raw, undefined, {
    envelope: expectation?.envelope,
    verdicts: (expectation?.verdicts ?? expectations.defaultVerdicts) as never,
  });
}

describe('the mail corpus', () => {
  it('has at least 60 messages, each with an expectation, and no expectation without a message', () => {
    expect(emlFiles.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(expectations.files).sort()).toEqual(emlFiles);
  });

  it('names every message in the README', () => {
    const readme = readFileSync(new URL('README.md', DIR), 'utf8');
    const missing = emlFiles.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('keeps reply-address placeholders in every addressed message (but the one that lost it)', () => {
    for (const name of emlFiles) {
      const parse = expectations.files[name]?.parse;
      if (expectations.files[name]?.pipeline.token === 'thread') {
        expect(parse?.to.join(), name).not.toContain('+');
      } else if (parse) expect(parse.to, name).toContain(expectations.replyAddress);
    }
  });
});

describe.each(emlFiles)('%s', (name) => {
  const expectation = expectations.files[name];

  if (expectation?.parseError) {
    it(`is refused by the parser with ${expectation.parseError}`, async () => {
      await expect(parseFixture(name)).rejects.toMatchObject({ name: expectation.parseError });
    });
    return;
  }

  it('parses into the expected facts', async () => {
    const msg = await parseFixture(name);
    const parse = expectation?.parse;
    expect(parse, 'the expectation must describe the parse').toBeDefined();
    if (!parse) return;
    expect(msg.from).toEqual({ address: parse.from, name: parse.fromName });
    expect(msg.to.map((address) => address.address)).toEqual(parse.to);
    expect(msg.cc.map((address) => address.address)).toEqual(parse.cc);
    expect(msg.subject).toBe(parse.subject);
    expect(msg.messageId ?? null).toBe(parse.messageId);
    expect(msg.inReplyTo ?? null).toBe(parse.inReplyTo);
    expect(msg.references).toEqual(parse.references);
    expect(msg.date ?? null).toBe(parse.date);
    expect(msg.textSource).toBe(parse.textSource);
    expect(
      msg.attachments.map((attachment) => ({
        filename: attachment.filename ?? null,
        contentType: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        inline: attachment.inline,
      })),
    ).toEqual(parse.attachments);
    for (const text of parse.textIncludes ?? []) expect(msg.text).toContain(text);
    for (const text of parse.textExcludes ?? []) expect(msg.text).not.toContain(text);
    expect(msg.size).toBe(readFileSync(new URL(name, DIR)).length);
  });

  it('gets the expected verdict, automation and limit decisions', async () => {
    const msg = await parseFixture(name);
    const checks = expectation?.checks;
    expect(checks, 'the expectation must give the three decisions').toBeDefined();
    if (!checks) return;
    // The receiving server's verdicts: spam and virus first, then the From domain's authentication.
    const verdicts = checkVerdicts(msg.verdicts);
    const auth = checkAuthentication(msg);
    expectDecision(verdicts.ok ? (auth.ok ? { ok: true } : auth) : verdicts, checks.verdicts);
    expectDecision(isAutomated(msg, expectations.automation), checks.automated);
    expectDecision(checkLimits(msg, expectations.limits), checks.limits);
  });

  if (expectation?.reply !== undefined) {
    it('strips quotes and signature down to the reply', async () => {
      const msg = await parseFixture(name);
      expect(stripQuotes(msg.text)).toBe(expectation.reply);
    });
  }

  if (expectation?.input) {
    const input = expectation.input;
    it('reads the input blocks of the reply', async () => {
      const msg = await parseFixture(name);
      const result = parseInputReply(stripQuotes(msg.text), input.expected);
      expect(result.inputs).toEqual(input.inputs);
      expect(result.missing).toEqual(input.missing);
      expect(result.problems).toHaveLength(input.problems.length);
      input.problems.forEach((problem, index) => {
        expect(result.problems[index]?.message).toContain(problem);
      });
    });
  }

  if (expectation?.command) {
    const command = expectation.command;
    it('reads the command of the reply', async () => {
      const msg = await parseFixture(name);
      const result = parseActionCommand(stripQuotes(msg.text), { allowed: command.allowed });
      if (command.result.ok) {
        expect(result).toEqual(command.result);
      } else {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toContain(command.result.errorIncludes);
      }
    });
  }
});
