// functions/await-minutes.ts: parks the workflow's task token until valid minutes are accepted (never logs the token).
import { awaitPeople } from '#shared/cycle/service.ts';
import { clock } from '#shared/wiring/clock.ts';
import { TokenTaskEvent, lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { workflow } from '#shared/wiring/workflow.ts';

export const handler = lambdaHandler({
  event: TokenTaskEvent,
  deps: { repo: repository, clock, workflow },
  run: (deps, { cycleId, taskToken }) => awaitPeople(deps, { cycleId, taskToken, purpose: 'minutes' }),
});
