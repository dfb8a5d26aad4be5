/**
 * The inbound mail pipeline: one raw message in, one outcome out, in this order.
 *
 * | step | what                                          | stops with                                   |
 * | ---- | --------------------------------------------- | -------------------------------------------- |
 * | 1    | parse (shared/mail/inbound.ts)                | ignored: unreadable, too large, no sender    |
 * | 3    | automatic mail (auto-reply, bounce, list)     | ignored, never answered                      |
 * | 4    | SES verdicts                                  | dropped (spam, virus); rejected (DMARC, auth)|
 * | 5    | reply token (address, MAC, record, expiry)    | rejected (unknown, forged, expired)          |
 * | 6    | sender is the recipient or their delegate     | rejected                                     |
 * | 7    | size and attachment limits                    | rejected                                     |
 * | 8    | by purpose: inputs, minutes, action           | rejected with every problem, or accepted     |
 * | 2    | duplicate delivery (markMessageSeen)          | ignored "duplicate": no answer, no event     |
 * | 9    | answer: confirmation or rejection (outbox)    |                                              |
 * | 10   | `mail.received` event in the cycle's log      |                                              |
 *
 * Why the duplicate check (2) comes after the recording (8) and before the answer (9): the
 * repository can mark a Message-ID as seen but cannot forget it, so marking it first would lose a
 * message whenever processing fails half-way (SES retries the Lambda, the SMTP sender retries on
 * 451, and both would find it "seen"). Instead every write of step 8 is idempotent by the
 * Message-ID (a submission that carries it is reused, an action whose history names it is left
 * alone, identical minutes are a repeat, resuming the workflow happens once), so a message handled
 * again changes nothing; the mark is then taken, and only the first delivery answers and logs it.
 * The window left: a crash between the mark and the answer loses the answer and the `mail.received`
 * event of that one message; what it recorded stays recorded, with its own event.
 *
 * A reply whose client or server dropped the `+token` part (it arrives at `review@<domain>`) is
 * tied to its request through In-Reply-To/References: the notifier links the Message-ID of every
 * request it sends to the reply token it carries (`linkReplyToken`). The token must still be
 * valid, and the sender check (6) and the verdicts (4) apply as to any reply.
 *
 * Mail whose sender is not authenticated (DMARC fail, neither SPF nor DKIM pass) is rejected
 * without an answer: its From may be forged, and the answer would go to someone who did not write.
 * Mail that cannot be tied to a cycle (no reply address, an unknown token) is not answered: the
 * outbox and the rejection counter live in a cycle, and answering strangers makes backscatter.
 */
import { z } from 'zod';
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
import { checkLimits, DEFAULT_MAIL_LIMITS, type MailLimits } from '../mail/mail-checks.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { Cycle } from '../model/cycle.ts';
import { CYCLE_PHASES } from '../model/cycle.ts';
import { NonEmptyText, UtcTimestamp } from '../model/common.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import { ProgrammeSchema, type Programme } from '../programme/schema.ts';
import { allInputsAnswered, resumeWaiting } from '../cycle/service.ts';
import type { CycleDeps } from '../cycle/ports.ts';
import type { BlobStore } from '../store/blob-store.ts';
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
import {
  checkLinkedToken,
  checkSender,
  checkToken,
  dedupeKey,
  DEFAULT_REJECTIONS_PER_SENDER_PER_DAY,
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
}

export interface IngestDeps extends CycleDeps {
  readonly outbox: Pick<Outbox, 'sendOnce'>;
  /** Where attachments are kept (the evidence bucket). */
  readonly evidence: BlobStore;
  /** The reply-address HMAC key. Never log it. */
  readonly replyKey: Buffer;
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

export type IngestOutcome = 'accepted' | 'rejected' | 'ignored' | 'dropped';

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
}

/** The cycle a message is tied to, once its token is known to be ours. */
interface Target {
  /** The reply address it came to; absent when found through In-Reply-To/References. */
  readonly candidate?: ReplyAddressCandidate;
  readonly token: ReplyTokenRecord;
  readonly cycle: Cycle;
  readonly programme: Programme;
}

const SUPPORTED_PURPOSES = new Set(['inputs', 'minutes', 'action', 'extension', 'effectiveness', 'decision']);

