// functions/check-minutes.ts: tells whether minutes were accepted; otherwise reminds the ISMS manager, then the chair.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { checkMinutes } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(checkMinutes);
