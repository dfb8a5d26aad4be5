/**
 * The pure decisions of the inbound pipeline, one per step, so each can be tested on its own:
 * which message key deduplicates a message, whether it is screened out (automatic, unauthenticated,
 * spam), which recipient is our reply address, whether its token is valid, whether the sender may
 * answer, and how many rejection answers a sender may still get today.
 */
import { createHash } from 'node:crypto';
import type { InboundMessage } from '../mail/inbound.ts';
import { checkVerdicts, isAutomated, type AutomationContext } from '../mail/mail-checks.ts';
import type { MailAddress } from '../mail/inbound.ts';
import {
  decodeReplyAddress,
  ForeignReplyAddress,
  MalformedReplyAddress,
  verifyReplyAddress,
  type ReplyAddressParts,
} from '../mail/reply-address.ts';
import type { ReplyKeyring } from '../mail/reply-keyring.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import { mayAnswerFor, personByEmail, topManagement } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';

/** A step's decision: go on, or stop with an outcome and a reason written for the sender. */
export type StepDecision =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly outcome: 'rejected' | 'ignored' | 'dropped' | 'held';
      readonly reason: string;
    };

const GO: StepDecision = { ok: true };

/**
 * The key a message is deduplicated by: its Message-ID, or, when it has none, the SHA-256 of the
 * raw bytes (the same bytes delivered twice are the same message).
 */
export function dedupeKey(msg: Pick<InboundMessage, 'messageId' | 'sha256'>): string {
  const id = msg.messageId?.trim();
  return id ? id : `<sha256.${msg.sha256}@raw.invalid>`;
}

/** Short, stable, safe-for-keys hash of a message key (outbox and claim keys). */
export function keyHash(value: string): string {
  return createHash('sha256').update(value.trim().toLowerCase()).digest('hex').slice(0, 32);
}

/**
 * Step 3 then 4: automatic mail is ignored (answering it starts a loop); then the receiving
 * server's spam and virus verdicts: spam or a virus is dropped. A message that could not be scanned
 * is `rejected`, which the pipeline applies only after the sender is authenticated and authorised
 * (shared/mail/mail-checks.ts checkVerdicts).
 */
export function screen(msg: InboundMessage, context: AutomationContext): StepDecision {
  const automated = isAutomated(msg, context);
  if (!automated.ok) return { ok: false, outcome: 'ignored', reason: automated.reason };
  const verdicts = checkVerdicts(msg.verdicts);
  if (!verdicts.ok) {
    return {
      ok: false,
      outcome:
        verdicts.action === 'drop'
          ? 'dropped'
          : verdicts.action === 'ignore'
            ? 'ignored'
            : verdicts.action === 'hold'
              ? 'held'
              : 'rejected',
      reason: verdicts.reason,
    };
  }
  return GO;
}

/** A recipient that looks like one of our reply addresses, decoded. */
export interface ReplyAddressCandidate {
  readonly address: string;
  readonly localPart: string;
  readonly parts: ReplyAddressParts;
}

/**
 * Every recipient (envelope first, then To, then Cc) on our inbound domain that carries a token,
 * decoded; duplicates removed. The local part before "+" is read from the address and checked
 * against the programme once the token names the cycle.
 */
export function replyAddressCandidates(msg: InboundMessage, inboundDomain: string): ReplyAddressCandidate[] {
  const domain = inboundDomain.trim().toLowerCase();
  const seen = new Set<string>();
  const out: ReplyAddressCandidate[] = [];
  const all = [...msg.envelope.recipients, ...msg.to.map((a) => a.address), ...msg.cc.map((a) => a.address)];
  for (const raw of all) {
    const address = raw.trim().toLowerCase();
    if (seen.has(address) || !address.endsWith(`@${domain}`)) continue;
    seen.add(address);
    const localPart = address.slice(0, address.indexOf('+'));
    if (localPart === '' || !address.includes('+')) continue;
    try {
      out.push({ address, localPart, parts: decodeReplyAddress(address, { localPart, domain }) });
    } catch (error) {
      if (error instanceof MalformedReplyAddress || error instanceof ForeignReplyAddress) continue;
      if ((error as Error).name === 'InvalidReplyAddressSetting') continue;
      throw error;
    }
  }
  return out;
}

/** How many Message-IDs of a thread are looked up when the +token part is missing. */
export const MAX_THREAD_LOOKUPS = 10;

/**
 * The fallback for clients and servers that drop the +token part: the Message-IDs the reply names
 * (In-Reply-To first, then References from the newest), when it is addressed to our inbound domain.
 * Each is looked up as the Message-ID of a request we sent; the token found must still be valid and
 * the sender is checked as for any reply.
 */
export function threadMessageIds(msg: InboundMessage, inboundDomain: string): string[] {
  const domain = `@${inboundDomain.trim().toLowerCase()}`;
  const recipients = [
    ...msg.envelope.recipients,
    ...msg.to.map((a) => a.address),
    ...msg.cc.map((a) => a.address),
  ];
  if (!recipients.some((address) => address.trim().toLowerCase().endsWith(domain))) return [];
  const ids = [msg.inReplyTo, ...[...msg.references].reverse()]
    .map((id) => id?.trim() ?? '')
    .filter((id) => /^<[^<>\s@]+@[^<>\s@]+>$/.test(id));
  return [...new Set(ids)].slice(0, MAX_THREAD_LOOKUPS);
}

/**
 * Step 5 for a token found through In-Reply-To/References: no MAC to check (the address had none),
 * so the token must exist, name a person of the programme, and not have expired.
 */
