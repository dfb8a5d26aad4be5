// functions/record-outcomes.ts: distributes the accepted minutes and starts following the actions up.
import { recordOutcomes } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { minutesArchive } from '#shared/wiring/minutes-archive.ts';
import { repository } from '#shared/wiring/repository.ts';
import { minutesDistributionNotifier } from '#shared/wiring/minutes-distribution-notifier.ts';

export const handler = cycleStepHandler(
  { repo: repository, clock, packages: minutesArchive, notifier: minutesDistributionNotifier },
  recordOutcomes,
);
