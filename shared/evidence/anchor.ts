/**
 * Anchors: the head of a cycle's event chain, signed with the anchoring key (signer.ts) and written
 * outside the database, into the evidence bucket under Object Lock in COMPLIANCE mode until the
 * programme's retention ends. Nobody, not even an account administrator, can change or delete a
 * locked version before then, and nobody but the anchoring step can sign, so rewriting the log later
 * (in the table, or in an exported bundle) no longer matches a signed, anchored head.
 *
 * Anchors are written by one step only (functions/anchor-chain.ts): when the cycle opens, at each
 * milestone (package distributed, minutes accepted, cycle closed), and daily while the cycle is
 * open and its chain moved, so no stretch of the log is left unanchored for long.
 *
 * An anchor is a small canonical JSON document stored under
 * `anchors/<cycleId>/<seq, 6 digits>-<milestone>.json` (daily ones: `…-daily-<yyyy-mm-dd>.json`):
 *
 *     {"anchoredAt":"…","cycleId":"C-…","format":"isms-review/anchor@2",
 *      "head":{"hash":"<64 hex>","seq":12},
 *      "key":{"algorithm":"ECDSA_P256_SHA256","fingerprint":"<64 hex>"},
 *      "milestone":"package-distributed","programmeId":"…","retainUntil":"…",
 *      "signature":"<base64 DER>"}
 *
 * The signature is over the canonical JSON of the anchor without its `signature` field. Anchors of
 * the earlier format `isms-review/anchor@1` carry no signature: they are read, and reported as
 * unsigned.
 *
 * One anchor per milestone and cycle (per day for `daily`): writing a milestone again (a retried
 * step) finds the anchor already there and writes nothing. The store never overwrites a key. The
 * S3 adapter is shared/adapters/s3-anchor-store.ts.
 */
import * as z from 'zod';
import type { Clock } from '../clock.ts';
import { parseWith, ProgrammeId, Sha256Hex, UtcTimestamp } from '../model/common.ts';
import { CycleId } from '../model/ids.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import {
  anchorKeyOf,
  SIGNING_ALGORITHM,
  verifySignature,
  type AnchorKey,
  type AnchorSigner,
} from './signer.ts';

export const ANCHOR_FORMAT = 'isms-review/anchor@2' as const;
/** The earlier, unsigned format: still read, never written. */
export const UNSIGNED_ANCHOR_FORMAT = 'isms-review/anchor@1' as const;
export const ANCHOR_MILESTONES = [
  'cycle-opened',
  'package-distributed',
  'minutes-accepted',
  'cycle-closed',
  'daily',
] as const;
export type AnchorMilestone = (typeof ANCHOR_MILESTONES)[number];

/** The milestones of a cycle, with the event type of the log that says the milestone happened. */
export const MILESTONE_EVENTS: Readonly<Record<Exclude<AnchorMilestone, 'daily'>, string>> = {
  'cycle-opened': 'cycle.opened',
  'package-distributed': 'package.distributed',
  'minutes-accepted': 'minutes.accepted',
  'cycle-closed': 'cycle.closed',
};

const Milestone = z.enum(ANCHOR_MILESTONES, {
  error: `expected a milestone: ${ANCHOR_MILESTONES.join(', ')}`,
});

const AnchorFields = {
  cycleId: CycleId,
  programmeId: ProgrammeId,
  milestone: Milestone,
  head: z.strictObject({ seq: z.number().int().min(0), hash: Sha256Hex }),
  anchoredAt: UtcTimestamp,
  /** Until when the store keeps it locked (Object Lock RetainUntilDate). */
  retainUntil: UtcTimestamp,
};

export const AnchorKeyRef = z.strictObject({
  algorithm: z.literal(SIGNING_ALGORITHM),
  /** SHA-256 of the public key (SPKI DER), hex. */
  fingerprint: Sha256Hex,
});

/** An anchor before it is signed: what the signature covers is this, in canonical JSON. */
export const UnsignedAnchorBody = z.strictObject({
  format: z.literal(ANCHOR_FORMAT, { error: `expected format ${ANCHOR_FORMAT}` }),
  ...AnchorFields,
  key: AnchorKeyRef,
});
export type UnsignedAnchorBody = z.infer<typeof UnsignedAnchorBody>;

export const SignedAnchor = z.strictObject({
  ...UnsignedAnchorBody.shape,
  /** ECDSA P-256 / SHA-256 signature, DER, base64. */
  signature: z.base64({ error: 'expected a base64 signature' }).min(8),
});
export type SignedAnchor = z.infer<typeof SignedAnchor>;

/** The earlier format: no key, no signature. */
export const LegacyAnchor = z.strictObject({
  format: z.literal(UNSIGNED_ANCHOR_FORMAT),
  ...AnchorFields,
});
export type LegacyAnchor = z.infer<typeof LegacyAnchor>;

export const Anchor = z.discriminatedUnion('format', [SignedAnchor, LegacyAnchor], {
  error: `expected format ${ANCHOR_FORMAT}`,
});
export type Anchor = z.infer<typeof Anchor>;

