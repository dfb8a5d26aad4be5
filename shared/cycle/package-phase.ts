/**
 * The package steps of a review cycle, behind the thin `compilePackage` / `distributePackage` of
 * shared/cycle/distribution-phase.ts: read what a package needs (a fixed number of queries, however long the
 * programme's history), apply the completeness gate, freeze a new version when the inputs changed,
 * and leave the per-cycle summary for later reviews.
 *
 * Reads per package (DynamoDB): the cycle, its programme version, the cycle's records (one paged
 * query), the actions needing follow-up (one paged index query) and the earlier cycles' summaries
 * (one paged query); the summary write is one more. Nothing is read per earlier cycle.
 */
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { CycleDeps, StoredPackage } from './ports.ts';
import { packageModel, type PackageSources } from '../package/content.ts';
import { summaryOf } from '../package/history.ts';
import type { PackageModel } from '../package/model.ts';
import { programmeVersion } from '../store/stored-programme.ts';

/** How many earlier reviews the trends reach back to. */
export const TREND_HISTORY = 40;

/** The package cannot be built or sent yet: a required input may still arrive. */
export class PackageNotReady extends Error {
  override name = 'PackageNotReady' as const;
}

export class PackageSourceMissing extends Error {
  override name = 'PackageSourceMissing' as const;
}

export interface Completeness {
  /** True when every required input is answered, or closed as not provided, or past its deadline. */
  readonly ready: boolean;
  /** Inputs still awaited before their deadline. */
  readonly waitingFor: readonly { key: string; title: string; dueAt: string }[];
  /** Inputs that will appear as NOT PROVIDED (closed as such, or past their deadline unanswered). */
  readonly notProvided: readonly string[];
}

/**
 * The completeness gate: a package goes out only when each required input is submitted, answered
 * "nothing to report" (with its reason), or past its deadline (then it is NOT PROVIDED and an item
 * for decision).
 */
export function completeness(requests: readonly InputRequest[], now: Date): Completeness {
  const waitingFor: { key: string; title: string; dueAt: string }[] = [];
  const notProvided: string[] = [];
  for (const request of requests) {
    if (request.automatic || request.status === 'SUBMITTED' || request.status === 'NOTHING_TO_REPORT')
      continue;
    if (request.status === 'NOT_PROVIDED' || now.getTime() >= Date.parse(request.dueAt)) {
      notProvided.push(request.inputKey);
    } else {
      waitingFor.push({ key: request.inputKey, title: request.title, dueAt: request.dueAt });
    }
  }
  return { ready: waitingFor.length === 0, waitingFor, notProvided };
}

function assertReady(cycleId: string, gate: Completeness): void {
  if (gate.ready) return;
  throw new PackageNotReady(
    `the package of cycle ${cycleId} cannot be built or sent yet: ` +
      gate.waitingFor.map((w) => `input ${w.key} (${w.title}) may still arrive until ${w.dueAt}`).join('; ') +
      '. Wait for the answers or the deadline, or record "nothing to report" with a reason.',
  );
}

/** Throws PackageNotReady while a required input of the cycle may still arrive. */
export async function assertPackageReady(repo: ReviewRepository, cycleId: string, now: Date): Promise<void> {
  assertReady(cycleId, completeness(await repo.listInputRequests(cycleId), now));
}

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

/** A cycle and the programme version it was opened under. */
export async function cycleAndProgramme(
  repo: ReviewRepository,
  cycleId: string,
): Promise<{ cycle: Cycle; programme: Programme }> {
  const cycle = await repo.getCycle(cycleId);
  if (!cycle) throw new PackageSourceMissing(`cycle ${cycleId} does not exist: check the id`);
  return { cycle, programme: await programmeVersion(repo, cycle.programme) };
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

/** Whether the inputs as recorded now differ from the ones the package was built from. */
export function inputsChangedSince(stored: StoredPackage, requests: readonly InputRequest[]): string[] {
  return requests
    .filter((r) => !r.automatic && (stored.inputVersions[r.inputKey] ?? null) !== (r.submissionId ?? null))
    .map((r) => r.inputKey);
}

/**
 * The package as it must go out: the frozen one, or a new version when an input arrived after it was
 * built (a late or corrected answer), recorded on the cycle and in a `package.built` event. The gate
 * applies again: nothing is built while an input may still arrive.
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
  const requests = await deps.repo.listInputRequests(cycle.id);
  assertReady(cycle.id, completeness(requests, now));
  const last = built.data as unknown as StoredPackage;
  const changed = inputsChangedSince(last, requests);
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
