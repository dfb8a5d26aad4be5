// functions/await-approval.ts: parks the workflow's task token until the package or the minutes are answered (never logs the token).
import * as z from 'zod';
import { APPROVAL_SUBJECTS, awaitPeople } from '#shared/cycle/service.ts';
import { APPROVAL_PURPOSES } from '#shared/cycle/approvals.ts';
import { CycleId } from '#shared/model/ids.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { workflow } from '#shared/wiring/workflow.ts';

export const ApprovalTokenEvent = z.looseObject({
  cycleId: CycleId,
  taskToken: z.string().min(1),
  subject: z.enum(APPROVAL_SUBJECTS, { error: 'expected the subject of the approval: package or minutes' }),
  /** The stamp of the cycle's dates its timeout was worked out for ($.approval.stamp): a move since resumes at once. */
  stamp: z.optional(z.string().min(1)),
});

export const handler = lambdaHandler({
  event: ApprovalTokenEvent,
  deps: { repo: repository, clock, workflow },
  run: (deps, { cycleId, taskToken, subject, stamp }) =>
    awaitPeople(deps, { cycleId, taskToken, purpose: APPROVAL_PURPOSES[subject], stamp }),
});