async function programmeOf(deps: IngestDeps, cycle: Cycle): Promise<Programme | undefined> {
  const stored = await deps.repo.getProgrammeVersion(cycle.programme.programmeId, cycle.programme.version);
  if (!stored) return undefined;
  const parsed = ProgrammeSchema.safeParse(stored.document);
  return parsed.success ? parsed.data : undefined;
}

/** Step 5 without a +token: the request the message answers, named by In-Reply-To/References. */
async function resolveByThread(
  deps: IngestDeps,
  msg: InboundMessage,
): Promise<{ target?: Target; reason?: string; expired?: Target } | undefined> {
  for (const messageId of threadMessageIds(msg, deps.settings.inboundDomain)) {
    const tokenId = await deps.repo.replyTokenOfMessage(messageId);
    if (!tokenId) continue;
    const token = await deps.repo.getReplyToken(tokenId);
    const cycle = token ? await deps.repo.getCycle(token.cycleId) : undefined;
    const programme = cycle ? await programmeOf(deps, cycle) : undefined;
    const decision = checkLinkedToken({ record: token, programme, now: deps.clock.now() });
    if (!token || !cycle || !programme) continue;
    if (decision.ok) return { target: { token, cycle, programme } };
    return { reason: decision.reason, expired: { token, cycle, programme } };
  }
  return undefined;
}

/** Step 5: the first recipient whose token is ours and valid, or the reason none is. */
async function resolveTarget(
  deps: IngestDeps,
  msg: InboundMessage,
): Promise<{ target?: Target; reason?: string; expired?: Target }> {
  const candidates = replyAddressCandidates(msg, deps.settings.inboundDomain);
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
    const token = await deps.repo.getReplyToken(candidate.parts.id);
    const cycle = token ? await deps.repo.getCycle(token.cycleId) : undefined;
    const programme = cycle ? await programmeOf(deps, cycle) : undefined;
    const decision = checkToken({
      candidate,
      record: token,
      programme,
      key: deps.replyKey,
      now: deps.clock.now(),
    });
    if (decision.ok) return { target: { candidate, token: token!, cycle: cycle!, programme: programme! } };
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
  /** False when the sender cannot be trusted to be who From says (verdicts failed). */
  answerable?: boolean;
  reason: string;
  target?: Target;
  senderId?: string;
  problems?: IngestProblem[];
  replyTemplate?: string;
  confirmation?: Confirmation;
  purposeResult?: PurposeResult;
  resumed?: boolean;
}

async function decide(
  deps: IngestDeps,
  msg: InboundMessage,
  request: z.output<typeof IngestRequest>,
): Promise<Decided> {
  const resolved = await resolveTarget(deps, msg);
  const tied = resolved.target ?? resolved.expired;

  // 3, 4: automatic mail, spam, virus, unauthenticated.
  const screened = screen(msg, {
    ownAddresses: [...deps.settings.ownAddresses, ...(tied ? [tied.programme.mail.fromAddress] : [])],
    inboundDomain: deps.settings.inboundDomain,
  });
  if (!screened.ok) {
    return {
      outcome: screened.outcome,
      reason: screened.reason,
      answerable: false,
      ...(tied ? { target: tied } : {}),
      problems: [toProblem(screened.reason)],
    };
  }

  // 5: the token.
  if (!resolved.target) {
    return {
      outcome: 'rejected',
      reason: resolved.reason ?? 'no reply address',
      ...(tied ? { target: tied } : {}),
      problems: [toProblem(resolved.reason ?? 'no reply address')],
    };
  }
  const target = resolved.target;

  // 6: the sender.
  const sender = checkSender(target.programme, target.token, msg.from.address);
  if (!sender.ok)
    return { outcome: 'rejected', reason: sender.reason, target, problems: [toProblem(sender.reason)] };

  // 7: limits.
  const limits = checkLimits(msg, deps.settings.mailLimits ?? DEFAULT_MAIL_LIMITS);
  if (!limits.ok) {
    return {
      outcome: 'rejected',
      reason: limits.reason,
      target,
      senderId: sender.senderId,
      problems: limits.reason.split('; ').map((part) => toProblem(part)),
    };
  }

  // 8: by purpose.
  if (!SUPPORTED_PURPOSES.has(target.token.purpose)) {
    const reason = `answers to "${target.token.purpose}" messages are not read by email; ask the ISMS manager`;
    return { outcome: 'rejected', reason, target, senderId: sender.senderId, problems: [toProblem(reason)] };
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
    rawS3Key: request.rawS3Key,
    receivedAt: request.receivedAt,
    senderId: sender.senderId,
    onBehalfOf: sender.onBehalfOf,
    notifier: deps.notifier,
    ...(deps.anchors ? { anchors: deps.anchors } : {}),
  };
  const result =
    target.token.purpose === 'inputs'
      ? await handleInputs(ctx)
      : target.token.purpose === 'minutes'
        ? await handleMinutes(ctx)
        : await handleAction(ctx);
  if (!result.ok) {
    return {
      outcome: 'rejected',
      reason: result.problems.map((p) => `${p.where ? `${p.where}: ` : ''}${p.problem}`).join('; '),
      target,
      senderId: sender.senderId,
      problems: result.problems,
      ...(result.replyTemplate ? { replyTemplate: result.replyTemplate } : {}),
    };
  }
  let resumed = false;
  if (result.resume === 'inputs') {
    const cycle = await deps.repo.getCycle(target.cycle.id);
    const waiting = cycle && CYCLE_PHASES.indexOf(cycle.phase) <= CYCLE_PHASES.indexOf('AWAITING_INPUTS');
    if (waiting && allInputsAnswered(await deps.repo.listInputRequests(target.cycle.id))) {
      resumed = await resumeWaiting(deps, target.cycle.id, 'inputs');
    }
  } else if (result.resume === 'minutes') {
    resumed = await resumeWaiting(deps, target.cycle.id, 'minutes');
  }
  return {
    outcome: 'accepted',
    reason: `recorded as ${result.confirmation.recordedAs}`,
    target,
    senderId: sender.senderId,
    confirmation: result.confirmation,
    purposeResult: result,
    resumed,
  };
}

