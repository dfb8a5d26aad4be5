/**
 * The envelope every message of the review cycle shares: the sender and recipients, a signed reply
 * address where an answer is expected, and the exactly-once outbox. Each message's outbox key names
 * the business step (`input-request:<owner>`, `action:<id>:<step>`), so a retried or resumed step
 * never sends twice; each sent message is recorded as a `mail.sent` event in the cycle's log.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../clock.ts';
import type { LoadedPackage, StoredPackage } from '../cycle/ports.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import type { Programme, Person as ProgrammePerson } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { MessageSpec } from '../mail/compose.ts';
import type { Outbox, SendRequest, SentMessage } from '../mail/outbox.ts';
import type { EventDraft } from '../model/event.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import { decodeReplyAddress, newReplyId, signReplyAddress } from '../mail/reply-address.ts';
import { MAX_REPLY_TOKEN_DAYS, type ReplyKeyring } from '../mail/reply-keyring.ts';
import type * as templates from '../mail/templates/index.ts';
import { withEvidenceKeyHtml, withEvidenceKeyText } from '../mail/templates/evidence-key.ts';

export interface NotifierOptions {
  readonly outbox: Outbox;
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  /** The reply-address HMAC keyring; its current key signs. Never log it. */
  readonly replyKey: ReplyKeyring;
  /** The minutes template for the ISMS manager (the minutes module renders it). */
  readonly minutesTemplate?: (cycle: Cycle, programme: Programme) => string;
  /**
   * Loads a frozen package's HTML and text bodies: the package and approval messages need it; the
   * notifier of a function that sends neither has none (and bundles no package store).
   */
  readonly loadPackage?: (stored: StoredPackage) => Promise<LoadedPackage>;
  /** The meeting length put in the calendar invitation. */
  readonly meetingMinutes?: number;
  /**
   * The fingerprint of the evidence anchoring key (formatted, `SHA256:…`), named in the package and
   * minutes emails so top management's inboxes witness it; absent or undefined: no line.
   */
  readonly anchorKeyFingerprint?: () => Promise<string | undefined>;
}

/** A package message was asked of a notifier built without a package loader (a wiring mistake). */
export class PackageLoaderMissing extends Error {
  override name = 'PackageLoaderMissing' as const;
}

export const DAY = 86_400_000;
/** A programme person as the templates greet and name them. */
export const person = (p: ProgrammePerson): templates.Person => ({
  name: p.name,
  email: p.email,
  role: p.role,
});
const mailbox = (p: ProgrammePerson) => ({ name: p.name, address: p.email });

/** The token id in one of our reply addresses, or undefined for any other Reply-To. */
function tokenIdOf(replyTo: MessageSpec['replyTo'], programme: Programme): string | undefined {
  if (!replyTo) return undefined;
  try {
    return decodeReplyAddress(typeof replyTo === 'string' ? replyTo : replyTo.address, {
      localPart: programme.mail.replyLocalPart,
      domain: programme.mail.inboundDomain,
    }).id;
  } catch {
    return undefined;
  }
}

/** One message to send: its outbox key and purpose, who gets it, and how to build the rest. */
export interface Envelope {
  readonly cycle: Cycle;
  readonly programme: Programme;
  readonly key: string;
  readonly purpose: string;
  readonly to: readonly ProgrammePerson[];
  readonly cc?: readonly ProgrammePerson[];
  readonly build: () => Promise<Omit<MessageSpec, 'from' | 'to' | 'cc'>>;
}

/** How each message sent together went: by outbox key, sent now or found sent before. */
export type SentTogether = ReadonlyMap<string, 'sent' | 'already-sent'>;

/** Sends the cycle's messages: each message family (the *-messages.ts files) builds on this. */
export class CycleMail {
  /** Expiry of each reply token issued here and not linked yet (the link takes its time to live). */
  readonly #issued = new Map<string, string>();
  readonly #earlierTitles = new Map<string, string>();
  /** The messages of a `sendTogether` call, queued until its work is done. */
  readonly #together = new AsyncLocalStorage<Envelope[]>();
  /** The reply tokens a message's build issues inside sendTogether: stored with its claim instead. */
  readonly #deferredTokens = new AsyncLocalStorage<ReplyTokenRecord[]>();