/** How the store kept an anchor. */
export interface AnchorLock {
  /** True when the store confirmed the lock (mode COMPLIANCE, retained at least until retainUntil). */
  readonly locked: boolean;
  /** What the store said, in words: the lock it confirmed, or why there is none. */
  readonly note: string;
}

/** Every version the store holds under an anchor's key. One version and no delete marker is right. */
export interface AnchorHistory {
  readonly versions: number;
  readonly deleteMarkers: number;
}

export interface StoredAnchor {
  readonly key: string;
  /** The anchor as first written (the oldest version when the store keeps versions). */
  readonly anchor: Anchor;
  /** The stored bytes (canonical JSON of the anchor). */
  readonly body: Buffer;
  readonly lock: AnchorLock;
  /** Present when the store listed every version of the key (verification). */
  readonly history?: AnchorHistory;
}

/** Where anchors are kept: the evidence bucket on AWS and locally; in memory in unit tests. */
export interface AnchorStore {
  /**
   * Stores the anchor under anchorKey(anchor), locked until anchor.retainUntil where the store can
   * lock, never over an existing key: when the key exists, returns what is stored there.
   */
  put(anchor: SignedAnchor): Promise<StoredAnchor>;
  /** The cycle's anchors, by key, each as first written, with every version the store holds. */
  list(cycleId: string): Promise<StoredAnchor[]>;
  /** Where the anchors are, for messages, e.g. `s3://bucket/anchors/`. */
  readonly location: string;
}

/** The store said it locked nothing where a lock is required. */
export class AnchorNotLocked extends Error {
  override name = 'AnchorNotLocked' as const;
}

/** A stored anchor is not an anchor document (edited by hand, or another tool wrote there). */
export class InvalidAnchor extends Error {
  override name = 'InvalidAnchor' as const;
}

/** The programme gives no evidence retention to lock the anchor for. */
export class NoRetention extends Error {
  override name = 'NoRetention' as const;
}

/** Anchoring was asked for without the anchoring key. */
export class NoAnchorSigner extends Error {
  override name = 'NoAnchorSigner' as const;
}

export const ANCHOR_PREFIX = 'anchors/';

export function anchorKey(anchor: Pick<Anchor, 'cycleId' | 'milestone' | 'head' | 'anchoredAt'>): string {
  const day = anchor.milestone === 'daily' ? `-${anchor.anchoredAt.slice(0, 10)}` : '';
  return `${ANCHOR_PREFIX}${anchor.cycleId}/${String(anchor.head.seq).padStart(6, '0')}-${anchor.milestone}${day}.json`;
}

export function anchorPrefix(cycleId: string): string {
  return `${ANCHOR_PREFIX}${parseWith(CycleId, cycleId, 'cycle id')}/`;
}

/** The bytes an anchor is stored as: its canonical JSON. */
export function anchorBody(anchor: Anchor): Buffer {
  return Buffer.from(canonicalJson(anchor), 'utf8');
}

/** The bytes the signature of an anchor covers: its canonical JSON without `signature`. */
export function signedBytes(anchor: UnsignedAnchorBody | SignedAnchor): Buffer {
  const { signature: _signature, ...body } = anchor as SignedAnchor;
  return Buffer.from(canonicalJson(body), 'utf8');
}

/** Signs an anchor body with the anchoring key. */
export async function signAnchor(body: UnsignedAnchorBody, signer: AnchorSigner): Promise<SignedAnchor> {
  const valid = parseWith(UnsignedAnchorBody, body, 'anchor');
  const signature = await signer.sign(signedBytes(valid));
  return { ...valid, signature: signature.toString('base64') };
}

/** What an anchor's signature says, checked against the key the verifier trusts. */
export type SignatureCheck =
  | { readonly status: 'valid' }
  | { readonly status: 'unsigned' }
  | { readonly status: 'other-key'; readonly fingerprint: string }
  | { readonly status: 'invalid' };

export function checkAnchorSignature(anchor: Anchor, key: AnchorKey): SignatureCheck {
  if (anchor.format !== ANCHOR_FORMAT) return { status: 'unsigned' };
  if (anchor.key.fingerprint !== key.fingerprint) {
    return { status: 'other-key', fingerprint: anchor.key.fingerprint };
  }
  return verifySignature(key, signedBytes(anchor), anchor.signature)
    ? { status: 'valid' }
    : { status: 'invalid' };
}

