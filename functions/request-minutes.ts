// functions/request-minutes.ts: asks the ISMS manager for the minutes after the meeting, with the template.
import { requestMinutes } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { minutesNotifier } from '#shared/wiring/minutes-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler(
  { repo: repository, clock, notifier: minutesNotifier },
  requestMinutes,
);
