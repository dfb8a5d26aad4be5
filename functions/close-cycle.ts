// functions/close-cycle.ts: seals the cycle once every action is closed or carried over.
import { closeCycle } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler({ repo: repository, clock }, closeCycle);
