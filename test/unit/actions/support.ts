/**
 * A cycle whose minutes (the fixtures', edited as a test needs) were taken in a memory world: the
 * set-up the action use-case tests share.
 */
import { submitMinutes } from '#shared/minutes/submit.ts';
import type { Action } from '#shared/model/action.ts';
import type { MemoryWorld } from '#test/support/memory-world.ts';
import { theCycle, VALID_MINUTES } from '#test/unit/minutes/support.ts';

/**
 * Opens a cycle of the world's current programme `programmeId` and takes `minutes` in it (refused
 * minutes throw). Returns the cycle's id and the actions the minutes recorded.
 */
export async function cycleWithMinutes(
  w: MemoryWorld,
  programmeId: string,
  minutes: string = VALID_MINUTES,
): Promise<{ cycleId: string; actions: Action[] }> {
  const applied = await w.repo.getCurrentProgramme(programmeId);
  if (!applied) throw new Error(`the world has no programme ${programmeId}`);
  const draft = theCycle({ programmeId, programme: { programmeId, version: 1, hash: applied.hash } });
  await w.repo.createCycle(draft, [], {
    event: { type: 'cycle.opened', at: draft.openedAt, actor: 'system', data: {} },
  });
  const submitted = await submitMinutes(w.deps, {
    cycleId: draft.id,
    text: minutes,
    fileName: 'minutes.yaml',
  });
  if (!submitted.ok) throw new Error(`the minutes were refused: ${submitted.problems.join('; ')}`);
  return { cycleId: draft.id, actions: await w.repo.listActionsOfCycle(draft.id) };
}
