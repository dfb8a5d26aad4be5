// functions/request-inputs.ts: emails each input owner one request for all their inputs.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { requestInputs } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(requestInputs);
