/**
 * The package phase's two workflow states: compile (the completeness gate, then the package frozen;
 * run again, a new version when an input changed since) and distribute (the approved version sent
 * with the meeting invitation). Only compile builds (package-phase.ts): a distribution that finds an
 * input changed since the build sends nothing and goes back through the approval check to compile.
 */
import { CYCLE_PHASES, transition, type Cycle } from '../model/cycle.ts';
import type { Programme, Person } from '../programme/schema.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import type { MailingDeps, PackagingDeps } from './ports.ts';
import { currentPackage, freezePackage } from './package-phase.ts';
import { PackageSourceMissing, assertPackageReady, changedInputs } from './package-gate.ts';
import { latestPackage, packageApproved } from './approvals.ts';
import { SYSTEM, advance, iso, loadCycle, programmeOf, viewOf, type CycleView } from './cycle-state.ts';

/**
 * Builds, hashes and freezes the review package from the inputs as recorded now. Run again before
 * the package is sent (an input changed since: the approval check or the distribution said so), it
 * builds a new version if the inputs still differ from the last one's, else does nothing.
 */
export async function compilePackage(deps: PackagingDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  if (cycle.packageHash && cycle.phase === 'AWAITING_DISTRIBUTION') {
    ({ cycle } = await currentPackage(deps, cycle, await programmeOf(deps, cycle), now));
    return viewOf(cycle);
  }
  if (
    cycle.packageHash &&
    CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_DISTRIBUTION')
  ) {
    return viewOf(cycle);
  }
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

/**
 * Sends the approved package and the meeting invitation to the attendees. A package built before an
 * input changed (a late or corrected answer) is not sent: `packageApproved: false` takes the workflow
 * back to the approval check, which has CompilePackage build the new version and asks about it.
 */
export async function distributePackage(
  deps: MailingDeps<'packageDistribution'>,
  cycleId: string,
): Promise<CycleView & { packageApproved: boolean }> {
  let cycle = await loadCycle(deps, cycleId);
  const programme = await programmeOf(deps, cycle);
  if (cycle.phase === 'AWAITING_DISTRIBUTION') {
    const now = deps.clock.now();
    const events = await deps.repo.listEvents(cycleId);
    const stored = latestPackage(events);
    if (!stored) throw new PackageSourceMissing(`cycle ${cycleId} has no package built yet`);
    // The gate again; only an approved version of the inputs as they are now goes to top management.
    const changed = await changedInputs(deps.repo, cycleId, stored, now);
    if (changed.length || !packageApproved(programme, events, stored.version)) {
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
