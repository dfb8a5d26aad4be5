/**
 * Accepted minutes as stored: one record per version. Version 1 is the first minutes accepted for
 * a cycle; a correction sent while the review still awaits minutes (it names the version it
 * replaces) becomes version n+1. Every version is kept; the latest is the one that counts.
 */
import * as z from 'zod';
import { NonEmptyText, PersonId, ProgrammeId, Sha256Hex, UtcTimestamp } from './common.ts';
import { ActionId, CycleId } from './ids.ts';
import { sha256Hex } from './canonical-json.ts';
import { MAX_MINUTES_BYTES, ValidMinutes } from './minutes.ts';

/** Where the minutes came from: an email reply (its Message-ID, the raw message) or the CLI. */
export const MinutesSource = z.discriminatedUnion(
  'channel',
  [
    z.strictObject({
      channel: z.literal('email'),
      /** The inbound message's Message-ID header. */
      messageId: NonEmptyText,
      /** Where the raw message is kept in the raw mail bucket. */
      rawS3Key: z.optional(NonEmptyText),
    }),
    z.strictObject({
      channel: z.literal('cli'),
      /** The file the minutes were read from, if any. */
      fileName: z.optional(NonEmptyText),
    }),
  ],
  { error: 'expected a source with channel email (messageId, rawS3Key) or cli (fileName)' },
);
export type MinutesSource = z.infer<typeof MinutesSource>;

/**
 * The text the hash is taken of: line ends and a leading byte-order mark do not count, so the
 * same minutes sent from another system are recognised as the same.
 */
export function normaliseMinutesText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trim();
}

/** sha256Hex of the normalised text: two submissions with the same hash are the same minutes. */
export function minutesHash(text: string): string {
  return sha256Hex(normaliseMinutesText(text));
}

export const MinutesRecord = z
  .strictObject({
    cycleId: CycleId,
    programmeId: ProgrammeId,
    /** 1 for the first minutes accepted, n+1 for a correction of version n. */
    version: z.int().min(1, { error: 'minutes versions start at 1' }),
    acceptedAt: UtcTimestamp,
    /** Who sent the minutes. */
    submittedBy: PersonId,
    source: MinutesSource,
    content: ValidMinutes,
    /** The minutes as written. */
    sourceText: NonEmptyText.refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_MINUTES_BYTES, {
      error: `minutes are at most ${MAX_MINUTES_BYTES / 1024} KB`,
    }),
    /** minutesHash(sourceText). */
    sourceHash: Sha256Hex,
    /** The actions these minutes created, in the order the minutes list them. */
    actionIds: z.array(ActionId),
  })
  .superRefine((record, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (record.content.cycleId !== record.cycleId) {
      issue(
        ['content', 'cycleId'],
        `the content is of cycle ${record.content.cycleId}, not ${record.cycleId}`,
      );
    }
    if (record.sourceHash !== minutesHash(record.sourceText)) {
      issue(['sourceHash'], 'does not match the source text; compute it with minutesHash(sourceText)');
    }
    const replaces = record.content.replaces;
    if (record.version === 1 && replaces !== undefined) {
      issue(
        ['content', 'replaces'],
        `version 1 replaces nothing, yet it says it replaces version ${replaces}`,
      );
    }
    if (record.version > 1 && replaces !== record.version - 1) {
      issue(
        ['content', 'replaces'],
        `version ${record.version} must replace version ${record.version - 1}; it says ${replaces ?? 'nothing'}`,
      );
    }
    if (record.actionIds.length !== record.content.actions.length) {
      issue(
        ['actionIds'],
        `names ${record.actionIds.length} actions, but the minutes list ${record.content.actions.length}`,
      );
    }
    if (new Set(record.actionIds).size !== record.actionIds.length) {
      issue(['actionIds'], 'lists an action twice');
    }
    if (record.actionIds.some((id) => !id.startsWith(`A${record.cycleId.slice(1)}-`))) {
      issue(['actionIds'], `lists an action of another cycle than ${record.cycleId}`);
    }
  });
export type MinutesRecord = z.infer<typeof MinutesRecord>;
