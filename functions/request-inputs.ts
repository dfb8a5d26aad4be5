// functions/request-inputs.ts: emails each input owner one request for all their inputs.
import { requestInputs } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { inputNotifier } from '#shared/wiring/input-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler({ repo: repository, clock, notifier: inputNotifier }, requestInputs);
