/**
 * The package phase's two workflow states: compile (the completeness gate, then the package frozen)
 * and distribute (rebuilt if an input arrived since, then sent with the meeting invitation). The
 * steps they run are in package-phase.ts.
 */
import { CYCLE_PHASES, transition, type Cycle } from '../model/cycle.ts';
import type { Programme, Person } from '../programme/schema.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import type { DistributionDeps, PackagingDeps, StoredPackage } from './ports.ts';
import { assertPackageReady, currentPackage, freezePackage } from './package-phase.ts';
import { packageApproved } from './approvals.ts';
import { SYSTEM, advance, iso, loadCycle, programmeOf, viewOf, type CycleView } from './cycle-state.ts';

/** Builds, hashes and freezes the review package from the inputs as recorded now. */
export async function compilePackage(deps: PackagingDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  if (
    cycle.packageHash &&
    CYCLE_PHASES.indexOf(cycle.phase) >= CYCLE_PHASES.indexOf('AWAITING_DISTRIBUTION')
  ) {
    return viewOf(cycle);
  }
  const now = deps.clock.now();
  // The completeness gate, before the cycle moves on: nothing is built while an input may still arrive.
  await assertPackageReady(deps.repo, cycleId, now);
  cycle = await advance(deps, cycle, 'COMPILING');
  const programme = await programmeOf(deps, cycle);
  const { stored } = await freezePackage(deps, cycle, programme, now);
  const frozen: Cycle = { ...transition(cycle, 'AWAITING_DISTRIBUTION', now), packageHash: stored.sha256 };
  ({ cycle } = await deps.repo.updateCycle(frozen, {
    event: {
      type: 'package.built',
      at: iso(now),
      actor: SYSTEM,
      data: { ...stored, inputVersions: { ...stored.inputVersions } },
    },
  }));
  return viewOf(cycle);
}

/** Everyone who receives the package and the minutes: top management and the ISMS manager. */
export function attendees(programme: Programme): Person[] {
  const { chair, members } = topManagement(programme);
  const all = [chair, ...members, ismsManager(programme)];
  return [...new Map(all.map((p) => [p.id, p])).values()];
}

export async function distributePackage(
  deps: DistributionDeps<'packageDistribution'>,
  cycleId: string,
): Promise<CycleView & { packageApproved: boolean }> {
  let cycle = await loadCycle(deps, cycleId);
  const programme = await programmeOf(deps, cycle);
  if (cycle.phase === 'AWAITING_DISTRIBUTION') {
    const now = deps.clock.now();
    // The gate again, and a new version if an input arrived after the package was built.
    let stored: StoredPackage;
    ({ cycle, stored } = await currentPackage(deps, cycle, programme, now));
    // Only an approved version goes to top management: a new one goes back to the ISMS manager.
    if (!packageApproved(programme, await deps.repo.listEvents(cycleId), stored.version)) {
      return { ...viewOf(cycle), packageApproved: false };
    }
    const recipients = attendees(programme);
    await deps.notifier.packageDistribution({ cycle, programme, stored, recipients });
    ({ cycle } = await deps.repo.updateCycle(
      { ...transition(cycle, 'DISTRIBUTED', now), packageSentAt: iso(now) },
      {
        event: {
          type: 'package.distributed',
          at: iso(now),
          actor: SYSTEM,
          data: {
            sha256: stored.sha256,
            version: stored.version,
            recipients: recipients.map((p) => p.email),
            // The calendar invitation's SEQUENCE (a moved meeting sends a higher one).
            icsSequence: stored.version - 1,
          },
        },
      },
    ));
  }
  // The workflow's AnchorPackage state anchors the chain next (functions/anchor-chain.ts).
  return { ...viewOf(cycle), packageApproved: true };
}
