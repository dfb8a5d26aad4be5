/**
 * The evidence bundle as it is being written: its files with their manifest entries, the gaps
 * where a store did not hold what a record names, and the commitments that tie a file to the
 * event that recorded its hash when it happened.
 */
import type { CycleEvent } from '../model/event.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { BlobNotFound, sha256Of } from '../store/blob-store.ts';
import type { Commitment, Gap, ManifestEntry } from './bundle.ts';
import { toCsv } from './csv.ts';

/** A value as indented JSON text with a final line end. */
export const JSON_TEXT = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/** Collects files and their manifest entries. */
export class BundleWriter {
  readonly files = new Map<string, { body: Buffer; entry: ManifestEntry }>();
  readonly gaps: Gap[] = [];
  /** The first file added with each SHA-256, so that the same bytes need not be stored twice. */
  private readonly byHash = new Map<string, string>();

  add(path: string, body: Buffer, describes: string, committedBy?: Commitment): string {
    let unique = path;
    for (let n = 2; this.files.has(unique); n += 1) unique = path.replace(/(\.[^./]+)?$/, `-${n}$1`);
    const sha256 = sha256Of(body);
    this.files.set(unique, {
      body,
      entry: {
        path: unique,
        sha256,
        size: body.length,
        describes,
        ...(committedBy ? { committedBy } : {}),
      },
    });
    if (!this.byHash.has(sha256)) this.byHash.set(sha256, unique);
    return unique;
  }

  /** The path of the file already added with this SHA-256, if there is one. */
  pathOfHash(sha256: string): string | undefined {
    return this.byHash.get(sha256);
  }

  /** Adds a record as indented JSON. */
  addJson(path: string, value: unknown, describes: string): string {
    return this.add(path, JSON_TEXT(value), describes);
  }

  /** Adds rows as CSV; `columns` as toCsv takes them (absent: every key of every row). */
  addCsv(
    path: string,
    rows: readonly Record<string, unknown>[],
    columns: readonly string[] | undefined,
    describes: string,
  ): string {
    return this.add(path, Buffer.from(toCsv(rows, columns), 'utf8'), describes);
  }

  /**
   * Adds a stored blob and returns its path in the bundle, or records a gap (and returns undefined)
   * when the store does not have it. With `once`, bytes the bundle already holds under another
   * path are not stored again: that path is returned.
   */
  async addBlob(
    store: Pick<BlobStore, 'get'>,
    key: string,
    path: string,
    describes: string,
    committedBy?: Commitment,
    options: { once?: boolean } = {},
  ): Promise<string | undefined> {
    let body: Buffer;
    try {
      body = await store.get(key);
    } catch (error) {
      if (!(error instanceof BlobNotFound) && (error as Error).name !== 'InvalidBlobKey') throw error;
      this.gaps.push({ path, reason: `${describes} Not found in the store under ${key}.` });
      return undefined;
    }
    const held = options.once ? this.pathOfHash(sha256Of(body)) : undefined;
    return held ?? this.add(path, body, describes, committedBy);
  }

  /** The manifest entries of the files added so far, by path. */
  entries(): ManifestEntry[] {
    return [...this.files.values()]
      .map((f) => f.entry)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** The commitment of a file whose hash the event recorded in `field`, if it did. */
export const committed = (
  event: CycleEvent | undefined,
  field: string,
  hashOf: Commitment['hashOf'] = 'bytes',
) =>
  event && typeof event.data[field] === 'string'
    ? { seq: event.seq, type: event.type, field, hashOf }
    : undefined;

/**
 * The commitment of an attachment: the item of the submission event's `attachments` list with the
 * same SHA-256 (events recorded since attachments were committed; older ones commit none).
 */
export function attachmentCommitment(event: CycleEvent | undefined, sha256: string): Commitment | undefined {
  const list = event?.data.attachments;
  if (!event || !Array.isArray(list)) return undefined;
  const item = list.findIndex((entry) => (entry as { sha256?: unknown } | null)?.sha256 === sha256);
  return item < 0
    ? undefined
    : { seq: event.seq, type: event.type, field: 'attachments', item, hashOf: 'bytes' };
}
