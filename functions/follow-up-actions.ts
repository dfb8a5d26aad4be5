// functions/follow-up-actions.ts: reminds action owners and escalates overdue actions along the ladder.
import { followUpActions } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { actionNotifier } from '#shared/wiring/action-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler(
  { repo: repository, clock, notifier: actionNotifier },
  followUpActions,
);
