/**
 * The stack's CloudFormation template as `cdk synth` builds it from a programme, without bundling
 * the functions (the resources are the same; only their code assets are left out): what the fixed
 * monthly cost is counted from (cost.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIsmsReviewApp, skipBundlingContext } from '#infra/stacks/app.ts';
import type { StackProgramme } from '#infra/stacks/isms-review-stack.ts';
import type { TemplateResources } from './cost.ts';

export function synthesizeTemplate(programme: StackProgramme): TemplateResources {
  const outdir = mkdtempSync(join(tmpdir(), 'isms-review-template-'));
  try {
    const { app, stack } = createIsmsReviewApp({
      programme,
      context: skipBundlingContext,
      outdir,
      nag: false,
      cloudFormationValidation: false,
    });
    return app.synth().getStackByName(stack.stackName).template as TemplateResources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
