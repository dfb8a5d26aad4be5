/**
 * The inbound mail pipeline: one raw message in, one outcome out, in this order.
 *
 * | step | what                                                    | stops with                              |
 * | ---- | ------------------------------------------------------- | --------------------------------------- |
 * | 1    | parse (shared/mail/inbound.ts)                          | ignored: unreadable, too large, no From |
 * | 2    | handled to the end before (`lookUpInbound`)             | ignored "duplicate": nothing else       |
 * | 3    | automatic mail (RFC 3834, bounce, report, list, loop)   | ignored, never answered                 |
 * | 4    | spam or virus verdict FAIL                              | dropped                                 |
 * | 4b   | exactly one From mailbox, at most one Sender            | held                                    |
 * | 4c   | From domain authenticated (DMARC, or aligned SPF/DKIM)  | held                                    |
 * | 5    | reply token (address, MAC, record; or the thread)       | held (unknown, forged); expired: below  |
 * | 6    | From and Sender are the recipient or their delegate     | held                                    |
 * | 6b   | expired token; message that could not be virus-scanned  | rejected                                |
 * | 7    | daily caps of the reply address; size and attachments   | rejected                                |
 * | 8    | by purpose: inputs, minutes, action                     | rejected with every problem, or accepted|
 * | 9    | answer: confirmation or rejection (outbox, once)        |                                         |
 * | 10   | raw message kept; `mail.received` event + seen mark     |                                         |
 *
 * Who learns what: only a sender who passed 4b to 6 (authenticated, and the person the request
 * went to or their registered delegate) is answered, at the address answer.ts chooses, with
 * `Auto-Submitted: auto-replied`. Everything else gets no answer at all, so nothing about the
 * owner, the ISMS manager, the cycle or its dates reaches a forger, a stranger or a look-alike
 * domain. Held mail is kept for the ISMS manager in its own store (shared/store/held-mail.ts),
 * outside every cycle's chain, listed by `isms-review mail held` and the daily digest
 * (held-digest.ts) and released by `isms-review mail release <id>` (held.ts), which runs it
 * through here again with the ISMS manager vouching for the sender (`override`).
 *
 * Exactly once: every write of step 8 is idempotent by the Message-ID (a submission that carries
 * it is reused, an action whose history names it is left alone, identical minutes are a repeat,
 * resuming the workflow happens once); the answer goes through the outbox under
 * `reply:<hash of the Message-ID>`, so it is sent once however often the message is handled; and
 * the message is marked seen only in the same transaction that appends its `mail.received` event
 * (step 10). A crash anywhere before that (SES re-invokes the Lambda, the SMTP sender retries after
 * 451) runs the message again and loses neither the answer nor the event; after it, a redelivery
 * is a duplicate. Mail that ends ignored or dropped is marked seen without an event.
 *
 * A newer answer wins by receipt time, not by the order messages are processed: see purposes.ts.
 *
 * A reply whose client or server dropped the `+token` part (it arrives at `review@<domain>`) is
 * tied to its request through In-Reply-To/References: the notifier links the Message-ID of every
 * request it sends to the reply token it carries (`linkReplyToken`). The token must still be
 * valid, and steps 4b to 6 apply as to any reply.
 *
 * Flood containment: held, ignored and dropped mail never touches a cycle's chain head; each reply
 * address takes at most `dailyMessagesPerReplyAddress` messages and `dailyBytesPerReplyAddress`
 * bytes a day (both counted in one conditional update), and its sender is told when it is past them.
 */
