// functions/record-outcomes.ts: distributes the accepted minutes and starts following the actions up.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { recordOutcomes } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(recordOutcomes);
