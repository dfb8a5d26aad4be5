/**
 * The per-cycle summary record: what a later review needs from this one, written when the
 * package is frozen (and again on every rebuild). Building a package reads the summaries of
 * earlier cycles with one paged query (pk PROGRAMME#<p>, sk SUMMARY#<meeting>#<cycle>) instead of
 * opening each earlier cycle: the cost of a package does not grow with the programme's history.
 */
import { z } from 'zod';
import { NonEmptyText, ProgrammeId, Sha256Hex, UtcTimestamp } from '../model/common.ts';
import { CycleId } from '../model/ids.ts';
import { Metric } from '../model/input.ts';
import type { PackageModel } from './model.ts';

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

/** The summary a frozen package leaves for later reviews. */
export function summaryOf(
  model: PackageModel,
  frozen: { programmeId: string; version: number; contentHash: string },
): CycleSummary {
  const figures: Record<string, z.infer<typeof Metric>[]> = {};
  const inputStatus: CycleSummary['inputStatus'] = {};
  for (const input of model.inputs) {
    inputStatus[input.inputKey] = input.status;
    if (input.figures.length) {
      figures[input.inputKey] = input.figures.map((f) => ({ name: f.name, value: f.value, unit: f.unit }));
    }
  }
  const open = [...model.actions.overdue, ...model.actions.open, ...model.actions.effectivenessChecksDue];
  return {
    cycleId: model.cycle.id,
    programmeId: frozen.programmeId,
    plannedMeetingAt: model.meeting.at,
    title: model.cycle.title,
    packageVersion: frozen.version,
    packageHash: frozen.contentHash,
    builtAt: model.builtAt,
    figures,
    inputStatus,
    openActions: [...new Map(open.map((a) => [a.id, a])).values()].map((a) => ({
      id: a.id,
      title: a.title,
      owner: a.owner,
      dueDate: a.dueDate,
    })),
    overdueActions: model.actions.overdue.length,
    decisions: model.decisions.length,
  };
}
