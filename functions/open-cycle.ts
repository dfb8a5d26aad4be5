// functions/open-cycle.ts: creates the cycle and its input requests, snapshots the programme, carries open actions into input (a).
import { z } from 'zod';
import { lambdaHandler } from '#shared/adapters/handler.ts';
import { openCycle } from '#shared/cycle/service.ts';

export const handler = lambdaHandler(z.unknown(), (deps, event) =>
  openCycle(deps, event, { programmeId: process.env.PROGRAMME_ID }),
);
