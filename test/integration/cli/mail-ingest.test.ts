/**
 * `mail ingest` against the local stack: every message of the mail corpus (test/fixtures/mail) gets
 * the outcome its expectation in expectations.json names (the expectations are read from there,
 * as the pipeline's own corpus test reads them), and `--verdicts` reproduces the SES verdict
 * combinations with the outcome each should give. A world per message: a fresh table and evidence
 * bucket with one cycle and a real signed reply address (test/integration/ingest/support.ts), the
 * CLI pointed at them through a data folder whose stack.json names the test stack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseInbound } from '#shared/mail/inbound.ts';
import { decodeReplyAddress } from '#shared/mail/reply-address.ts';
import { checkLimits, DEFAULT_MAIL_LIMITS, MailLimits } from '#shared/mail/mail-checks.ts';
import {
  corpusWorld,
  CORPUS_DELEGATE,
  fixture,
  INBOUND_DOMAIN,
  issueToken,
  KEY,
  NOW,
  snapshot,
  type World,
} from '../ingest/support.ts';
import { cli, dataDirFor, sfnStub, STATE_MACHINE_ARN } from './support.ts';

const DIR = new URL('../../fixtures/mail/', import.meta.url);

interface Expectation {
  envelope?: { mailFrom?: string; recipients: string[] };
  verdicts?: Record<string, { status: string } | string>;
  parse?: { from: string };
  input?: { expected: { key: string; period: { from: string; to: string } }[] };
  pipeline: {
    purpose?: 'inputs' | 'action' | 'extension';
    token?: 'valid' | 'forged' | 'expired' | 'thread';
    sender?: 'recipient' | 'delegate' | 'as-written';
    after?: string;
    outcome: string;
    reasonIncludes: string;
    answer: 'confirmation' | 'rejection' | 'none';
    recorded?: string[];
  };
}
const corpus = JSON.parse(readFileSync(new URL('expectations.json', DIR), 'utf8')) as {
  limits: unknown;
  automation: { ownAddresses: string[]; inboundDomain: string };
  files: Record<string, Expectation>;
};
const corpusLimits = MailLimits.parse(corpus.limits);
const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.eml') && corpus.files[name])
  .sort();

/** The recipient of each purpose's token, and who may answer for them (as the corpus test sets up). */
const DELEGATE = CORPUS_DELEGATE;
const THREAD_MESSAGE_ID = '<C-20261001T0800Z-Q.input.priya.1@isms.example.com>';