import * as z from 'zod';
import {
  DEFAULT_INBOUND_LIMITS,
  MailTooLarge,
  MissingSender,
  parseInbound,
  SesVerdicts,
  UnparseableMail,
  type InboundLimits,
  type InboundMessage,
} from '../mail/inbound.ts';
import {
  checkAuthentication,
  checkLimits,
  checkSingleFrom,
  DEFAULT_MAIL_LIMITS,
  type MailLimits,
} from '../mail/mail-checks.ts';
import { heldMailId } from '../store/held-mail.ts';
import { messageKeys } from '../store/keys.ts';
import type { Outbox } from '../mail/outbox.ts';
import { keepRawMessage } from './raw-evidence.ts';
import { withActionExpiry } from './token-expiry.ts';
import type { ReplyKeyring } from '../mail/reply-keyring.ts';
import type { Cycle } from '../model/cycle.ts';
import { CYCLE_PHASES } from '../model/cycle.ts';
import { InvalidData, NonEmptyText, UtcTimestamp } from '../model/common.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import type { InputRequest } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import { allInputsAnswered, resumeWaiting } from '../cycle/service.ts';
import type { CycleDeps } from '../cycle/ports.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { programmeVersion, ProgrammeNotApplied } from '../store/stored-programme.ts';
import type { IngestProblem } from '../mail/templates/ingest-rejection.ts';
import {
  sendConfirmation,
  sendRejection,
  toProblem,
  type AnswerStatus,
  type Confirmation,
} from './answer.ts';
import {
  handleAction,
  handleInputs,
  handleMinutes,
  type PurposeContext,
  type PurposeResult,
} from './purposes.ts';
import { handleApproval } from './approvals.ts';
import { APPROVAL_PURPOSES, subjectOfPurpose } from '../cycle/approvals.ts';
import {
  checkLinkedToken,
  checkSender,
  checkToken,
  dedupeKey,
  DEFAULT_REJECTIONS_PER_SENDER_PER_DAY,
  keyHash,
  replyAddressCandidates,
  screen,
  threadMessageIds,
  type ReplyAddressCandidate,
} from './steps.ts';

/** The request given to `ingest` is not what it needs. */
export class InvalidIngestRequest extends Error {
  override name = 'InvalidIngestRequest' as const;
}

export interface IngestSettings {
  /** The domain replies arrive on (INBOUND_DOMAIN). */
  readonly inboundDomain: string;
  /** Our own sending addresses (MAIL_FROM): mail from them is a loop. */
  readonly ownAddresses: readonly string[];
  readonly mailLimits?: MailLimits;
  readonly inboundLimits?: InboundLimits;
  /** Rejection answers per sender per UTC day (in one cycle); default 5. */
  readonly rejectionsPerSenderPerDay?: number;
  /** Messages a reply address takes per UTC day; default DEFAULT_DAILY_MESSAGES_PER_REPLY_ADDRESS. */
  readonly dailyMessagesPerReplyAddress?: number;
  /** Bytes a reply address takes per UTC day; default DEFAULT_DAILY_BYTES_PER_REPLY_ADDRESS. */
  readonly dailyBytesPerReplyAddress?: number;
}

/** The review's dependencies the ingest uses: all but the package store (it renders nothing). */
export interface IngestDeps extends Pick<CycleDeps, 'repo' | 'clock' | 'workflow' | 'notifier'> {
  readonly outbox: Pick<Outbox, 'sendOnce'>;
  /** Where attachments are kept (the evidence bucket). */
  readonly evidence: BlobStore;
  /** The reply-address HMAC keyring (every key generation still verifying). Never log it. */
  readonly replyKey: ReplyKeyring;
  readonly settings: IngestSettings;
}

export const IngestRequest = z.strictObject({
  raw: z.instanceof(Buffer, { error: 'raw must be the message bytes (a Buffer)' }),
  /** Where the raw message is kept in the raw mail bucket. */
  rawS3Key: NonEmptyText,
  /** The SMTP envelope; absent: only the headers name the recipients. */
  envelope: z.optional(z.strictObject({ mailFrom: z.string(), rcptTo: z.array(z.string()) })),
  /** The receiving server's verdicts (SES `receipt`); absent: the message is rejected. */
  sesVerdicts: z.optional(SesVerdicts),
  receivedAt: UtcTimestamp,
});
export type IngestRequest = z.input<typeof IngestRequest>;

export type IngestOutcome = 'accepted' | 'rejected' | 'held' | 'ignored' | 'dropped';

