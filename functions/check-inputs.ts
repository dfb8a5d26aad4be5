// functions/check-inputs.ts: sends due input reminders and escalations; at the deadline marks missing inputs not provided.
import { checkInputs } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { inputNotifier } from '#shared/wiring/input-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler({ repo: repository, clock, notifier: inputNotifier }, checkInputs);