export function checkLinkedToken(args: {
  record: ReplyTokenRecord | undefined;
  programme: Programme | undefined;
  now: Date;
}): StepDecision {
  const { record, programme } = args;
  if (!record || !programme || !programme.people.some((person) => person.id === record.recipientId)) {
    return {
      ok: false,
      outcome: 'rejected',
      reason: `the message answers no request we sent; ${REPLY_TO_LATEST}`,
    };
  }
  if (Date.parse(record.expiresAt) <= args.now.getTime()) {
    return {
      ok: false,
      outcome: 'rejected',
      reason: `the request you answered could be answered until ${record.expiresAt.slice(0, 10)}; ${REPLY_TO_LATEST}`,
    };
  }
  return GO;
}

export const REPLY_TO_LATEST =
  'reply to the latest email you received about it (each request carries its own reply address)';

/**
 * Step 5: the token in the address. `record` is the stored token for the address's id (undefined:
 * unknown). The MAC is checked in constant time with the recipient's email address, as the
 * notifier signs it; the address must use the programme's local part and inbound domain.
 */
export function checkToken(args: {
  candidate: ReplyAddressCandidate;
  record: ReplyTokenRecord | undefined;
  programme: Programme | undefined;
  /** The reply keyring: the address is verified with the key it names. */
  keys: ReplyKeyring;
  now: Date;
}): StepDecision {
  const { candidate, record, programme } = args;
  const forged: StepDecision = {
    ok: false,
    outcome: 'rejected',
    reason: `the reply address ${candidate.address} is not one we issued (it may have been mistyped or altered); ${REPLY_TO_LATEST}`,
  };
  if (!record || !programme) return forged;
  if (
    candidate.localPart !== programme.mail.replyLocalPart.toLowerCase() ||
    !candidate.address.endsWith(`@${programme.mail.inboundDomain.toLowerCase()}`)
  ) {
    return forged;
  }
  const recipient = programme.people.find((person) => person.id === record.recipientId);
  if (!recipient) return forged;
  const valid = verifyReplyAddress({
    keys: args.keys,
    parts: candidate.parts,
    purpose: record.purpose,
    recipient: recipient.email,
  });
  if (!valid) return forged;
  if (Date.parse(record.expiresAt) <= args.now.getTime()) {
    return {
      ok: false,
      outcome: 'rejected',
      reason: `the reply address you wrote to expired on ${record.expiresAt.slice(0, 10)}; ${REPLY_TO_LATEST}`,
    };
  }
  return GO;
}

/** Step 6: who sent it, and for whom. */
export type SenderDecision =
  | { readonly ok: true; readonly senderId: string; readonly onBehalfOf: string | undefined }
  | { readonly ok: false; readonly outcome: 'held'; readonly reason: string };

/** One person of the programme who may answer `token`, by address (compared normalised). */
function authorisedPerson(programme: Programme, token: ReplyTokenRecord, address: string) {
  const person = personByEmail(programme, normaliseAddress(address));
  if (!person) return undefined;
  if (token.purpose === 'decision') {
    const { chair, members } = topManagement(programme);
    if ([chair, ...members].some((member) => member.id === person.id)) return person;
  }
  return mayAnswerFor(programme, person.id, token.recipientId) ? person : undefined;
}

/** An address as compared: trimmed, without angle brackets or a trailing dot, lower case. */
export function normaliseAddress(address: string): string {
  return address
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * The From address must be the token's recipient or a registered delegate of theirs, and so must
 * the Sender header when there is one (a secretary who sends for the owner is registered as their
 * delegate). An escalation to top management (purpose `decision`) goes to the chair and the owner's
 * executive: any member of top management may answer it with the decision. Anyone else is held for
 * the ISMS manager, never answered: the reason is written for the ISMS manager, not for the sender.
 */
export function checkSender(
  programme: Programme,
  token: ReplyTokenRecord,
  from: string,
  sender: readonly MailAddress[] = [],
): SenderDecision {
  const author = authorisedPerson(programme, token, from);
  const recipient = programme.people.find((person) => person.id === token.recipientId);
  const expected = recipient ? `${recipient.name} <${recipient.email}>` : token.recipientId;
  if (!author) {
    return {
      ok: false,
      outcome: 'held',
      reason: `the request was sent to ${expected}; ${normaliseAddress(from)} is neither them nor a delegate registered in the review programme`,
    };
  }
  for (const mailbox of sender) {
    if (normaliseAddress(mailbox.address) === normaliseAddress(from)) continue;
    if (!authorisedPerson(programme, token, mailbox.address)) {
      return {
        ok: false,
        outcome: 'held',
        reason: `the message is From ${normaliseAddress(from)} but its Sender is ${normaliseAddress(mailbox.address)}, who is neither the recipient of the request nor a registered delegate`,
      };
    }
  }
  const onBehalfOf =
    token.purpose === 'decision' || author.id === token.recipientId ? undefined : token.recipientId;
  return { ok: true, senderId: author.id, onBehalfOf };
}

/** Default number of rejection answers a sender may get per UTC day (a loop can never form). */
export const DEFAULT_REJECTIONS_PER_SENDER_PER_DAY = 5;

/**
 * The claim keys that count rejection answers to `sender` on the UTC day of `at`: the n-th
 * rejection claims slot n; when every slot is taken, no more rejections are sent that day.
 */
export function rejectionSlotKeys(sender: string, at: Date, cap: number): string[] {
  const day = at.toISOString().slice(0, 10);
  const who = keyHash(sender);
  return Array.from({ length: cap }, (_, index) => `ingest-reject:${who}:${day}:${index + 1}`);
}