export interface IngestResult {
  readonly outcome: IngestOutcome;
  readonly reason: string;
  readonly cycleId?: string;
  readonly messageId?: string;
  readonly purpose?: string;
  /** What was recorded (accepted only). */
  readonly recorded?: Record<string, unknown>;
  /** What happened to the answer. */
  readonly answer: AnswerStatus | 'none';
  /** The workflow was resumed by this message. */
  readonly resumed?: boolean;
  /** The held message's id (held only): `isms-review mail release <id>`. */
  readonly heldId?: string;
}

/** The cycle a message is tied to, once its token is known to be ours. */
interface Target {
  /** The reply address it came to; absent when found through In-Reply-To/References. */
  readonly candidate?: ReplyAddressCandidate;
  readonly token: ReplyTokenRecord;
  readonly cycle: Cycle;
  readonly programme: Programme;
  /** The cycle's input requests, read with the cycle (an answer to an input request only). */
  readonly requests?: readonly InputRequest[];
}

const SUPPORTED_PURPOSES = new Set([
  'inputs',
  'minutes',
  'action',
  'extension',
  'effectiveness',
  'closure',
  'decision',
  ...Object.values(APPROVAL_PURPOSES),
]);

/** The programme version the cycle runs on; undefined when it is missing or no longer parses. */
async function programmeOf(deps: IngestDeps, cycle: Cycle): Promise<Programme | undefined> {
  return programmeVersion(deps.repo, cycle.programme).catch((error: unknown) => {
    if (error instanceof ProgrammeNotApplied || error instanceof InvalidData) return undefined;
    throw error;
  });
}

/** Step 5 without a +token: the request the message answers, named by In-Reply-To/References. */
async function resolveByThread(
  deps: IngestDeps,
  msg: InboundMessage,
): Promise<{ target?: Target; reason?: string; expired?: Target } | undefined> {
  for (const messageId of threadMessageIds(msg, deps.settings.inboundDomain)) {
    const tokenId = await deps.repo.replyTokenOfMessage(messageId);
    if (!tokenId) continue;
    const token = await withActionExpiry(deps.repo, await deps.repo.getReplyToken(tokenId));
    const cycle = token ? await deps.repo.getCycle(token.cycleId) : undefined;
    const programme = cycle ? await programmeOf(deps, cycle) : undefined;
    const decision = checkLinkedToken({ record: token, programme, now: deps.clock.now() });
    if (!token || !cycle || !programme) continue;
    if (decision.ok) return { target: { token, cycle, programme } };
    return { reason: decision.reason, expired: { token, cycle, programme } };
  }
  return undefined;
}

/**
 * The cycle a token is about, with its input requests when the token asks for inputs (one read
 * either way: the inputs are what the answer is checked and recorded against).
 */
async function cycleOf(
  deps: IngestDeps,
  token: ReplyTokenRecord,
): Promise<{ cycle?: Cycle; requests?: readonly InputRequest[] }> {
  if (token.purpose !== 'inputs') return { cycle: await deps.repo.getCycle(token.cycleId) };
  return (await deps.repo.getCycleWithInputs(token.cycleId)) ?? {};
}

/** Step 5: the first recipient whose token is ours and valid, or the reason none is. */
async function resolveTarget(
  deps: IngestDeps,
  msg: InboundMessage,
  candidates: readonly ReplyAddressCandidate[],
  tokens: ReadonlyMap<string, ReplyTokenRecord>,
): Promise<{ target?: Target; reason?: string; expired?: Target }> {
  if (candidates.length === 0) {
    const linked = await resolveByThread(deps, msg);
    if (linked) return linked;
    return {
      reason: `the message is not addressed to a reply address of a review request; reply to the request you received (its address looks like review+...@${deps.settings.inboundDomain})`,
    };
  }
  let reason = '';
  let expired: Target | undefined;
  for (const candidate of candidates) {
    const token = await withActionExpiry(deps.repo, tokens.get(candidate.parts.id));
    const { cycle, requests } = token ? await cycleOf(deps, token) : {};
    const programme = cycle ? await programmeOf(deps, cycle) : undefined;
    const decision = checkToken({
      candidate,
      record: token,
      programme,
      keys: deps.replyKey,
      now: deps.clock.now(),
    });
    if (decision.ok) {
      return {
        target: {
          candidate,
          token: token!,
          cycle: cycle!,
          programme: programme!,
          ...(requests ? { requests } : {}),
        },
      };
    }
    reason ||= decision.reason;
    if (decision.reason.includes('expired') && token && cycle && programme) {
      expired ??= { candidate, token, cycle, programme };
      reason = decision.reason;
    }
  }
  return { reason, ...(expired ? { expired } : {}) };
}

