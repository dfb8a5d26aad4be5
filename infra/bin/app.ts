/**
 * The CDK app `cdk synth` / `cdk deploy` run (cdk.json: `npx tsx infra/bin/app.ts`).
 *
 * Reads the review programme named by context `isms-review:programmeFile` (default
 * programme.example.yaml, relative to the repository root), builds the stack from it, and checks it
 * with cdk-nag: synthesis fails on any finding that is not acknowledged with a reason.
 * Optional context: `isms-review:stackName` (default IsmsReview).
 */
import { isAbsolute, join } from 'node:path';
import { repoRoot } from '#infra/constructs/isms-function.ts';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';

const { app } = createIsmsReviewApp({
  programme: (context) => {
    const file = String(context('isms-review:programmeFile') ?? 'programme.example.yaml');
    return loadProgrammeFile(isAbsolute(file) ? file : join(repoRoot, file));
  },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
