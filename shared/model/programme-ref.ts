/**
 * Stored programme versions and the reference a cycle keeps to the version it was opened under.
 *
 * The programme itself (its shape and validation) lives in shared/programme/. Here it is an opaque
 * JSON document: each saved version is kept for ever with its canonical hash, and a cycle points at
 * the exact version it used, so later edits never change what an earlier review was based on.
 */
import * as z from 'zod';
import { NonEmptyText, PersonId, ProgrammeId, Sha256Hex, UtcTimestamp } from './common.ts';

/** Which programme version a cycle was opened under. */
export const ProgrammeSnapshotRef = z.strictObject({
  programmeId: ProgrammeId,
  version: z.number().int().min(1, { error: 'programme versions start at 1' }),
  /** sha256Hex(canonicalJson(document)) of that version. */
  hash: Sha256Hex,
});
export type ProgrammeSnapshotRef = z.infer<typeof ProgrammeSnapshotRef>;

/** One saved version of a programme. */
export const ProgrammeVersion = z.strictObject({
  programmeId: ProgrammeId,
  version: z.number().int().min(1, { error: 'programme versions start at 1' }),
  hash: Sha256Hex,
  savedAt: UtcTimestamp,
  /** Who saved it (a person id, or `system`). */
  savedBy: z.union([PersonId, z.literal('system')]),
  /** The validated programme as JSON (shared/programme/schema.ts describes it). */
  document: z.record(z.string(), z.unknown()),
  /** The source text (YAML) as the ISMS manager wrote it, when it came from a file. */
  source: z.optional(NonEmptyText),
  /** Why it changed, in the ISMS manager's words. */
  note: z.optional(NonEmptyText),
});
export type ProgrammeVersion = z.infer<typeof ProgrammeVersion>;

export function snapshotRefOf(version: ProgrammeVersion): ProgrammeSnapshotRef {
  return { programmeId: version.programmeId, version: version.version, hash: version.hash };
}