interface Decided {
  outcome: IngestOutcome;
  reason: string;
  target?: Target;
  senderId?: string;
  problems?: IngestProblem[];
  replyTemplate?: string;
  confirmation?: Confirmation;
  purposeResult?: PurposeResult;
  resumed?: boolean;
}

/** How a message is run again when the ISMS manager releases it (shared/ingest/held.ts). */
export interface IngestOverride {
  /** The held message's id; the ISMS manager vouches for who sent it. */
  readonly releasedHeldId: string;
}

/** Per reply address and UTC day: messages taken to be read, and their bytes (flood containment). */
export const DEFAULT_DAILY_MESSAGES_PER_REPLY_ADDRESS = 100;
export const DEFAULT_DAILY_BYTES_PER_REPLY_ADDRESS = 200 * 1024 * 1024;

function held(reason: string, target?: Target): Decided {
  return { outcome: 'held', reason, ...(target ? { target } : {}) };
}

async function decide(
  deps: IngestDeps,
  msg: InboundMessage,
  request: z.output<typeof IngestRequest>,
  override: IngestOverride | undefined,
  lookedUp: { candidates: readonly ReplyAddressCandidate[]; tokens: ReadonlyMap<string, ReplyTokenRecord> },
): Promise<Decided> {
  const resolved = await resolveTarget(deps, msg, lookedUp.candidates, lookedUp.tokens);
  const tied = resolved.target ?? resolved.expired;

  // 3, 4: automatic mail; spam and viruses.
  const screened = screen(msg, {
    ownAddresses: [...deps.settings.ownAddresses, ...(tied ? [tied.programme.mail.fromAddress] : [])],
    inboundDomain: deps.settings.inboundDomain,
  });
  if (!screened.ok && screened.outcome !== 'rejected') {
    return { outcome: screened.outcome, reason: screened.reason, ...(tied ? { target: tied } : {}) };
  }

  // 4b, 4c: one author; the From domain authenticated (the ISMS manager vouches on release).
  if (!override) {
    const single = checkSingleFrom(msg);
    if (!single.ok) return held(single.reason, tied);
    const auth = checkAuthentication(msg, { exceptions: tied?.programme.mail.authExceptions ?? [] });
    if (!auth.ok) return held(auth.reason, tied);
  }

  // 5: the token. An unknown or forged one is held; an expired one is told to its own recipient.
  const target = resolved.target ?? resolved.expired;
  if (!target) return held(resolved.reason ?? 'no reply address');

  // 6: the sender (From, and Sender when present) is the recipient or their delegate.
  const sender = checkSender(target.programme, target.token, msg.from.address, override ? [] : msg.sender);
  if (!sender.ok) return held(sender.reason, target);
  const answered = { target, senderId: sender.senderId };
  if (!resolved.target) {
    const reason = resolved.reason ?? 'the reply address has expired';
    return { outcome: 'rejected', reason, ...answered, problems: [toProblem(reason)] };
  }

  // 6b: a message that could not be scanned, now that its sender may be told.
  if (!screened.ok) {
    return {
      outcome: 'rejected',
      reason: screened.reason,
      ...answered,
      problems: [toProblem(screened.reason)],
    };
  }

  // 7: daily caps per reply address, then size and attachment limits.
  const capped = await withinDailyCaps(deps, target.token.tokenId, msg.size, request.receivedAt);
  if (capped) return { outcome: 'rejected', reason: capped, ...answered, problems: [toProblem(capped)] };
  const limits = checkLimits(msg, deps.settings.mailLimits ?? DEFAULT_MAIL_LIMITS);
  if (!limits.ok) {
    return {
      outcome: 'rejected',
      reason: limits.reason,
      ...answered,
      problems: limits.reason.split('; ').map((part) => toProblem(part)),
    };
  }

  // 8: by purpose.
  if (!SUPPORTED_PURPOSES.has(target.token.purpose)) {
    const reason = `answers to "${target.token.purpose}" messages are not read by email; ask the ISMS manager`;
    return { outcome: 'rejected', reason, ...answered, problems: [toProblem(reason)] };
  }
  const ctx: PurposeContext = {
    repo: deps.repo,
    clock: deps.clock,
    evidence: deps.evidence,
    cycle: target.cycle,
    programme: target.programme,
    token: target.token,
    msg,
    messageKey: dedupeKey(msg),
    ...(target.requests ? { requests: target.requests } : {}),
    rawS3Key: request.rawS3Key,
    receivedAt: request.receivedAt,
    senderId: sender.senderId,
    onBehalfOf: sender.onBehalfOf,
    notifier: deps.notifier,
    workflow: deps.workflow,
  };
  const result =
    target.token.purpose === 'inputs'
      ? await handleInputs(ctx)
      : target.token.purpose === 'minutes'
        ? await handleMinutes(ctx)
        : subjectOfPurpose(target.token.purpose)
          ? await handleApproval(ctx)
          : await handleAction(ctx);
  if (!result.ok) {
    return {
      outcome: 'rejected',
      reason: result.problems.map((p) => `${p.where ? `${p.where}: ` : ''}${p.problem}`).join('; '),
      ...answered,
      problems: result.problems,
      ...(result.replyTemplate ? { replyTemplate: result.replyTemplate } : {}),
    };
  }
  let resumed = false;
  if (result.resume === 'inputs') {
    // The cycle and its requests as read after the answer was recorded (read again if not).
    const after = result.after ?? (await deps.repo.getCycleWithInputs(target.cycle.id));
    const cycle = after?.cycle;
    const waiting = cycle && CYCLE_PHASES.indexOf(cycle.phase) <= CYCLE_PHASES.indexOf('AWAITING_INPUTS');
    if (waiting && allInputsAnswered(after.requests)) {
      resumed = await resumeWaiting(deps, target.cycle.id, 'inputs');
    } else if (cycle?.phase === 'AWAITING_DISTRIBUTION') {
      // A corrected input while the package awaits approval: the new version is built and asked about.
      resumed = await resumeWaiting(deps, target.cycle.id, APPROVAL_PURPOSES.package);
    }
  } else if (result.resume === 'minutes') {
    // Corrected minutes while the chair is asked to approve the earlier version resume that wait.
    resumed =
      (await resumeWaiting(deps, target.cycle.id, 'minutes')) ||
      (await resumeWaiting(deps, target.cycle.id, APPROVAL_PURPOSES.minutes));
  } else if (result.resume) {
    resumed = await resumeWaiting(deps, target.cycle.id, result.resume);
  }
  return {
    outcome: 'accepted',
    reason: `recorded as ${result.confirmation.recordedAs}`,
    ...answered,
    confirmation: result.confirmation,
    purposeResult: result,
    resumed,
  };
}

