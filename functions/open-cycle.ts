// functions/open-cycle.ts: creates the cycle and its input requests, snapshots the programme, carries open actions into input (a).
import * as z from 'zod';
import { openCycle } from '#shared/cycle/service.ts';
import { clock } from '#shared/wiring/clock.ts';
import { environment } from '#shared/wiring/wiring.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';

// The request is checked by openCycle itself (OpenCycleRequest), which names what is wrong.
export const handler = lambdaHandler({
  event: z.unknown(),
  deps: { repo: repository, clock, env: environment },
  run: (deps, event) => openCycle(deps, event, { programmeId: deps.env.PROGRAMME_ID }),
});
