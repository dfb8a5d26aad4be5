// functions/distribute-package.ts: emails the frozen package and the calendar invitation to every attendee.
import { distributePackage } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { repository } from '#shared/wiring/repository.ts';
import { packageNotifier } from '#shared/wiring/package-notifier.ts';

export const handler = cycleStepHandler(
  { repo: repository, clock, notifier: packageNotifier },
  distributePackage,
);
