/**
 * Builds the per-cycle summary record (`model/cycle-summary.ts`) from a package model.
 */
import type { z } from 'zod';
import type { CycleSummary } from '../model/cycle-summary.ts';
import type { Metric } from '../model/input.ts';
import type { PackageModel } from './model.ts';

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
      figures[input.inputKey] = input.figures.map((f) => ({
        name: f.name,
        value: f.value,
        unit: f.unit,
        ...(f.target === undefined ? {} : { target: f.target }),
      }));
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
