/**
 * Building the package, behind the thin `compilePackage` of shared/cycle/distribution-phase.ts (the
 * one step that builds): read what a package needs (a fixed number of queries, however long the
 * programme's history), apply the completeness gate (package-gate.ts), freeze a new version when the
 * inputs changed, and leave the per-cycle summary for later reviews.
 *
 * Reads per package (DynamoDB): the cycle, its programme version, the cycle's records (one paged
 * query), the actions needing follow-up (one paged index query) and the earlier cycles' summaries
 * (one paged query); the summary write is one more. Nothing is read per earlier cycle.
 */
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { CycleDeps, StoredPackage } from './ports.ts';
import { packageModel, type PackageSources } from '../package/content.ts';
import { summaryOf } from '../package/history.ts';
import type { PackageModel } from '../package/model.ts';
import {
  PackageSourceMissing,
  assertReady,
  changedInputs,
  completeness,
  cycleAndProgramme,
} from './package-gate.ts';

/** How many earlier reviews the trends reach back to. */
export const TREND_HISTORY = 40;

/** Everything a package is built from, read with a fixed number of queries (see the module note). */
export async function readPackageSources(
  repo: ReviewRepository,
  cycle: Cycle,
  programme: Programme,
  now: Date,
  options: { meetingMinutes?: number } = {},
): Promise<PackageSources> {
  const [records, followUp, earlier] = await Promise.all([
    repo.getCycleRecords(cycle.id),
    repo.listActionsNeedingFollowUp(cycle.programmeId),
    repo.listCycleSummaries(cycle.programmeId, { before: cycle.plannedMeetingAt, limit: TREND_HISTORY }),
  ]);
  if (!records) throw new PackageSourceMissing(`cycle ${cycle.id} has no records: it does not exist`);
  return {
    cycle,
    programme,
    requests: records.inputRequests,
    submissions: records.submissions,
    openActions: followUp.filter((a) => a.cycleId !== cycle.id),
    earlier,
    now,
    ...(options.meetingMinutes !== undefined ? { meetingMinutes: options.meetingMinutes } : {}),
  };
}

/**
 * The package model of a cycle straight from a repository: what a benchmark measures (wrap the
 * repository's client to count requests) and what a tool renders without freezing anything.
 */
export async function buildPackageModel(
  repo: ReviewRepository,
  cycleId: string,
  now: Date,
  options: { meetingMinutes?: number } = {},
): Promise<PackageModel> {
  const { cycle, programme } = await cycleAndProgramme(repo, cycleId);
  return packageModel(await readPackageSources(repo, cycle, programme, now, options));
}

/** Builds the model (gate first), freezes it as a new version and writes the cycle's summary. */
export async function freezePackage(
  deps: Pick<CycleDeps, 'repo' | 'packages'>,
  cycle: Cycle,
  programme: Programme,
  now: Date,
): Promise<{ stored: StoredPackage; model: PackageModel }> {
  const sources = await readPackageSources(deps.repo, cycle, programme, now);
  assertReady(cycle.id, completeness(sources.requests, now));
  const model = packageModel(sources);
  const stored = await deps.packages.freeze(model);
  await deps.repo.putCycleSummary(
    summaryOf(model, { programmeId: cycle.programmeId, version: stored.version, contentHash: stored.sha256 }),
  );
  return { stored, model };
}

/**
 * The package as it must go out: the frozen one, or a new version when an input arrived after it was
 * built (a late or corrected answer), recorded on the cycle and in a `package.built` event. The gate
 * applies again: nothing is built while an input may still arrive. CompilePackage runs it when the
 * approval check or the distribution found the inputs changed (package-gate.ts changedInputs).
 */
export async function currentPackage(
  deps: Pick<CycleDeps, 'repo' | 'packages'>,
  cycle: Cycle,
  programme: Programme,
  now: Date,
): Promise<{ cycle: Cycle; stored: StoredPackage; rebuiltFor: string[] }> {
  const events = await deps.repo.listEvents(cycle.id);
  const built = events.filter((e) => e.type === 'package.built').at(-1);
  if (!built) throw new PackageSourceMissing(`cycle ${cycle.id} has no package built yet`);
  const last = built.data as unknown as StoredPackage;
  const changed = await changedInputs(deps.repo, cycle.id, last, now);
  if (!changed.length) return { cycle, stored: last, rebuiltFor: [] };
  const { stored } = await freezePackage(deps, cycle, programme, now);
  const { cycle: updated } = await deps.repo.updateCycle(
    { ...cycle, packageHash: stored.sha256, updatedAt: now.toISOString() },
    {
      event: {
        type: 'package.built',
        at: now.toISOString(),
        actor: 'system',
        data: { ...stored, inputVersions: { ...stored.inputVersions }, rebuiltFor: changed },
      },
    },
  );
  return { cycle: updated, stored, rebuiltFor: changed };
}
