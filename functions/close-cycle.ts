// functions/close-cycle.ts: seals the cycle once every action is closed or carried over.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { closeCycle } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(closeCycle);