/** Step 7: the reply address's daily caps; the reason past them, or undefined. */
async function withinDailyCaps(
  deps: IngestDeps,
  tokenId: string,
  bytes: number,
  receivedAt: string,
): Promise<string | undefined> {
  const day = receivedAt.slice(0, 10);
  const messages = deps.settings.dailyMessagesPerReplyAddress ?? DEFAULT_DAILY_MESSAGES_PER_REPLY_ADDRESS;
  const maxBytes = deps.settings.dailyBytesPerReplyAddress ?? DEFAULT_DAILY_BYTES_PER_REPLY_ADDRESS;
  // Both counters in one conditional update: a message refused for either counts for neither.
  const { exceeded } = await deps.repo.consumeDailyQuotas(`reply-${keyHash(tokenId)}`, day, [
    { name: 'messages', amount: 1, limit: messages },
    { name: 'bytes', amount: bytes, limit: maxBytes },
  ]);
  if (exceeded === 'messages') {
    return `this reply address has already taken ${messages} messages today (${day}, UTC), the most it takes in a day; send your answer again tomorrow, or ask the ISMS manager to record it`;
  }
  if (exceeded === 'bytes') {
    return `this reply address has already taken ${Math.round(maxBytes / (1024 * 1024))} MB today (${day}, UTC), the most it takes in a day; send the rest tomorrow, or ask the ISMS manager to record it`;
  }
  return undefined;
}

