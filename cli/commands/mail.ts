import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { VERDICT_STATUSES, type SesVerdicts } from '#shared/mail/inbound.ts';
import {
  BACKEND_HELP,
  backendOptions,
  requireSetting,
  resolveBackend,
  resolveProgrammeId,
} from '../backend.ts';
import { openRepository } from '../clients.ts';
import { ExitCode, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** The message file could not be read. */
export class UnreadableMessageFile extends Error {
  override name = 'UnreadableMessageFile' as const;
}

type VerdictStatus = (typeof VERDICT_STATUSES)[number];

const VERDICT_NAMES = {
  spf: 'spfVerdict',
  dkim: 'dkimVerdict',
  dmarc: 'dmarcVerdict',
  spam: 'spamVerdict',
  virus: 'virusVerdict',
} as const;

/**
 * `--verdicts spf=PASS,dkim=PASS,dmarc=GRAY,spam=PASS,virus=PASS[,policy=REJECT]` as SES gives them
 * in `receipt`; a verdict not named is DISABLED (SES did not check it); `none`: no verdicts at all,
 * as from a server that checks nothing. UsageError naming the part that is wrong.
 */
export function parseVerdicts(value: string): SesVerdicts | undefined {
  const text = value.trim();
  if (text.toLowerCase() === 'none') return undefined;
  if (text === '')
    throw new UsageError(
      '--verdicts is empty; give e.g. spf=PASS,dkim=PASS,dmarc=PASS,spam=PASS,virus=PASS, or none.',
    );
  const given = new Map<string, string>();
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*([A-Za-z_]+)\s*$/.exec(part);
    if (!match) throw new UsageError(`--verdicts: "${part}" is not name=STATUS, e.g. dmarc=PASS.`);
    const name = match[1]!.toLowerCase();
    if (name !== 'policy' && !(name in VERDICT_NAMES)) {
      throw new UsageError(
        `--verdicts: "${part}" names no verdict; the names are ${[...Object.keys(VERDICT_NAMES), 'policy'].join(', ')}.`,
      );
    }
    if (given.has(name)) throw new UsageError(`--verdicts: "${name}" is given twice.`);
    const status = match[2]!.toUpperCase();
    if (name !== 'policy' && !(VERDICT_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(
        `--verdicts: "${part}" is not a verdict status; expected one of ${VERDICT_STATUSES.join(', ')}.`,
      );
    }
    given.set(name, status);
  }
  const verdict = (name: keyof typeof VERDICT_NAMES) => ({
    status: (given.get(name) ?? 'DISABLED') as VerdictStatus,
  });
  const policy = given.get('policy');
  return {
    spamVerdict: verdict('spam'),
    virusVerdict: verdict('virus'),
    spfVerdict: verdict('spf'),
    dkimVerdict: verdict('dkim'),
    dmarcVerdict: verdict('dmarc'),
    ...(policy ? { dmarcPolicy: policy } : {}),
  };
}

/** The address in a Return-Path header: `<a@b>` → a@b, `<>` → '' (a bounce). */
function returnPathAddress(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const angled = /<([^>]*)>/.exec(header);
  return (angled ? angled[1]! : header).trim();
}

export const mailIngest: Command = {
  words: ['mail', 'ingest'],
  usage: 'mail ingest <file.eml> [--verdicts <list>] [--envelope-from <addr>] [--rcpt-to <addr>]',
  summary: 'Run a raw message through the inbound mail pipeline of the local stack; print the outcome.',
  help: [
    'The message goes through the same code as a reply that reaches the local SMTP server: it is kept',
    'in the raw mail bucket, then ingested (checks, recording, answer, the cycle log). The outcome is',
    'accepted, rejected, held, ignored or dropped, with the reason (exit 0 whatever the outcome).',
    '',
    'Options:',
    "  --verdicts <list>        the receiving server's verdicts, as SES gives them:",
    '                           spf=PASS,dkim=PASS,dmarc=GRAY,spam=PASS,virus=PASS[,policy=REJECT]',
    `                           (statuses ${VERDICT_STATUSES.join(', ')}; one not named is DISABLED);`,
    '                           none: no verdicts at all. Default: what the local SMTP server gives.',
    "  --envelope-from <addr>   the SMTP MAIL FROM; default: the message's Return-Path, else its From",
    "  --rcpt-to <addr>         an SMTP recipient (repeatable); default: the message's To and Cc",
    '',
    'Local stack only (on AWS, mail arrives through the SES receipt rule).',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    verdicts: { type: 'string' },
    'envelope-from': { type: 'string' },
    'rcpt-to': { type: 'string', multiple: true },
  },
  async run({ positionals, values, out, clock, env }) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('Give exactly one message file (.eml).');
    const verdictsOption = values.verdicts;
    if (verdictsOption !== undefined && typeof verdictsOption !== 'string') {
      throw new UsageError(
        '--verdicts needs a list, e.g. spf=PASS,dkim=PASS,dmarc=PASS,spam=PASS,virus=PASS.',
      );
    }
    const verdicts = verdictsOption === undefined ? 'default' : parseVerdicts(verdictsOption);
    const envelopeFrom = values['envelope-from'];
    if (envelopeFrom !== undefined && typeof envelopeFrom !== 'string') {
      throw new UsageError('--envelope-from needs an address (or "" for a bounce).');
    }
    const rcptTo = (values['rcpt-to'] as unknown as string[] | undefined) ?? [];
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (error) {
      throw new UnreadableMessageFile(`cannot read ${file}: ${(error as Error).message}`);
    }
    const backend = await resolveBackend(values, env);
    if (backend.kind !== 'local') {
      throw new UsageError(
        'mail ingest runs against the local stack only; on AWS, mail arrives through the SES receipt rule.',
      );
    }
    // An accepted answer may resume the workflow: never through anything but the local runtime.
    requireSetting(backend, 'AWS_ENDPOINT_URL_SFN');
    const [{ wireIngest }, { ingestFromSmtp }, { INBOUND_PREFIX }, { ingest }, inbound] = await Promise.all([
      import('#shared/wiring/ingest.ts'),
      import('#infra/local/ingest.ts'),
      import('#functions/ingest-email.ts'),
      import('#shared/ingest/pipeline.ts'),
      import('#shared/mail/inbound.ts'),
    ]);
    // The same dependencies the local SMTP server's handler builds, from the contract just set.
    const deps = await wireIngest({ env: process.env, overrides: { clock } });

    // The envelope a mail client would give: MAIL FROM its Return-Path (or From), RCPT TO its recipients.
    let headers: { from: string; returnPath: string | undefined; recipients: string[] } | undefined;
    try {
      const msg = await inbound.parseInbound(raw);
      headers = {
        from: msg.from.address,
        returnPath: returnPathAddress(msg.headers.returnPath),
        recipients: [...msg.to, ...msg.cc].map((a) => a.address),
      };
    } catch {
      headers = undefined; // unreadable: the pipeline says why
    }
    const envelope =
      envelopeFrom !== undefined || rcptTo.length > 0 || headers
        ? {
            mailFrom: envelopeFrom ?? headers?.returnPath ?? headers?.from ?? '',
            rcptTo: rcptTo.length > 0 ? rcptTo : (headers?.recipients ?? []),
          }
        : undefined;

    const key = `${INBOUND_PREFIX}${randomUUID()}`;
    await deps.rawMail.put(key, raw, 'message/rfc822');
    const receivedAt = clock.now().toISOString();
    const result =
      verdicts === 'default' && envelope
        ? await ingestFromSmtp(deps, {
            bucket: backend.env.RAW_MAIL_BUCKET ?? '',
            key,
            raw,
            envelope,
            receivedAt,
          })
        : await ingest(deps, {
            raw,
            rawS3Key: key,
            ...(envelope ? { envelope } : {}),
            ...(verdicts !== 'default' && verdicts ? { sesVerdicts: verdicts } : {}),
            receivedAt,
          });

    out.say(`${result.outcome}: ${result.reason}`);
    if (result.cycleId)
      out.say(`  cycle     ${result.cycleId}${result.purpose ? ` (${result.purpose})` : ''}`);
    if (result.messageId) out.say(`  message   ${result.messageId}`);
    if (result.heldId) out.say(`  held as   ${result.heldId} (isms-review mail release ${result.heldId})`);
    out.say(`  answer    ${result.answer}`);
    if (result.resumed) out.say('  the workflow goes on: this was the last answer it waited for');
    out.say(`  kept at   ${key} in the raw mail bucket`);
    out.result({
      outcome: result.outcome,
      reason: result.reason,
      cycleId: result.cycleId ?? null,
      purpose: result.purpose ?? null,
      messageId: result.messageId ?? null,
      heldId: result.heldId ?? null,
      answer: result.answer,
      resumed: result.resumed ?? false,
      rawS3Key: key,
      ...(result.recorded ? { recorded: result.recorded } : {}),
    });
    return ExitCode.ok;
  },
};

