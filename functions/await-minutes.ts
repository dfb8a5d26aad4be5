// functions/await-minutes.ts: parks the workflow's task token until valid minutes are accepted (never logs the token).
import { TokenTaskEvent, lambdaHandler } from '#shared/adapters/handler.ts';
import { awaitPeople } from '#shared/cycle/service.ts';

export const handler = lambdaHandler(TokenTaskEvent, (deps, { cycleId, taskToken }) =>
  awaitPeople(deps, { cycleId, taskToken, purpose: 'minutes' }),
);