/** Step 2b: keep a held message for the ISMS manager (once per Message-ID), outside every chain. */
async function hold(
  deps: IngestDeps,
  msg: InboundMessage,
  request: z.output<typeof IngestRequest>,
  messageKey: string,
  decided: Decided,
): Promise<{ id: string; first: boolean }> {
  const { held: kept, first } = await deps.repo.holdMessage({
    id: heldMailId(request.receivedAt, messageKeys.hashOf(messageKey)),
    status: 'held',
    receivedAt: request.receivedAt,
    rawS3Key: request.rawS3Key,
    messageId: messageKey.slice(0, 1000),
    from: msg.from.address.slice(0, 320),
    sender: msg.sender.slice(0, 10).map((a) => a.address.slice(0, 320)),
    envelopeFrom: request.envelope?.mailFrom.slice(0, 320) ?? null,
    recipients: (request.envelope?.rcptTo ?? []).slice(0, 50).map((r) => r.slice(0, 320)),
    ...(request.sesVerdicts ? { verdicts: { ...request.sesVerdicts } } : {}),
    subject: msg.subject.slice(0, 200),
    reason: decided.reason.slice(0, 2000),
    ...(decided.target ? { cycleId: decided.target.cycle.id, tokenId: decided.target.token.tokenId } : {}),
  });
  return { id: kept.id, first };
}

/**
 * Runs one inbound message through the pipeline (see the module note for the order). `override`
 * is for a held message the ISMS manager releases (shared/ingest/held.ts).
 */
