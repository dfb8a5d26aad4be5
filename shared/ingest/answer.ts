/**
 * Step 9: the answer to a message tied to a cycle, from an authenticated sender who may answer its
 * request (the pipeline answers no one else). A confirmation echoes exactly what was recorded;
 * a rejection lists every problem with its fix. Both are `Auto-Submitted: auto-replied` (RFC 3834). Both go through the outbox under
 * `reply:<hash of the Message-ID>`, so a retried message is never answered twice, and both thread
 * under the message answered (In-Reply-To, References). Rejections are capped per sender and day
 * (claim keys in the cycle), so two robots can never keep each other busy.
 */
import type { InboundMessage } from '../mail/inbound.ts';
import type { Outbox } from '../mail/outbox.ts';
import { ingestConfirmation, type IngestConfirmationData } from '../mail/templates/ingest-confirmation.ts';
import { ingestRejection, type IngestProblem } from '../mail/templates/ingest-rejection.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import { ismsManager, personByEmail } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { aligned, domainOf } from '../mail/mail-checks.ts';
import { keyHash, normaliseAddress, rejectionSlotKeys } from './steps.ts';

export interface AnswerContext {
  readonly outbox: Pick<Outbox, 'sendOnce'>;
  readonly repo: ReviewRepository;
  readonly cycle: Cycle;
  readonly programme: Programme;
  readonly msg: InboundMessage;
  readonly messageKey: string;
  readonly receivedAt: string;
}

export interface Confirmation {
  readonly recordedAs: string;
  readonly reference: string;
  readonly fields: { label: string; value: string }[];
  readonly attachments: { filename: string; size: number; sha256: string }[];
  readonly replaces?: string;
  /** Added to the "is anything wrong" paragraph, e.g. that the package is already compiled. */
  readonly note?: string;
  /** Copy the ISMS manager (a late answer: they decide what to do with it). */
  readonly copyManager?: boolean;
}

/** What an answer did: sent, already sent before (a retry), or held back by the daily cap. */
export type AnswerStatus = 'sent' | 'already-sent' | 'capped';

const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

function threading(msg: InboundMessage): { inReplyTo?: string; references?: string[] } {
  const own = msg.messageId && MESSAGE_ID.test(msg.messageId) ? msg.messageId : undefined;
  if (!own) return {};
  const references = [...msg.references.filter((ref) => MESSAGE_ID.test(ref)), own].slice(-20);
  return { inReplyTo: own, references };
}

function context(ctx: AnswerContext) {
  const sender = personByEmail(ctx.programme, ctx.msg.from.address);
  return {
    organisation: ctx.programme.organisation.name,
    timeZone: sender?.timeZone ?? ctx.programme.organisation.timeZone,
    cycle: { id: ctx.cycle.id, title: cycleTitle(ctx.cycle) },
    recipient: {
      name: sender?.name ?? (ctx.msg.from.name || ctx.msg.from.address),
      email: ctx.msg.from.address,
    },
    manager: ismsManager(ctx.programme),
  };
}

function subjectOf(msg: InboundMessage): string {
  return (msg.subject || '(no subject)').slice(0, 150);
}

/**
 * Where an answer goes (RFC 3834 3.1.2): the envelope sender when it is in the From address's own
 * organisational domain (the person's own mail system), else the From address. Never a third
 * party's bounce address: the answer names the person, the cycle and its dates. Only ever called
 * for authenticated, authorised senders.
 */
export function answerAddress(msg: Pick<InboundMessage, 'from' | 'envelope'>): string {
  const envelope = normaliseAddress(msg.envelope.mailFrom ?? '');
  const from = normaliseAddress(msg.from.address);
  if (envelope.includes('@') && aligned(domainOf(envelope), domainOf(from))) return envelope;
  return from;
}

async function send(
  ctx: AnswerContext,
  purpose: string,
  rendered: { subject: string; text: string; html: string },
  copy: readonly string[] = [],
): Promise<AnswerStatus> {
  const to = answerAddress(ctx.msg);
  const cc = copy.filter((address) => address.toLowerCase() !== to);
  const result = await ctx.outbox.sendOnce({
    key: `reply:${keyHash(ctx.messageKey)}`,
    cycleId: ctx.cycle.id,
    purpose,
    recipients: [to, ...cc],
    build: async () => ({
      from: {
        name: `${ctx.programme.organisation.name} management review`,
        address: ctx.programme.mail.fromAddress,
      },
      to: [to],
      cc: [...cc],
      subject: rendered.subject.replace(/[\r\n]+/g, ' ').slice(0, 250),
      text: rendered.text,
      html: rendered.html,
      autoSubmitted: 'auto-replied',
      ...threading(ctx.msg),
    }),
  });
  return result.status;
}

export async function sendConfirmation(
  ctx: AnswerContext,
  purpose: string,
  confirmation: Confirmation,
): Promise<AnswerStatus> {
  const c = context(ctx);
  const data: IngestConfirmationData = {
    organisation: c.organisation,
    timeZone: c.timeZone,
    cycle: c.cycle,
    recipient: c.recipient,
    receivedAt: ctx.receivedAt,
    originalSubject: subjectOf(ctx.msg),
    recordedAs: confirmation.recordedAs,
    reference: confirmation.reference,
    fields: confirmation.fields,
    attachments: confirmation.attachments,
    ...(confirmation.replaces ? { replaces: confirmation.replaces } : {}),
    ...(confirmation.note
      ? {
          howToCorrect: `${confirmation.note} To correct it, reply to the original request again: the newest answer is the one recorded.`,
        }
      : {}),
    ismsManager: { name: c.manager.name, email: c.manager.email, role: c.manager.role },
  };
  return send(ctx, purpose, ingestConfirmation(data), confirmation.copyManager ? [c.manager.email] : []);
}

/** Splits "what is wrong; how to fix it" sentences into the template's problem and fix. */
export function toProblem(reason: string, where?: string): IngestProblem {
  const cut = reason.indexOf('; ');
  const problem = cut > 0 ? reason.slice(0, cut) : reason;
  const fix = cut > 0 ? reason.slice(cut + 2) : 'Correct this and reply again to the original request.';
  return { ...(where ? { where } : {}), problem, fix: fix.charAt(0).toUpperCase() + fix.slice(1) };
}

export async function sendRejection(
  ctx: AnswerContext,
  args: { problems: IngestProblem[]; replyTemplate?: string; cap: number; at: Date },
): Promise<AnswerStatus> {
  // A retry of the same message (after a crash) may take one more slot; the outbox still sends
  // its answer only once.
  let slot = false;
  for (const key of rejectionSlotKeys(ctx.msg.from.address, args.at, args.cap)) {
    if (await ctx.repo.claimNotification(ctx.cycle.id, key, args.at.toISOString())) {
      slot = true;
      break;
    }
  }
  if (!slot) return 'capped';
  const c = context(ctx);
  return send(
    ctx,
    'reply',
    ingestRejection({
      organisation: c.organisation,
      timeZone: c.timeZone,
      cycle: c.cycle,
      recipient: c.recipient,
      receivedAt: ctx.receivedAt,
      originalSubject: subjectOf(ctx.msg),
      problems: args.problems,
      ...(args.replyTemplate ? { replyTemplate: args.replyTemplate } : {}),
      howToResend:
        'Reply to this email is not read: reply to the original request (its reply address is the one that records your answer) with the corrected text.',
      ismsManager: { name: c.manager.name, email: c.manager.email, role: c.manager.role },
    }),
  );
}
