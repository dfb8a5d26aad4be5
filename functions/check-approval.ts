// functions/check-approval.ts: tells whether the package (ISMS manager) or the minutes (chair) are approved; otherwise asks, reminds, escalates.
import * as z from 'zod';
import { APPROVAL_SUBJECTS, checkApproval } from '#shared/cycle/service.ts';
import { CycleId } from '#shared/model/ids.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { approvalNotifier } from '#shared/wiring/approval-notifier.ts';
import { minutesArchive } from '#shared/wiring/minutes-archive.ts';
import { repository } from '#shared/wiring/repository.ts';

export const ApprovalStepEvent = z.looseObject({
  cycleId: CycleId,
  subject: z.enum(APPROVAL_SUBJECTS, { error: 'expected the subject of the approval: package or minutes' }),
});

export const handler = lambdaHandler({
  event: ApprovalStepEvent,
  deps: { repo: repository, clock, notifier: approvalNotifier, packages: minutesArchive },
  run: (deps, { cycleId, subject }) => checkApproval(deps, { cycleId, subject }),
});