export async function ingest(
  deps: IngestDeps,
  input: IngestRequest,
  override?: IngestOverride,
): Promise<IngestResult> {
  const checked = IngestRequest.safeParse(input);
  if (!checked.success) {
    throw new InvalidIngestRequest(
      `ingest: ${checked.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`,
    );
  }
  const request = checked.data;

  // 1: parse.
  let msg: InboundMessage;
  try {
    msg = await parseInbound(request.raw, deps.settings.inboundLimits ?? DEFAULT_INBOUND_LIMITS, {
      ...(request.envelope
        ? { envelope: { mailFrom: request.envelope.mailFrom, recipients: request.envelope.rcptTo } }
        : {}),
      ...(request.sesVerdicts ? { verdicts: request.sesVerdicts } : {}),
    });
  } catch (error) {
    if (error instanceof UnparseableMail || error instanceof MailTooLarge || error instanceof MissingSender) {
      return { outcome: 'ignored', reason: `${error.name}: ${error.message}`, answer: 'none' };
    }
    throw error;
  }
  const messageKey = dedupeKey(msg);

  // 2: a message handled to the end before (its receipt is recorded) is a duplicate delivery. The
  // reply tokens its addresses name are read in the same request (step 5 needs them).
  const candidates = replyAddressCandidates(msg, deps.settings.inboundDomain);
  const lookedUp = await deps.repo.lookUpInbound(
    messageKey,
    candidates.map((c) => c.parts.id),
  );
  if (lookedUp.seen) {
    return { messageId: messageKey, outcome: 'ignored', reason: 'duplicate', answer: 'none' };
  }
  const tokens = new Map(lookedUp.tokens.map((token) => [token.tokenId, token]));

  const decided = await decide(deps, msg, request, override, { candidates, tokens });
  const target = decided.target;
  const base = {
    messageId: messageKey,
    ...(target ? { cycleId: target.cycle.id, purpose: target.token.purpose } : {}),
  };

  // 2b: held mail is kept for the ISMS manager, outside the cycle's chain, and never answered.
  if (decided.outcome === 'held') {
    const kept = await hold(deps, msg, request, messageKey, decided);
    return {
      ...base,
      outcome: 'held',
      reason: decided.reason,
      heldId: kept.id,
      answer: 'none',
    };
  }

  // Only an authenticated, authorised sender is answered and logged in the cycle's chain; automatic
  // and dropped mail is marked seen, outside every chain.
  if (!target || !decided.senderId || (decided.outcome !== 'accepted' && decided.outcome !== 'rejected')) {
    const mark = await deps.repo.recordMessageReceived(messageKey, {
      at: request.receivedAt,
      rawS3Key: request.rawS3Key,
    });
    if (!mark.first) return { ...base, outcome: 'ignored', reason: 'duplicate', answer: 'none' };
    return { ...base, outcome: decided.outcome, reason: decided.reason, answer: 'none' };
  }

  // 9: answer (the outbox sends it once per message, however often the message is handled).
  const answerCtx = {
    outbox: deps.outbox,
    repo: deps.repo,
    cycle: target.cycle,
    programme: target.programme,
    msg,
    messageKey,
    receivedAt: request.receivedAt,
  };
  const answer: AnswerStatus =
    decided.outcome === 'accepted' && decided.confirmation
      ? await sendConfirmation(answerCtx, target.token.purpose, decided.confirmation)
      : await sendRejection(answerCtx, {
          problems: decided.problems ?? [toProblem(decided.reason)],
          ...(decided.replyTemplate ? { replyTemplate: decided.replyTemplate } : {}),
          cap: deps.settings.rejectionsPerSenderPerDay ?? DEFAULT_REJECTIONS_PER_SENDER_PER_DAY,
          at: deps.clock.now(),
        });

  // 10: the raw message kept as evidence, then the receipt: the `mail.received` event and the
  // seen mark in one transaction, so a retry before it loses nothing and a retry after it is a
  // duplicate.
  const kept = await keepRawMessage(deps.evidence, {
    cycleId: target.cycle.id,
    rawS3Key: request.rawS3Key,
    raw: request.raw,
  });
  const receipt = await deps.repo.recordMessageReceived(
    messageKey,
    { at: request.receivedAt, rawS3Key: request.rawS3Key },
    {
      cycleId: target.cycle.id,
      event: {
        // Recorded now; when the message arrived, and when its sender says it was sent, are data.
        type: 'mail.received',
        at: deps.clock.now().toISOString(),
        actor: decided.senderId,
        sourceMessageId: messageKey,
        data: {
          receivedAt: request.receivedAt,
          dateHeader: msg.date ?? null,
          outcome: decided.outcome,
          reason: decided.reason.slice(0, 2000),
          messageId: messageKey,
          rawSha256: msg.sha256,
          rawS3Key: request.rawS3Key,
          evidenceKey: kept.evidenceKey,
          from: msg.from.address,
          purpose: target.token.purpose,
          answer,
          ...(override ? { releasedHeldId: override.releasedHeldId } : {}),
        },
      },
    },
  );

  // A concurrent delivery of the same message recorded its receipt first: this one is the duplicate
  // (everything it wrote was the same records, and the outbox sent the answer once).
  if (!receipt.first) return { ...base, outcome: 'ignored', reason: 'duplicate', answer: 'none' };

  return {
    ...base,
    outcome: decided.outcome,
    reason: decided.reason,
    answer,
    ...(decided.purposeResult?.ok ? { recorded: decided.purposeResult.recorded } : {}),
    ...(decided.resumed !== undefined ? { resumed: decided.resumed } : {}),
  };
}
