// functions/compile-package.ts: builds, hashes and freezes the review package from the recorded inputs.
import { cycleStepHandler } from '#shared/adapters/handler.ts';
import { compilePackage } from '#shared/cycle/service.ts';

export const handler = cycleStepHandler(compilePackage);