/** Reads stored anchor bytes; InvalidAnchor names the key and what is wrong. */
export function parseAnchor(key: string, body: Buffer): Anchor {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new InvalidAnchor(`${key} is not JSON: ${(error as Error).message}`);
  }
  const parsed = Anchor.safeParse(json);
  if (!parsed.success) {
    throw new InvalidAnchor(
      `${key} is not an anchor: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'document'}: ${i.message}`).join('; ')}`,
    );
  }
  if (anchorKey(parsed.data) !== key) {
    throw new InvalidAnchor(`${key} holds the anchor of ${anchorKey(parsed.data)}; it was moved or copied`);
  }
  return parsed.data;
}

const RetentionOf = z.looseObject({
  evidence: z.looseObject({ retentionDays: z.number().int().min(1) }),
});

export interface AnchorDeps {
  readonly repo: Pick<ReviewRepository, 'getCycle' | 'getChainHead' | 'getProgrammeVersion'>;
  readonly clock: Clock;
  readonly anchors: AnchorStore;
  readonly signer: AnchorSigner;
}

export type AnchorOutcome =
  /** A new anchor was written. */
  | { readonly status: 'written'; readonly stored: StoredAnchor }
  /** The milestone (or today's daily anchor) was anchored already; nothing was written. */
  | { readonly status: 'existing'; readonly stored: StoredAnchor }
  /** Daily: the chain did not move since the last anchor; nothing was written. */
  | { readonly status: 'unchanged'; readonly stored?: StoredAnchor };

/**
 * Writes the cycle's current chain head, signed, as the anchor of `milestone`, once: when the
 * milestone is anchored already (for `daily`: today, in UTC), returns that anchor and writes
 * nothing. A `daily` anchor is written only when the chain moved since the last anchor.
 */
export async function anchorMilestone(
  deps: AnchorDeps,
  cycleId: string,
  milestone: AnchorMilestone,
): Promise<AnchorOutcome> {
  const { anchors, signer } = deps;
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  const existing = await anchors.list(cycleId);
  const same = existing.find(
    (stored) =>
      stored.anchor.milestone === milestone &&
      (milestone !== 'daily' || stored.anchor.anchoredAt.slice(0, 10) === day),
  );
  if (same) return { status: 'existing', stored: same };
  const cycle = await deps.repo.getCycle(cycleId);
  if (!cycle) throw new InvalidAnchor(`cycle ${cycleId} does not exist; there is no chain to anchor`);
  const head = await deps.repo.getChainHead(cycleId);
  if (milestone === 'daily') {
    const last = existing.reduce<StoredAnchor | undefined>(
      (best, stored) => (best && best.anchor.head.seq >= stored.anchor.head.seq ? best : stored),
      undefined,
    );
    if (last && last.anchor.head.seq >= head.seq) return { status: 'unchanged', stored: last };
    if (head.seq === 0) return { status: 'unchanged' };
  }
  const programme = await deps.repo.getProgrammeVersion(cycle.programmeId, cycle.programme.version);
  const retention = RetentionOf.safeParse(programme?.document);
  if (!retention.success) {
    throw new NoRetention(
      `programme ${cycle.programmeId} version ${cycle.programme.version} gives no evidence.retentionDays; ` +
        'set it in the programme file and apply it',
    );
  }
  const key = await anchorKeyOf(signer);
  const retainUntil = new Date(now.getTime() + retention.data.evidence.retentionDays * 86_400_000);
  const signed = await signAnchor(
    {
      format: ANCHOR_FORMAT,
      cycleId,
      programmeId: cycle.programmeId,
      milestone,
      head: { seq: head.seq, hash: head.hash },
      anchoredAt: now.toISOString(),
      retainUntil: retainUntil.toISOString(),
      key: { algorithm: SIGNING_ALGORITHM, fingerprint: key.fingerprint },
    },
    signer,
  );
  const stored = await anchors.put(signed);
  // A concurrent run got there first: the store returned what it holds, which is the anchor.
  const written = stored.body.equals(anchorBody(signed));
  return { status: written ? 'written' : 'existing', stored };
}

/**
 * Anchors kept in memory (unit tests): nothing is locked, and the lock note says so. Like a
 * versioned bucket it keeps every version written under a key; `put` never overwrites.
 */
export class MemoryAnchorStore implements AnchorStore {
  readonly location = 'memory';
  readonly #versions = new Map<string, Buffer[]>();

  async put(anchor: SignedAnchor): Promise<StoredAnchor> {
    const valid = parseWith(SignedAnchor, anchor, 'anchor');
    const key = anchorKey(valid);
    const held = this.#versions.get(key);
    if (held?.[0]) return this.#stored(key, held);
    const body = anchorBody(valid);
    this.#versions.set(key, [body]);
    return { key, anchor: valid, body, lock: MEMORY_LOCK };
  }

  async list(cycleId: string): Promise<StoredAnchor[]> {
    const prefix = anchorPrefix(cycleId);
    return [...this.#versions.entries()]
      .filter(([key, versions]) => key.startsWith(prefix) && versions.length > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, versions]) => this.#stored(key, versions));
  }

  /** Writes a new version over a key: lets a test play an administrator of an unlocked bucket. */
  overwrite(key: string, body: Buffer): void {
    this.#versions.set(key, [...(this.#versions.get(key) ?? []), body]);
  }

  #stored(key: string, versions: Buffer[]): StoredAnchor {
    const body = versions[0]!;
    return {
      key,
      anchor: parseAnchor(key, body),
      body,
      lock: MEMORY_LOCK,
      history: { versions: versions.length, deleteMarkers: 0 },
    };
  }
}

const MEMORY_LOCK: AnchorLock = { locked: false, note: 'kept in memory, not locked' };
