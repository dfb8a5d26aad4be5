/**
 * Held inbound mail, for the ISMS manager: release one message (and list it: held-list.ts), and the
 * daily digest.
 *
 * Releasing is the ISMS manager vouching for who sent a message the pipeline could not
 * authenticate (or whose From was ambiguous): it runs through the same pipeline again with
 * authentication, the one-author check and the Sender check overridden; the token, the From
 * address's authorisation, spam and virus verdicts, limits and the content rules still apply. When
 * it ties to a cycle, the release is itself an event in that cycle's log (`mail.released`), after
 * the message's own `mail.received`. A message whose From is still not the recipient or a delegate
 * stays held (register them as a delegate first).
 *
 * The digest goes to the ISMS manager once per UTC day (a daily counter is the claim), listing
 * every message still held from the last DIGEST_DAYS days; none held, no digest.
 */
import type { Clock } from '../clock.ts';
import { composeMessage } from '../mail/compose.ts';
import { SesVerdicts } from '../mail/inbound.ts';
import type { Mailer } from '../mail/outbox.ts';
import { heldMailDigest } from '../mail/templates/held-mail-digest.ts';
import { ismsManager } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { ingest, type IngestDeps } from './pipeline.ts';
import {
  HeldMailAlreadyReleased,
  HeldMailNotFound,
  InvalidRelease,
  ReleaseNotRecorded,
  type HeldMailReleaser,
  type ReleaseResult,
} from './release.ts';

export { HeldMailAlreadyReleased, HeldMailNotFound, InvalidRelease, ReleaseNotRecorded };
export { listHeldMail } from './held-list.ts';
export type { ReleaseResult };

/** Days of held mail a digest lists. */
export const DIGEST_DAYS = 14;
/** Messages a digest lists (the rest are counted). */
export const DIGEST_LIMIT = 50;

/**
 * Releases one held message: runs it through the pipeline with the ISMS manager (`by`, a person id
 * of the programme) vouching for the sender. HeldMailNotFound, HeldMailAlreadyReleased, or
 * ReleaseNotRecorded when it still cannot be recorded (it stays held, nothing is written).
 */
export async function releaseHeldMail(
  deps: IngestDeps & { rawMail: Pick<BlobStore, 'get'> },
  request: { id: string; by: string },
): Promise<ReleaseResult> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(request.by)) {
    throw new InvalidRelease(`who releases it must be a person id of the programme, not "${request.by}"`);
  }
  const held = await deps.repo.getHeldMessage(request.id);
  if (!held) throw new HeldMailNotFound(`no held message ${request.id} (it may have expired after 90 days)`);
  if (held.status !== 'held') {
    throw new HeldMailAlreadyReleased(
      `held message ${held.id} was released already (${held.releasedAt ?? ''})`,
    );
  }
  const raw = await deps.rawMail.get(held.rawS3Key);
  const verdicts = SesVerdicts.safeParse(held.verdicts);
  const result = await ingest(
    deps,
    {
      raw,
      rawS3Key: held.rawS3Key,
      ...(held.envelopeFrom !== null
        ? { envelope: { mailFrom: held.envelopeFrom, rcptTo: [...held.recipients] } }
        : {}),
      ...(verdicts.success ? { sesVerdicts: verdicts.data } : {}),
      receivedAt: held.receivedAt,
    },
    { releasedHeldId: held.id },
  );
  if (result.outcome === 'held' || (result.outcome === 'ignored' && result.reason !== 'duplicate')) {
    throw new ReleaseNotRecorded(`held message ${held.id} still cannot be recorded: ${result.reason}`);
  }
  const released = await deps.repo.markHeldReleased(held.id, {
    at: deps.clock.now().toISOString(),
    by: request.by,
    outcome: `${result.outcome}: ${result.reason}`,
  });
  if (result.cycleId) {
    await deps.repo.appendEvent(result.cycleId, {
      type: 'mail.released',
      at: deps.clock.now().toISOString(),
      actor: request.by,
      ...(result.messageId ? { sourceMessageId: result.messageId } : {}),
      data: {
        heldId: held.id,
        heldReason: held.reason.slice(0, 500),
        rawS3Key: held.rawS3Key,
        outcome: result.outcome,
      },
    });
  }
  return { held: released, result };
}

/** The releaser that runs the pipeline in this process (the local runtime, the CLI, tests). */
export function inProcessReleaser(deps: IngestDeps & { rawMail: Pick<BlobStore, 'get'> }): HeldMailReleaser {
  return { release: (id, by) => releaseHeldMail(deps, { id, by }) };
}

export interface DigestDeps {
  readonly repo: Pick<ReviewRepository, 'listHeldMessages' | 'consumeDailyQuota'>;
  readonly mailer: Mailer;
  readonly clock: Clock;
}

export type DigestResult =
  | { readonly sent: true; readonly count: number; readonly messageId: string }
  | { readonly sent: false; readonly why: 'nothing held' | 'already sent today' };

/** Sends the ISMS manager the day's digest of held mail, at most once per UTC day per programme. */
export async function sendHeldMailDigest(deps: DigestDeps, programme: Programme): Promise<DigestResult> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - DIGEST_DAYS * 86_400_000);
  const held = await deps.repo.listHeldMessages({
    since: since.toISOString(),
    until: new Date(now.getTime() + 1).toISOString(),
    status: 'held',
  });
  if (held.length === 0) return { sent: false, why: 'nothing held' };
  const day = now.toISOString().slice(0, 10);
  const scope = `held-digest-${programme.organisation.id.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 100)}`;
  if (!(await deps.repo.consumeDailyQuota(scope, day, 1, 1)))
    return { sent: false, why: 'already sent today' };
  const manager = ismsManager(programme);
  const listed = held.slice(-DIGEST_LIMIT).reverse();
  const rendered = heldMailDigest({
    organisation: programme.organisation.name,
    timeZone: manager.timeZone ?? programme.organisation.timeZone,
    recipient: { name: manager.name, email: manager.email },
    since: since.toISOString(),
    until: now.toISOString(),
    entries: listed.map((h) => ({
      id: h.id,
      receivedAt: h.receivedAt,
      from: h.from,
      sender: h.sender,
      subject: h.subject,
      reason: h.reason,
      ...(h.cycleId ? { cycleId: h.cycleId } : {}),
    })),
    more: held.length - listed.length,
  });
  const composed = await composeMessage({
    from: { name: `${programme.organisation.name} management review`, address: programme.mail.fromAddress },
    to: [{ name: manager.name, address: manager.email }],
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    date: now,
  });
  const sent = await deps.mailer.sendRaw(composed.raw, { tags: { purpose: 'held-digest' } });
  return { sent: true, count: held.length, messageId: sent.messageId };
}
