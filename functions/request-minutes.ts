// functions/request-minutes.ts: asks the ISMS manager for the minutes after the meeting, with the template.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { requestMinutes } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(requestMinutes);