  constructor(readonly options: NotifierOptions) {}

  /** A frozen package's bodies, through the notifier's package loader. */
  loadPackage(stored: StoredPackage): Promise<LoadedPackage> {
    if (!this.options.loadPackage) {
      throw new PackageLoaderMissing(
        'This notifier was built without a package loader: it cannot send the package',
      );
    }
    return this.options.loadPackage(stored);
  }

  /** The organisation and the time zone a template writes dates in (the recipient's, if set). */
  context(programme: Programme, recipient?: ProgrammePerson) {
    return {
      organisation: programme.organisation.name,
      timeZone: recipient?.timeZone ?? programme.organisation.timeZone,
    };
  }

  /**
   * The title of an earlier review (whose answers a request shows), read once per process: every
   * owner's request of a cycle names the same earlier reviews, and their titles do not change.
   */
  async titleOfEarlierCycle(cycleId: string): Promise<string> {
    const known = this.#earlierTitles.get(cycleId);
    if (known) return known;
    const found = await this.options.repo.getCycle(cycleId);
    if (!found) return `review ${cycleId}`;
    const title = cycleTitle(found);
    if (this.#earlierTitles.size >= 100) this.#earlierTitles.delete(this.#earlierTitles.keys().next().value!);
    this.#earlierTitles.set(cycleId, title);
    return title;
  }

  cycleRef(cycle: Cycle) {
    return { id: cycle.id, title: cycleTitle(cycle) };
  }

  /** What every message to one person starts with: context, the cycle, and whom it greets. */
  addressed(cycle: Cycle, programme: Programme, recipient: ProgrammePerson) {
    return {
      ...this.context(programme, recipient),
      cycle: this.cycleRef(cycle),
      recipient: person(recipient),
    };
  }

  /**
   * The bodies with the evidence anchoring key's fingerprint added (and named in a header), for the
   * messages top management keeps: the package and the minutes. No fingerprint: bodies unchanged.
   */
  async withEvidenceKey(body: { text: string; html: string }, headers: Record<string, string> = {}) {
    const fingerprint = await this.options.anchorKeyFingerprint?.();
    const all = { ...headers, ...(fingerprint ? { 'X-Isms-Review-Evidence-Key': fingerprint } : {}) };
    return {
      text: withEvidenceKeyText(body.text, fingerprint),
      html: withEvidenceKeyHtml(body.html, fingerprint),
      ...(Object.keys(all).length ? { headers: all } : {}),
    };
  }

  /** A signed reply address for `recipient`, stored so the ingest can tell what a reply answers. */
  async replyAddress(args: {
    cycle: Cycle;
    programme: Programme;
    purpose: string;
    recipient: ProgrammePerson;
    ref?: string;
    expiresAt: Date;
  }): Promise<string> {
    const now = this.options.clock.now();
    const tokenId = newReplyId();
    const expiresAt = new Date(
      Math.min(
        Math.max(args.expiresAt.getTime(), now.getTime() + DAY),
        now.getTime() + MAX_REPLY_TOKEN_DAYS * DAY,
      ),
    ).toISOString();
    const token: ReplyTokenRecord = {
      tokenId,
      cycleId: args.cycle.id,
      purpose: args.purpose,
      recipientId: args.recipient.id,
      ...(args.ref ? { ref: args.ref } : {}),
      issuedAt: now.toISOString(),
      // At least a day; at most MAX_REPLY_TOKEN_DAYS, so rotation knows when a retired key has signed
      // its last valid token (a later reminder carries a fresh token).
      expiresAt,
    };
    const deferred = this.#deferredTokens.getStore();
    if (deferred) deferred.push(token);
    else await this.options.repo.putReplyToken(token);
    this.#issued.set(tokenId, expiresAt);
    return signReplyAddress({
      localPart: args.programme.mail.replyLocalPart,
      id: tokenId,
      keys: this.options.replyKey,
      purpose: args.purpose,
      recipient: args.recipient.email,
      domain: args.programme.mail.inboundDomain,
    });
  }

  /**
   * Sends every message `work` asks for together (Outbox.sendAll): built first, claimed in one write
   * with the reply tokens they carry, sent, and recorded as sent with their `mail.sent` events in
   * one more write. Returns how each went, by outbox key. A message asked for outside `work`, or
   * while another sendTogether runs inside it, is sent on its own.
   */
  async sendTogether(work: () => Promise<void>): Promise<SentTogether> {
    const queued: Envelope[] = [];
    await this.#together.run(queued, work);
    const requests = queued.map((envelope) => this.#request(envelope));
    const results = await this.options.outbox.sendAll(requests);
    return new Map(queued.map((envelope, index) => [envelope.key, results[index]!.status]));
  }

  /** Sends the message once through the outbox and records it in the cycle's log. */
  async send(args: Envelope): Promise<void> {
    const queued = this.#together.getStore();
    if (queued) {
      queued.push(args);
      return;
    }
    await this.options.outbox.sendOnce(this.#request(args));
  }

  /** The outbox request of one message (its reply tokens stored by the build, or with the claim). */
  #request(args: Envelope): SendRequest {
    const { cycle, programme } = args;
    const to = [...new Map(args.to.map((p) => [p.email.toLowerCase(), p])).values()];
    // Each address once across To and Cc: an address on To is not copied, nor copied twice.
    const cc = [...new Map((args.cc ?? []).map((p) => [p.email.toLowerCase(), p])).values()].filter(
      (p) => !to.some((t) => t.email.toLowerCase() === p.email.toLowerCase()),
    );
    // The reply token the message carries, linked to its Message-ID once sent, so that a reply whose
    // client dropped the +token part is still tied to it through In-Reply-To or References.
    let replyTokenId: string | undefined;
    const tokens: ReplyTokenRecord[] = [];
    const mailSent = (sent: SentMessage): EventDraft => ({
      type: 'mail.sent',
      at: sent.sentAt || this.options.clock.now().toISOString(),
      actor: 'system',
      data: {
        key: sent.key,
        purpose: sent.purpose,
        recipients: sent.recipients,
        messageId: sent.messageId,
        sesMessageId: sent.sesMessageId,
        sha256: sent.sha256,
        rawKey: sent.rawKey,
      },
    });
    const link = () => {
      if (!replyTokenId) return [];
      // The expiry is known when the token was issued in this process: the link needs no read.
      const expiresAt = this.#issued.get(replyTokenId);
      return [{ tokenId: replyTokenId, ...(expiresAt ? { expiresAt } : {}) }];
    };
    return {
      key: args.key,
      cycleId: cycle.id,
      purpose: args.purpose,
      recipients: [...to, ...cc].map((p) => p.email),
      build: async (how) => {
        tokens.length = 0;
        const spec = how?.tokensWithClaim
          ? await this.#deferredTokens.run(tokens, () => args.build())
          : await args.build();
        replyTokenId = tokenIdOf(spec.replyTo, programme);
        return {
          from: {
            name: `${programme.organisation.name} management review`,
            address: programme.mail.fromAddress,
          },
          to: to.map(mailbox),
          cc: cc.map(mailbox),
          date: this.options.clock.now(),
          ...spec,
        };
      },
      replyTokens: () => tokens,
      // Recorded as sent, the token linked and the `mail.sent` event appended, in one write.
      sentRecord: (sent) => {
        const replyLinks = link();
        if (replyTokenId) this.#issued.delete(replyTokenId);
        return { event: mailSent(sent), replyLinks };
      },
      // Only for a message found sent whose record was written without them.
      onSent: async (sent) => {
        for (const { tokenId, expiresAt } of link()) {
          await this.options.repo.linkReplyToken(sent.messageId, tokenId, expiresAt);
        }
        await this.options.repo.appendEvent(cycle.id, mailSent(sent));
      },
    };
  }
}
