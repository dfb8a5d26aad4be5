// functions/compile-package.ts: builds, hashes and freezes the review package from the recorded inputs.
import { compilePackage } from '#shared/cycle/service.ts';
import { cycleStepHandler } from '#shared/wiring/handler.ts';
import { clock } from '#shared/wiring/clock.ts';
import { packageStore } from '#shared/wiring/package-store.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = cycleStepHandler({ repo: repository, clock, packages: packageStore }, compilePackage);
