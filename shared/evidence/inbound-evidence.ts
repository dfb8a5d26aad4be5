/**
 * Raw inbound mail in the evidence bundle. Each message tied to a cycle is copied at ingest into the
 * evidence bucket (under Object Lock) at `cycles/<cycle>/inbound/<server message id>/message.eml`
 * (shared/store/inbound-keys.ts), and its `mail.received` event records that key (`evidenceKey`) and
 * the SHA-256 of the bytes (`rawSha256`). Then:
 *
 * - export takes the raw message from that copy (the raw mail bucket is only the receipt rule's
 *   landing place; events written before the copy existed still name only `rawS3Key` there), into
 *   `mail/inbound/<seq>-<server message id>.eml`;
 * - verify requires, for every `mail.received` event with an `evidenceKey`, that file in the bundle,
 *   hashing to the event's `rawSha256`: a missing one is a gap in the raw mail and fails, as does
 *   one whose bytes changed.
 */
import type { BlobStore } from '../store/blob-store.ts';
import { sha256Of } from '../store/blob-store.ts';
import { safeName } from './bundle.ts';

/** The parts of an event these functions read. */
export interface ReceivedEvent {
  readonly seq: number;
  readonly type?: unknown;
  readonly data?: unknown;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** A field of a `mail.received` event's data (undefined for any other event). */
function field(event: ReceivedEvent, name: string): string | undefined {
  if (event.type !== 'mail.received' || typeof event.data !== 'object' || event.data === null)
    return undefined;
  return text((event.data as Record<string, unknown>)[name]);
}

/** The bundle path of a received message's raw copy, or undefined when the event names none. */
export function inboundMessagePath(event: ReceivedEvent): string | undefined {
  const rawKey = field(event, 'rawS3Key');
  if (!rawKey) return undefined;
  const id = rawKey.split('/').at(-1) || rawKey;
  return `mail/inbound/${String(event.seq).padStart(4, '0')}-${safeName(id)}.eml`;
}

/**
 * Where export reads a received message's raw bytes: the locked copy in the evidence bucket when the
 * event names one, else (events written before copies were kept) the raw mail bucket.
 */
export function keptRawMessage(
  source: { readonly evidence: Pick<BlobStore, 'get'>; readonly rawMail: Pick<BlobStore, 'get'> },
  event: ReceivedEvent,
  rawS3Key: string,
): { store: Pick<BlobStore, 'get'>; key: string } {
  const evidenceKey = field(event, 'evidenceKey');
  return evidenceKey
    ? { store: source.evidence, key: evidenceKey }
    : { store: source.rawMail, key: rawS3Key };
}

/**
 * Every `mail.received` event that recorded a kept raw message must find it in the bundle with the
 * hash it recorded. Returns the failures (place, message); adds a line to `held` when all hold.
 */
export function checkInboundEvidence(
  events: readonly ReceivedEvent[],
  files: ReadonlyMap<string, Uint8Array>,
  held: string[],
): { place: string; message: string }[] {
  const problems: { place: string; message: string }[] = [];
  let checked = 0;
  for (const event of events) {
    const evidenceKey = field(event, 'evidenceKey');
    if (!evidenceKey) continue;
    const path = inboundMessagePath(event);
    const recorded = field(event, 'rawSha256');
    const named = `event seq ${event.seq} (mail.received) recorded the raw message kept at ${evidenceKey}`;
    if (!path || !recorded) {
      problems.push({
        place: `${path ?? 'mail/inbound/'}`,
        message: `${named} without its raw key or SHA-256: the event cannot be checked against its message`,
      });
      continue;
    }
    const body = files.get(path);
    if (!body) {
      problems.push({
        place: path,
        message: `is missing: ${named} (SHA-256 ${recorded}); a gap in the raw mail`,
      });
      continue;
    }
    const actual = sha256Of(Buffer.from(body));
    if (actual !== recorded) {
      problems.push({
        place: path,
        message: `does not match what ${named}: SHA-256 ${recorded}, the file hashes to ${actual}`,
      });
      continue;
    }
    checked += 1;
  }
  if (checked > 0 && problems.length === 0) {
    held.push(
      `all ${checked} raw messages received for the cycle are in the bundle with the hash their event recorded`,
    );
  }
  return problems;
}