/** `--days`: a whole number of days from 1 to 400. */
function daysOption(value: string | boolean | undefined): number {
  if (value === undefined) return 30;
  const days = typeof value === 'string' && /^\d{1,3}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 400) {
    throw new UsageError('--days needs a whole number of days from 1 to 400, e.g. --days 7.');
  }
  return days;
}

export const mailHeld: Command = {
  words: ['mail', 'held'],
  usage: 'mail held [--days <n>] [--all]',
  summary: 'List the inbound mail held for the ISMS manager: not recorded, not answered.',
  help: [
    'Mail to a reply address is held when the system cannot be sure who sent it: its From domain is not',
    'authenticated (DMARC, or SPF/DKIM aligned with it), it names more than one author, its From or',
    'Sender is not the person the request went to nor their registered delegate, or its reply address is',
    'not one the system issued. Its sender is told nothing. Check with the person by other means, then',
    'release it with `isms-review mail release <id>`. Held mail is kept 90 days.',
    '',
    'Options:',
    '  --days <n>   how far back to look (default 30)',
    '  --all        also list messages released already',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, days: { type: 'string' }, all: { type: 'boolean' } },
  async run({ positionals, values, out, clock, env }) {
    if (positionals.length > 0) throw new UsageError('mail held takes no arguments.');
    const days = daysOption(values.days);
    const backend = await resolveBackend(values, env);
    const { repository, close } = await openRepository(backend);
    try {
      const { listHeldMail } = await import('#shared/ingest/held.ts');
      const held = await listHeldMail(
        { repo: repository, clock },
        { days, status: values.all === true ? 'all' : 'held' },
      );
      if (held.length === 0) out.say(`No mail held in the last ${days} days.`);
      for (const h of held) {
        out.say(`${h.id}  ${h.status.toUpperCase()}  received ${h.receivedAt}`);
        out.say(`  from     ${h.from}${h.sender.length ? ` (Sender: ${h.sender.join(', ')})` : ''}`);
        out.say(`  subject  ${h.subject || '(no subject)'}`);
        out.say(`  why      ${h.reason}`);
        if (h.cycleId) out.say(`  review   ${h.cycleId}`);
        if (h.status === 'released')
          out.say(`  released ${h.releasedAt ?? ''} by ${h.releasedBy ?? ''}: ${h.releaseOutcome ?? ''}`);
      }
      out.result({ held });
      return ExitCode.ok;
    } finally {
      close();
    }
  },
};

