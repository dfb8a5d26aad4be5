/**
 * What every phase of the review cycle shares: the view the state machine's Wait states read, the
 * named errors, loading the cycle and the programme version it runs on, and moving the cycle forward
 * one recorded phase at a time.
 */
import { CYCLE_PHASES, transition, type Cycle, type CyclePhase } from '../model/cycle.ts';
import { ProgrammeSchema, type Programme } from '../programme/schema.ts';
import type { CycleDeps, StoreDeps } from './ports.ts';

export interface CycleView {
  readonly cycleId: string;
  readonly phase: CyclePhase;
  readonly inputsDueAt: string;
  readonly packageSendAt: string;
  readonly meetingAt: string;
}

export class ProgrammeNotApplied extends Error {
  override name = 'ProgrammeNotApplied' as const;
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

export async function programmeOf(
  deps: Pick<CycleDeps, 'repo'>,
  cycle: Pick<Cycle, 'programme'>,
): Promise<Programme> {
  const { programmeId, version } = cycle.programme;
  const stored = await deps.repo.getProgrammeVersion(programmeId, version);
  if (!stored) throw new ProgrammeNotApplied(`programme ${programmeId} version ${version} is not stored`);
  return ProgrammeSchema.parse(stored.document);
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
