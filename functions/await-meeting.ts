// functions/await-meeting.ts: parks the workflow's task token until the meeting, woken when it moves (never logs the token).
import * as z from 'zod';
import { awaitMeeting } from '#shared/cycle/service.ts';
import { UtcTimestamp } from '#shared/model/common.ts';
import { clock } from '#shared/wiring/clock.ts';
import { TokenTaskEvent, lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { workflow } from '#shared/wiring/workflow.ts';

/** The meeting time the wait's timeout was worked out for ($.cycle.meetingAt). */
export const MeetingTokenEvent = z.looseObject({ ...TokenTaskEvent.shape, meetingAt: UtcTimestamp });

export const handler = lambdaHandler({
  event: MeetingTokenEvent,
  deps: { repo: repository, clock, workflow },
  run: (deps, { cycleId, taskToken, meetingAt }) => awaitMeeting(deps, { cycleId, taskToken, meetingAt }),
  report: ({ resumed }, { logger }) => {
    if (resumed) logger.info('the meeting moved or began before the wait parked: resumed at once');
  },
});
