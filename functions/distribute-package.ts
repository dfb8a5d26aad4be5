// functions/distribute-package.ts: emails the frozen package and the calendar invitation to every attendee.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { distributePackage } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(distributePackage);
