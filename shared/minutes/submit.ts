/**
 * Minutes from a file (`minutes submit <cycle> --file <file.yaml>`): the same validation and
 * acceptance as an emailed reply (acceptMinutes), then the waiting workflow is resumed exactly once,
 * as the email path does: whichever of the two (or a repeat of either) completes the parked task
 * first sends the task success; the others find it completed and send nothing.
 */
import type { Clock } from '../clock.ts';
import type { WorkflowPort } from '../store/workflow.ts';
import { ProgrammeSchema } from '../programme/schema.ts';
import { ismsManager, programmeCatalogue } from '../programme/queries.ts';
import { NotFound, type ReviewRepository } from '../store/repository.ts';
import { acceptMinutes, type AcceptMinutesResult } from './accept.ts';

export interface SubmitMinutesDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  readonly workflow: WorkflowPort;
}

export interface SubmitMinutesInput {
  readonly cycleId: string;
  readonly text: string;
  /** The file the minutes came from (recorded as their source). */
  readonly fileName?: string;
  /** Who submits them; default the ISMS manager of the cycle's programme. */
  readonly submittedBy?: string;
}

export type SubmitMinutesResult = AcceptMinutesResult & { readonly resumed?: boolean };

export async function submitMinutes(
  deps: SubmitMinutesDeps,
  input: SubmitMinutesInput,
): Promise<SubmitMinutesResult> {
  const cycle = await deps.repo.getCycle(input.cycleId);
  if (!cycle) {
    throw new NotFound('cycle', input.cycleId, 'check the id with `isms-review cycle list`');
  }
  const stored = await deps.repo.getProgrammeVersion(cycle.programme.programmeId, cycle.programme.version);
  if (!stored) {
    throw new NotFound(
      'programme version',
      `${cycle.programme.programmeId} v${cycle.programme.version}`,
      `cycle ${cycle.id} runs under it; apply the programme again`,
    );
  }
  const programme = ProgrammeSchema.parse(stored.document);
  const result = await acceptMinutes(
    { repo: deps.repo, clock: deps.clock },
    {
      cycleId: cycle.id,
      text: input.text,
      submittedBy: input.submittedBy ?? ismsManager(programme).id,
      source: { channel: 'cli', ...(input.fileName ? { fileName: input.fileName } : {}) },
      programme,
      catalogueKeys: programmeCatalogue(programme).map((i) => i.key),
    },
  );
  if (!result.ok) return result;
  const task = await deps.repo.completeParkedTask(cycle.id, 'minutes', deps.clock.now().toISOString());
  if (task) await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId: cycle.id, purpose: 'minutes' });
  return { ...result, resumed: Boolean(task) };
}