/** Runs one inbound message through the pipeline (see the module note for the order). */
export async function ingest(deps: IngestDeps, input: IngestRequest): Promise<IngestResult> {
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
  const decided = await decide(deps, msg, request);
  const target = decided.target;
  const base = {
    messageId: messageKey,
    ...(target ? { cycleId: target.cycle.id, purpose: target.token.purpose } : {}),
  };

  // 2: duplicate delivery (see the module note for why here).
  const first = await deps.repo.markMessageSeen(messageKey, {
    at: request.receivedAt,
    rawS3Key: request.rawS3Key,
  });
  if (!first) return { ...base, outcome: 'ignored', reason: 'duplicate', answer: 'none' };

  // 9: answer (never automatic, dropped or untied mail).
  let answer: AnswerStatus | 'none' = 'none';
  if (
    target &&
    decided.answerable !== false &&
    (decided.outcome === 'accepted' || decided.outcome === 'rejected')
  ) {
    const answerCtx = {
      outbox: deps.outbox,
      repo: deps.repo,
      cycle: target.cycle,
      programme: target.programme,
      msg,
      messageKey,
      receivedAt: request.receivedAt,
    };
    answer =
      decided.outcome === 'accepted' && decided.confirmation
        ? await sendConfirmation(
            answerCtx,
            target.token.purpose as 'inputs' | 'minutes' | 'action',
            decided.confirmation,
          )
        : await sendRejection(answerCtx, {
            problems: decided.problems ?? [toProblem(decided.reason)],
            ...(decided.replyTemplate ? { replyTemplate: decided.replyTemplate } : {}),
            cap: deps.settings.rejectionsPerSenderPerDay ?? DEFAULT_REJECTIONS_PER_SENDER_PER_DAY,
            at: deps.clock.now(),
          });
  }

  // 10: the cycle's log.
  if (target) {
    await deps.repo.appendEvent(target.cycle.id, {
      type: 'mail.received',
      at: request.receivedAt,
      actor: decided.senderId ?? 'system',
      sourceMessageId: messageKey,
      data: {
        outcome: decided.outcome,
        reason: decided.reason.slice(0, 2000),
        messageId: messageKey,
        rawSha256: msg.sha256,
        rawS3Key: request.rawS3Key,
        from: msg.from.address,
        purpose: target.token.purpose,
        answer,
      },
    });
  }

  return {
    ...base,
    outcome: decided.outcome,
    reason: decided.reason,
    answer,
    ...(decided.purposeResult?.ok ? { recorded: decided.purposeResult.recorded } : {}),
    ...(decided.resumed !== undefined ? { resumed: decided.resumed } : {}),
  };
}
