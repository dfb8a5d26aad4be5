/**
 * The per-cycle summary record: what a later review needs from this one, written when the
 * package is frozen (and again on every rebuild). Building a package reads the summaries of
 * earlier cycles with one paged query (pk PROGRAMME#<p>, sk SUMMARY#<meeting>#<cycle>) instead of
 * opening each earlier cycle: the cost of a package does not grow with the programme's history.
 */
import * as z from 'zod';
import { NonEmptyText, ProgrammeId, Sha256Hex, UtcTimestamp } from './common.ts';
import { CycleId } from './ids.ts';
import { Metric } from './input.ts';

export const CycleSummary = z.strictObject({
  cycleId: CycleId,
  programmeId: ProgrammeId,
  plannedMeetingAt: UtcTimestamp,
  title: NonEmptyText,
  packageVersion: z.number().int().min(1),
  packageHash: Sha256Hex,
  builtAt: UtcTimestamp,
  /** The figures reported per input key (for trends). */
  figures: z.record(z.string(), z.array(Metric)),
  /** Each input's status in words (provided, nothing-to-report, not-provided). */
  inputStatus: z.record(z.string(), z.enum(['provided', 'nothing-to-report', 'not-provided'])),
  /** The actions open when the package was built (to tell which closed since). */
  openActions: z.array(
    z.strictObject({ id: NonEmptyText, title: NonEmptyText, owner: NonEmptyText, dueDate: NonEmptyText }),
  ),
  overdueActions: z.number().int().min(0),
  decisions: z.number().int().min(0),
});
export type CycleSummary = z.infer<typeof CycleSummary>;
