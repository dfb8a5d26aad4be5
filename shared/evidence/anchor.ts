/**
 * Anchors: the head of a cycle's event chain written outside the database, at milestones
 * (package distributed, minutes accepted, cycle closed), into the evidence bucket under Object
 * Lock in COMPLIANCE mode until the programme's retention ends. Nobody, not even an account
 * administrator, can change or delete a locked object before then, so rewriting the log later
 * (in the table, or in an exported bundle) no longer matches the anchored head.
 *
 * An anchor is a small canonical JSON document stored under
 * `anchors/<cycleId>/<seq, 6 digits>-<milestone>.json`:
 *
 *     {"anchoredAt":"…","cycleId":"C-…","format":"isms-review/anchor@1",
 *      "head":{"hash":"<64 hex>","seq":12},"milestone":"package-distributed",
 *      "programmeId":"…","retainUntil":"…"}
 *
 * One anchor per milestone and cycle: writing a milestone again (a retried step) finds the anchor
 * already there and writes nothing. The S3 adapter is shared/adapters/s3-anchor-store.ts.
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { parseWith, ProgrammeId, Sha256Hex, UtcTimestamp } from '../model/common.ts';
import { CycleId } from '../model/ids.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { canonicalJson } from './canonical-json.ts';

export const ANCHOR_FORMAT = 'isms-review/anchor@1' as const;
export const ANCHOR_MILESTONES = ['package-distributed', 'minutes-accepted', 'cycle-closed'] as const;
export type AnchorMilestone = (typeof ANCHOR_MILESTONES)[number];

export const Anchor = z.strictObject({
  format: z.literal(ANCHOR_FORMAT, { error: `expected format ${ANCHOR_FORMAT}` }),
  cycleId: CycleId,
  programmeId: ProgrammeId,
  milestone: z.enum(ANCHOR_MILESTONES, {
    error: `expected a milestone: ${ANCHOR_MILESTONES.join(', ')}`,
  }),
  head: z.strictObject({ seq: z.number().int().min(0), hash: Sha256Hex }),
  anchoredAt: UtcTimestamp,
  /** Until when the store keeps it locked (Object Lock RetainUntilDate). */
  retainUntil: UtcTimestamp,
});
export type Anchor = z.infer<typeof Anchor>;

/** How the store kept an anchor. */
export interface AnchorLock {
  /** True when the store confirmed the lock (mode COMPLIANCE, retained at least until retainUntil). */
  readonly locked: boolean;
  /** What the store said, in words: the lock it confirmed, or why there is none. */
  readonly note: string;
}

export interface StoredAnchor {
  readonly key: string;
  readonly anchor: Anchor;
  /** The stored bytes (canonical JSON of the anchor). */
  readonly body: Buffer;
  readonly lock: AnchorLock;
}

/** Where anchors are kept: the evidence bucket on AWS and locally; in memory in unit tests. */
export interface AnchorStore {
  /** Stores the anchor under anchorKey(anchor), locked until anchor.retainUntil where the store can lock. */
  put(anchor: Anchor): Promise<StoredAnchor>;
  /** The cycle's anchors, by seq. */
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

export const ANCHOR_PREFIX = 'anchors/';

export function anchorKey(anchor: Pick<Anchor, 'cycleId' | 'milestone' | 'head'>): string {
  return `${ANCHOR_PREFIX}${anchor.cycleId}/${String(anchor.head.seq).padStart(6, '0')}-${anchor.milestone}.json`;
}

export function anchorPrefix(cycleId: string): string {
  return `${ANCHOR_PREFIX}${parseWith(CycleId, cycleId, 'cycle id')}/`;
}

/** The bytes an anchor is stored as: its canonical JSON. */
export function anchorBody(anchor: Anchor): Buffer {
  return Buffer.from(canonicalJson(anchor), 'utf8');
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
  /** Absent: anchoring is not wired (a unit test of something else); nothing is written. */
  readonly anchors?: AnchorStore | undefined;
}

/**
 * Writes the cycle's current chain head as the anchor of `milestone`, once: when the milestone is
 * anchored already, returns that anchor and writes nothing. Call it right after the milestone's
 * event is appended. Returns undefined when no anchor store is wired.
 */
export async function anchorMilestone(
  deps: AnchorDeps,
  cycleId: string,
  milestone: AnchorMilestone,
): Promise<StoredAnchor | undefined> {
  const { anchors } = deps;
  if (!anchors) return undefined;
  const existing = (await anchors.list(cycleId)).find((stored) => stored.anchor.milestone === milestone);
  if (existing) return existing;
  const cycle = await deps.repo.getCycle(cycleId);
  if (!cycle) throw new InvalidAnchor(`cycle ${cycleId} does not exist; there is no chain to anchor`);
  const programme = await deps.repo.getProgrammeVersion(cycle.programmeId, cycle.programme.version);
  const retention = RetentionOf.safeParse(programme?.document);
  if (!retention.success) {
    throw new NoRetention(
      `programme ${cycle.programmeId} version ${cycle.programme.version} gives no evidence.retentionDays; ` +
        'set it in the programme file and apply it',
    );
  }
  const head = await deps.repo.getChainHead(cycleId);
  const now = deps.clock.now();
  const retainUntil = new Date(now.getTime() + retention.data.evidence.retentionDays * 86_400_000);
  return anchors.put({
    format: ANCHOR_FORMAT,
    cycleId,
    programmeId: cycle.programmeId,
    milestone,
    head: { seq: head.seq, hash: head.hash },
    anchoredAt: now.toISOString(),
    retainUntil: retainUntil.toISOString(),
  });
}

/** Anchors kept in memory (unit tests): nothing is locked, and the lock note says so. */
export class MemoryAnchorStore implements AnchorStore {
  readonly location = 'memory';
  readonly #bodies = new Map<string, Buffer>();

  async put(anchor: Anchor): Promise<StoredAnchor> {
    const valid = parseWith(Anchor, anchor, 'anchor');
    const key = anchorKey(valid);
    const body = anchorBody(valid);
    this.#bodies.set(key, body);
    return { key, anchor: valid, body, lock: MEMORY_LOCK };
  }

  async list(cycleId: string): Promise<StoredAnchor[]> {
    const prefix = anchorPrefix(cycleId);
    return [...this.#bodies.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, body]) => ({ key, anchor: parseAnchor(key, body), body, lock: MEMORY_LOCK }));
  }

  /** Replaces stored bytes: lets a test play an administrator who rewrites an unlocked anchor. */
  overwrite(key: string, body: Buffer): void {
    this.#bodies.set(key, body);
  }
}

const MEMORY_LOCK: AnchorLock = { locked: false, note: 'kept in memory, not locked' };
