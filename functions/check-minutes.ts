// functions/check-minutes.ts: tells whether minutes were accepted; otherwise reminds the ISMS manager, then the chair.
import { checkMinutes } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { minutesNotifier } from '#shared/wiring/minutes-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler({ repo: repository, clock, notifier: minutesNotifier }, checkMinutes);