export const mailRelease: Command = {
  words: ['mail', 'release'],
  usage: 'mail release <heldId> [--by <person id>]',
  summary: 'Vouch for the sender of a held message: it is read as if it had just arrived.',
  help: [
    'Run this only after confirming, by other means than a reply to the message, that the person in its',
    'From sent it. The message then goes through the inbound pipeline again with its authentication',
    'taken as vouched for; the reply address, spam and virus verdicts, limits and content rules still',
    'apply, and its sender gets the usual answer. The release is recorded in the cycle log',
    '(mail.released, by --by: default the ISMS manager). A message whose From is not the recipient or a',
    'registered delegate stays held: register them as a delegate first.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, by: { type: 'string' }, programme: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) {
      throw new UsageError('Give exactly one held message id (see `isms-review mail held`).');
    }
    if (!/^H-\d{8}T\d{6}Z-[0-9a-f]{16}$/.test(id)) {
      throw new UsageError(
        `"${id}" is not a held message id; expected one like H-20261006T080000Z-0123456789abcdef.`,
      );
    }
    const by = values.by;
    if (by !== undefined && (typeof by !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(by.trim()))) {
      throw new UsageError('--by needs a person id from the programme, e.g. --by alice.');
    }
    const backend = await resolveBackend(values, env);
    if (backend.kind === 'local') requireSetting(backend, 'AWS_ENDPOINT_URL_SFN');
    const [{ wireIngest }, held] = await Promise.all([
      import('#shared/wiring/ingest.ts'),
      import('#shared/ingest/held.ts'),
    ]);
    const deps = await wireIngest({ env: process.env, overrides: { clock } });
    let releasedBy = typeof by === 'string' ? by.trim() : undefined;
    if (!releasedBy) {
      const programmeId = await resolveProgrammeId(backend, values, env);
      const current = await deps.repo.getCurrentProgramme(programmeId);
      const { ProgrammeSchema } = await import('#shared/programme/schema.ts');
      const programme = current ? ProgrammeSchema.safeParse(current.document) : undefined;
      if (!programme?.success) {
        throw new UsageError(`programme ${programmeId} is not stored; give --by <person id>.`);
      }
      releasedBy = programme.data.roles.ismsManager;
    }
    try {
      const { held: released, result } = await held.releaseHeldMail(deps, { id, by: releasedBy });
      out.say(`released ${released.id}: ${result.outcome}: ${result.reason}`);
      if (result.cycleId)
        out.say(`  cycle     ${result.cycleId}${result.purpose ? ` (${result.purpose})` : ''}`);
      out.say(`  answer    ${result.answer}`);
      out.result({
        ok: true,
        id: released.id,
        releasedBy,
        outcome: result.outcome,
        reason: result.reason,
        cycleId: result.cycleId ?? null,
        answer: result.answer,
      });
      return ExitCode.ok;
    } catch (error) {
      const name = (error as Error).name;
      if (
        ['HeldMailNotFound', 'HeldMailAlreadyReleased', 'ReleaseNotRecorded', 'InvalidRelease'].includes(name)
      ) {
        out.error(`${name}: ${(error as Error).message}`);
        out.result({ ok: false, error: name, message: (error as Error).message });
        return ExitCode.failed;
      }
      throw error;
    }
  },
};
