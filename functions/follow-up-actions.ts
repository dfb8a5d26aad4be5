// functions/follow-up-actions.ts: reminds action owners and escalates overdue actions along the ladder.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { followUpActions } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(followUpActions);
