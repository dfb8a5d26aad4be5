// functions/await-inputs.ts: parks the workflow's task token until the last input arrives (never logs the token).
import { TokenTaskEvent, lambdaHandler } from '#shared/adapters/handler.ts';
import { awaitPeople } from '#shared/cycle/service.ts';

export const handler = lambdaHandler(TokenTaskEvent, (deps, { cycleId, taskToken }) =>
  awaitPeople(deps, { cycleId, taskToken, purpose: 'inputs' }),
);
