/**
 * cdk-nag wiring (cdk-nag 3: rule packs are CDK policy-validation plugins).
 *
 * `applyNagPacks(app)` registers the AWS Solutions and Serverless packs; `cdk synth` then fails on
 * any finding that is not acknowledged. Acknowledgements are made next to the resource they concern
 * with `Validations.of(construct).acknowledge({ id, reason })`, each with its own reason.
 * `unacknowledgedFindings(scope)` runs the same packs directly, for tests.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { App, PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { NagPack } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope)];
}

export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: readonly string[];
}

/** Every finding of the packs that no acknowledgement covers, warnings included. */
export function unacknowledgedFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.map((violation: PolicyViolation) => ({
      rule: violation.ruleName,
      severity: violation.severity ?? 'error',
      description: violation.description,
      paths: violation.violatingResources.map((resource) => resource.constructPath ?? '?'),
    })),
  );
}

/**
 * The finding id cdk-nag gives a wildcard resource in an IAM statement, e.g.
 * `Resource::<TableCD117FA1.Arn>/index/*` for `${table.tableArn}/index/*`, computed with cdk-nag's
 * own flattening so that an acknowledgement names exactly the wildcard it accepts.
 */
export function nagResourceFinding(scope: IConstruct, resource: string): string {
  return `Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}`;
}