let sfn: Awaited<ReturnType<typeof sfnStub>>;
beforeAll(async () => {
  sfn = await sfnStub();
});
afterAll(async () => {
  await sfn.close();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Case {
  w: World;
  env: Record<string, string>;
  dir: string;
  replace: Record<string, string>;
  sender: string;
}

async function setUp(name: string): Promise<Case> {
  const file = corpus.files[name]!;
  const pipeline = file.pipeline;
  const purpose = pipeline.purpose ?? 'inputs';
  const { w, recipient, ref } = await corpusWorld(
    purpose,
    file.input?.expected,
    corpus.automation.ownAddresses,
  );
  let token = await issueToken(w, recipient, {
    purpose,
    ...(ref ? { ref } : {}),
    ...(pipeline.token === 'expired' ? { expiresAt: '2026-10-05T00:00:00.000Z' } : {}),
  });
  if (pipeline.token === 'forged') token = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
  if (pipeline.token === 'thread') {
    const parts = decodeReplyAddress(`review+${token}@${INBOUND_DOMAIN}`, {
      localPart: 'review',
      domain: INBOUND_DOMAIN,
    });
    await w.repo.linkReplyToken(THREAD_MESSAGE_ID, parts.id);
  }
  const from = file.parse?.from;
  const sender =
    (pipeline.sender ?? 'recipient') === 'recipient'
      ? w.email(recipient)
      : pipeline.sender === 'delegate'
        ? w.email(DELEGATE)
        : undefined;
  const replace = { '{{reply_token}}': token, ...(from && sender ? { [from]: sender } : {}) };

  // The stack as `npm start` describes it, with this world's table, bucket, key and domain.
  const data = await dataDirFor({
    endpoints: { sfn: sfn.endpoint },
    env: { INBOUND_DOMAIN, MAIL_FROM: corpus.automation.ownAddresses[0]!, STATE_MACHINE_ARN },
  });
  cleanups.push(data.remove);
  await writeFile(join(data.dir, 'reply-key.hex'), `${KEY.toString('hex')}\n`);
  const env = {
    ISMS_DATA_DIR: data.dir,
    TABLE_NAME: (w.repo as unknown as { tableName: string }).tableName,
    EVIDENCE_BUCKET: (w.deps.evidence as unknown as { bucket: string }).bucket,
  };
  return { w, env, dir: data.dir, replace, sender: sender ?? from ?? '' };
}

/** The corpus file, with its placeholders filled in, written where the CLI reads it. */
async function messageFile(c: Case, name: string): Promise<string> {
  const path = join(c.dir, name);
  await writeFile(path, fixture(name, c.replace));
  return path;
}

/** The verdicts of a corpus file as a --verdicts list. */
function verdictsOption(verdicts: Expectation['verdicts']): string[] {
  if (!verdicts) return [];
  const names: Record<string, string> = {
    spfVerdict: 'spf',
    dkimVerdict: 'dkim',
    dmarcVerdict: 'dmarc',
    spamVerdict: 'spam',
    virusVerdict: 'virus',
    dmarcPolicy: 'policy',
  };
  const parts = Object.entries(verdicts).map(
    ([key, value]) => `${names[key]}=${typeof value === 'string' ? value : value.status}`,
  );
  return ['--verdicts', parts.join(',')];
}

async function ingestWithCli(c: Case, name: string, extra: string[] = []) {
  const file = corpus.files[name]!;
  const argv = [
    'mail',
    'ingest',
    await messageFile(c, name),
    '--json',
    ...verdictsOption(file.verdicts),
    ...extra,
  ];
  if (file.envelope) {
    argv.push(`--envelope-from=${file.envelope.mailFrom ?? ''}`);
    for (const r of file.envelope.recipients)
      argv.push('--rcpt-to', r.split('{{reply_token}}').join(c.replace['{{reply_token}}']));
  }
  const run = await cli(argv, { env: c.env, clock: { now: () => new Date(NOW) } });
  return { code: run.code, result: run.out.result1() as Record<string, unknown>, run };
}

/** Whether a message's expectation rests on the corpus's own small limits, which the stack does not use. */
async function dependsOnCorpusLimits(name: string): Promise<boolean> {
  const msg = await parseInbound(fixture(name, {})).catch(() => undefined);
  if (!msg) return false;
  return checkLimits(msg, corpusLimits).ok !== checkLimits(msg, DEFAULT_MAIL_LIMITS).ok;
}

describe('mail ingest: bad input first', () => {
  it('no file, two files, an unreadable file, a bad --verdicts: a clear error, nothing ingested', async () => {
    const c = await setUp('gmail-top-posted-input.eml');
    const path = await messageFile(c, 'gmail-top-posted-input.eml');
    const before = await snapshot(c.w);
    expect((await cli(['mail', 'ingest'], { env: c.env })).code).toBe(2);
    expect((await cli(['mail', 'ingest', path, path], { env: c.env })).code).toBe(2);
    const bad = await cli(['mail', 'ingest', path, '--verdicts', 'spf=PASS,dmarc=SOMETIMES'], { env: c.env });
    expect(bad.code).toBe(2);
    expect(bad.out.errors[0]).toContain('"dmarc=SOMETIMES" is not a verdict status');
    const missing = await cli(['mail', 'ingest', join(c.dir, 'nothing.eml')], { env: c.env });
    expect(missing.code).toBe(1);
    expect(missing.out.errors[0]).toMatch(/^UnreadableMessageFile: cannot read/);
    const aws = await cli(['mail', 'ingest', path, '--backend', 'aws'], { env: c.env });
    expect(aws.code).toBe(2);
    expect(aws.out.errors[0]).toContain('local stack only');
    expect(await snapshot(c.w)).toEqual(before);
  });
});

const limitCases: string[] = [];
for (const name of files) if (await dependsOnCorpusLimits(name)) limitCases.push(name);

describe('mail ingest: the corpus, each message with the outcome its expectation names', () => {
  it("leaves out only the messages whose expectation rests on the corpus's own small limits", async () => {
    // The corpus checks limits with its own small ones (expectations.json "limits"); the stack runs
    // with the production limits, under which these messages pass the limits check.
    expect(limitCases.length).toBeLessThan(files.length / 10);
    for (const name of limitCases) {
      const msg = await parseInbound(fixture(name, {}));
      expect(checkLimits(msg, corpusLimits).ok, name).toBe(false);
      expect(checkLimits(msg, DEFAULT_MAIL_LIMITS).ok, name).toBe(true);
      expect(corpus.files[name]!.pipeline.outcome, name).toBe('rejected');
    }
  });

  it.each(files.filter((name) => !limitCases.includes(name)))('%s', async (name) => {
    const expected = corpus.files[name]!.pipeline;
    const c = await setUp(name);
    if (expected.after) {
      const first = await ingestWithCli(c, expected.after);
      expect(first.result.outcome, `${expected.after} first`).toBe('accepted');
    }
    const before = await snapshot(c.w);
    const sentBefore = (await c.w.outboxStore.listSent(c.w.cycle.id)).length;

    const { code, result, run } = await ingestWithCli(c, name);
    expect(code, run.out.errors.join('\n')).toBe(0);
    expect(result.outcome).toBe(expected.outcome);
    expect(String(result.reason)).toContain(expected.reasonIncludes);

    const answers = (await c.w.outboxStore.listSent(c.w.cycle.id))
      .slice(sentBefore)
      .filter((record) => record.key.startsWith('reply:'));
    const answer =
      answers.length === 0 ? 'none' : answers[0]!.purpose === 'reply' ? 'rejection' : 'confirmation';
    expect(answer).toBe(expected.answer);
    if (expected.answer !== 'none') expect(answers[0]!.recipients[0]).toBe(c.sender.toLowerCase());

    const after = await snapshot(c.w);
    if (expected.outcome !== 'accepted') expect(after).toEqual(before);
    else if ((expected.purpose ?? 'inputs') === 'inputs') {
      const added = after.submissions.filter((s) => !before.submissions.includes(s));
      expect(added.map((s) => s.split(':')[0]).sort()).toEqual([...(expected.recorded ?? [])].sort());
    }
  });

  it('the text output names the outcome and the reason', async () => {
    const c = await setUp('gmail-vacation-responder.eml');
    const run = await cli(['mail', 'ingest', await messageFile(c, 'gmail-vacation-responder.eml')], {
      env: c.env,
      clock: { now: () => new Date(NOW) },
    });
    expect(run.code).toBe(0);
    expect(run.out.lines[0]).toMatch(/^ignored: .*Auto-Submitted: auto-replied/);
    expect(run.out.lines).toContain('  answer    none');
  });
});

describe('mail ingest --verdicts: every SES verdict combination that matters', () => {
  const PASS = 'spf=PASS,dkim=PASS,dmarc=PASS,spam=PASS,virus=PASS';
  const combinations: {
    name: string;
    verdicts: string;
    accepted: boolean;
    /** Not accepted, but the authenticated owner is told what to fix. */
    answered?: boolean;
    outcomes: string[];
    reason: RegExp;
  }[] = [
    {
      name: 'all PASS',
      verdicts: PASS,
      accepted: true,
      outcomes: ['accepted'],
      reason: /recorded as your input d1/,
    },
    {
      name: 'spam FAIL',
      verdicts: 'spf=PASS,dkim=PASS,dmarc=PASS,spam=FAIL,virus=PASS',
      accepted: false,
      outcomes: ['dropped'],
      reason: /spam/,
    },
    {
      name: 'virus FAIL',
      verdicts: 'spf=PASS,dkim=PASS,dmarc=PASS,spam=PASS,virus=FAIL',
      accepted: false,
      outcomes: ['dropped'],
      reason: /virus/,
    },
    {
      name: 'virus GRAY',
      verdicts: 'spf=PASS,dkim=PASS,dmarc=PASS,spam=PASS,virus=GRAY',
      accepted: false,
      // The owner is authenticated and authorised: they alone are told to send it again.
      answered: true,
      outcomes: ['rejected'],
      reason: /scanned for viruses/,
    },
    {
      name: 'DMARC FAIL',
      verdicts: 'spf=PASS,dkim=PASS,dmarc=FAIL,spam=PASS,virus=PASS,policy=REJECT',
      accepted: false,
      outcomes: ['held'],
      reason: /DMARC/,
    },
    {
      name: 'DMARC GRAY, neither SPF nor DKIM',
      verdicts: 'spf=FAIL,dkim=GRAY,dmarc=GRAY,spam=PASS,virus=PASS',
      accepted: false,
      outcomes: ['held'],
      reason: /authenticated/,
    },
    {
      name: 'DMARC GRAY with SPF (aligned)',
      verdicts: 'spf=PASS,dkim=GRAY,dmarc=GRAY,spam=PASS,virus=PASS',
      accepted: true,
      outcomes: ['accepted'],
      reason: /recorded/,
    },
    {
      name: 'DMARC GRAY with DKIM',
      verdicts: 'spf=GRAY,dkim=PASS,dmarc=GRAY,spam=PASS,virus=PASS',
      accepted: true,
      outcomes: ['accepted'],
      reason: /recorded/,
    },
    {
      name: 'all missing',
      verdicts: 'none',
      accepted: false,
      outcomes: ['held'],
      reason: /verdicts|authenticated|checked/,
    },
  ];

  it.each(combinations)('$name', async ({ verdicts, accepted, answered, outcomes, reason }) => {
    const name = 'gmail-top-posted-input.eml';
    const c = await setUp(name);
    const before = await snapshot(c.w);
    const sentBefore = (await c.w.outboxStore.listSent(c.w.cycle.id)).length;
    // The owner's own mailbox sent it: the envelope sender is aligned with From.
    const { code, result } = await ingestWithCli(c, name, [
      '--verdicts',
      verdicts,
      `--envelope-from=${c.sender}`,
    ]);
    expect(code).toBe(0);
    expect(outcomes).toContain(result.outcome);
    expect(String(result.reason)).toMatch(reason);
    const answers = (await c.w.outboxStore.listSent(c.w.cycle.id))
      .slice(sentBefore)
      .filter((r) => r.key.startsWith('reply:'));
    if (accepted) {
      expect((await snapshot(c.w)).submissions).toHaveLength(1);
      expect(answers.map((a) => a.purpose)).not.toContain('reply');
    } else if (answered) {
      // Nothing recorded; the owner alone is told what to fix.
      expect((await snapshot(c.w)).submissions).toEqual(before.submissions);
      expect(answers).toHaveLength(1);
      expect(answers[0]!.recipients).toEqual([c.sender.toLowerCase()]);
    } else {
      // Nothing recorded and nobody answered: the sender may not be who From says.
      expect(await snapshot(c.w)).toEqual(before);
      expect(answers).toEqual([]);
    }
  });
});
