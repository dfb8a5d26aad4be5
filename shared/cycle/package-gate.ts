/**
 * What the package steps check before anything is built or sent, with a read or two and no renderer:
 * the completeness gate, whether the inputs changed since a version was built (then CompilePackage
 * builds a new one, package-phase.ts), and the cycle with its programme version.
 */
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { programmeVersion } from '../store/stored-programme.ts';
import type { StoredPackage } from './ports.ts';

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

/** Throws PackageNotReady unless `gate` is ready. */
export function assertReady(cycleId: string, gate: Completeness): void {
  if (gate.ready) return;
  throw new PackageNotReady(
    `the package of cycle ${cycleId} cannot be built or sent yet: ` +
      gate.waitingFor.map((w) => `input ${w.key} (${w.title}) may still arrive until ${w.dueAt}`).join('; ') +
      '. Wait for the answers or the deadline, or record "nothing to report" with a reason.',
  );
}

/** Throws PackageNotReady while a required input of the cycle may still arrive. */
export async function assertPackageReady(
  repo: Pick<ReviewRepository, 'listInputRequests'>,
  cycleId: string,
  now: Date,
): Promise<void> {
  assertReady(cycleId, completeness(await repo.listInputRequests(cycleId), now));
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

/** Whether the inputs as recorded now differ from the ones the package was built from. */
export function inputsChangedSince(stored: StoredPackage, requests: readonly InputRequest[]): string[] {
  return requests
    .filter((r) => !r.automatic && (stored.inputVersions[r.inputKey] ?? null) !== (r.submissionId ?? null))
    .map((r) => r.inputKey);
}

/**
 * The inputs changed since `built` was made (a late or corrected answer): a new version must be built
 * before it is asked about or sent. Throws PackageNotReady while a required input may still arrive.
 */
export async function changedInputs(
  repo: Pick<ReviewRepository, 'listInputRequests'>,
  cycleId: string,
  built: StoredPackage,
  now: Date,
): Promise<string[]> {
  const requests = await repo.listInputRequests(cycleId);
  assertReady(cycleId, completeness(requests, now));
  return inputsChangedSince(built, requests);
}
