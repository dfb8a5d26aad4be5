/**
 * What every phase of the review cycle shares: the view the state machine's Wait states read, the
 * named errors, loading the cycle and the programme version it runs on, and moving the cycle forward
 * one recorded phase at a time.
 */
import { CYCLE_PHASES, transition, type Cycle, type CyclePhase } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { programmeVersion } from '../store/stored-programme.ts';

export { ProgrammeNotApplied } from '../store/stored-programme.ts';
import type { CycleDeps, StoreDeps } from './ports.ts';

export interface CycleView {
  readonly cycleId: string;
  readonly phase: CyclePhase;
  readonly inputsDueAt: string;
  readonly packageSendAt: string;
  readonly meetingAt: string;
}

export class CycleNotFound extends Error {
  override name = 'CycleNotFound' as const;
}
export class InvalidStartRequest extends Error {
  override name = 'InvalidStartRequest' as const;
}

export const viewOf = (cycle: Cycle): CycleView => ({
  cycleId: cycle.id,
  phase: cycle.phase,
  inputsDueAt: cycle.inputsDueAt,
  packageSendAt: cycle.packageSendAt,
  meetingAt: cycle.plannedMeetingAt,
});

export const SYSTEM = 'system' as const;
export const iso = (date: Date) => date.toISOString();

export async function loadCycle(deps: Pick<CycleDeps, 'repo'>, cycleId: string): Promise<Cycle> {
  const cycle = await deps.repo.getCycle(cycleId);
  if (!cycle) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  return cycle;
}

/** The programme version the cycle runs on (ProgrammeNotApplied when it is not stored). */
export function programmeOf(
  deps: Pick<CycleDeps, 'repo'>,
  cycle: Pick<Cycle, 'programme'>,
): Promise<Programme> {
  return programmeVersion(deps.repo, cycle.programme);
}

/** The cycle and the programme version it runs on: what nearly every step starts from. */
export async function loadCycleContext(
  deps: Pick<CycleDeps, 'repo'>,
  cycleId: string,
): Promise<{ cycle: Cycle; programme: Programme }> {
  const cycle = await loadCycle(deps, cycleId);
  return { cycle, programme: await programmeOf(deps, cycle) };
}

/**
 * Moves the cycle forward to `to`, one recorded step at a time; a cycle already there (or past it)
 * is returned as it is, which is what makes a repeated phase harmless.
 */
export async function advance(
  deps: StoreDeps,
  cycle: Cycle,
  to: CyclePhase,
  data: Record<string, unknown> = {},
): Promise<Cycle> {
  let current = cycle;
  const target = CYCLE_PHASES.indexOf(to);
  while (current.phase !== 'FAILED' && CYCLE_PHASES.indexOf(current.phase) < target) {
    const next = CYCLE_PHASES[CYCLE_PHASES.indexOf(current.phase) + 1]!;
    const now = deps.clock.now();
    const moved = transition(current, next, now);
    ({ cycle: current } = await deps.repo.updateCycle(moved, {
      event: {
        type: 'cycle.phase_changed',
        at: iso(now),
        actor: SYSTEM,
        data: { from: current.phase, to: next, ...data },
      },
    }));
  }
  return current;
}
