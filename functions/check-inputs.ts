// functions/check-inputs.ts: sends due input reminders and escalations; at the deadline marks missing inputs not provided.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { checkInputs } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(checkInputs);
