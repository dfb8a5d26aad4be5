/**
 * Builds the CDK app: feature flags, the one stack, and the cdk-nag packs.
 * Used by infra/bin/app.ts (what `cdk synth` runs) and by the template tests, so both build the
 * same thing.
 */
import { App } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { FunctionSpec } from '#infra/functions.ts';
import { applyNagPacks } from '#infra/nag.ts';
import { IsmsReviewStack } from './isms-review-stack.ts';
import type { StackProgramme } from './isms-review-stack.ts';

/**
 * CDK feature flags this stack is written against (behaviour of newer CDK versions; see
 * aws-cdk-lib/recommended-feature-flags.json). Set on the app so `cdk synth` and the tests agree;
 * a value in cdk.json's context takes precedence.
 */
export const featureFlags: Record<string, unknown> = {
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  '@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages': true,
  '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true,
  '@aws-cdk/aws-events:requireEventBusPolicySid': true,
};

/** Context that skips asset bundling (template tests: seconds instead of minutes). */
export const skipBundlingContext = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface CreateAppOptions {
  /** The programme, or how to load it from the app's context (cdk.json, `-c key=value`). */
  readonly programme: StackProgramme | ((context: (key: string) => unknown) => StackProgramme);
  /** Extra app context (wins over the feature flags). */
  readonly context?: Record<string, unknown>;
  /** Register the cdk-nag packs so synthesis fails on unacknowledged findings; default true. */
  readonly nag?: boolean;
  /** Default: context `isms-review:stackName`, else `IsmsReview`. */
  readonly stackName?: string;
  readonly env?: StackProps['env'];
  readonly functions?: readonly FunctionSpec[];
  readonly outdir?: string;
  /**
   * Run CDK's built-in CloudFormation template validation at synthesis; default true. The template
   * tests switch it off to stay fast (it takes seconds and is not what they check).
   */
  readonly cloudFormationValidation?: boolean;
}

export function createIsmsReviewApp(options: CreateAppOptions): { app: App; stack: IsmsReviewStack } {
  const app = new App({
    context: { ...featureFlags, ...options.context },
    outdir: options.outdir,
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
  });
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const programme = typeof options.programme === 'function' ? options.programme(context) : options.programme;
  const stackName =
    options.stackName ?? (context('isms-review:stackName') as string | undefined) ?? 'IsmsReview';
  const stack = new IsmsReviewStack(app, stackName, {
    programme,
    functions: options.functions,
    env: options.env,
    description: 'isms-review: ISO/IEC 27001 clause 9.3 management reviews, run end to end',
  });
  if (options.nag ?? true) applyNagPacks(app);
  return { app, stack };
}
