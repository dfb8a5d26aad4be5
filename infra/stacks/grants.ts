/**
 * How the stack gives a registry function one of its grants (FunctionGrant in infra/functions.ts):
 * each part of the stack (storage, anchoring, mail, workflow) answers for the grants on its own
 * resources, and these helpers write the statements into the function's role.
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import type { FunctionGrant } from '#infra/functions.ts';
import { nagResourceFinding } from '#infra/nag.ts';

/** Gives one function one grant. */
export type Granter = (fn: IsmsFunction) => void;

/** The granters of one part of the stack, by the grants it answers for. */
export type Granters<G extends FunctionGrant> = { readonly [K in G]: Granter };

/** Allows `actions` on `resources` in the role's own policy. */
export function allow(role: iam.IRole, actions: string[], resources: string[]): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/** A statement on a wildcard resource, acknowledged by that exact resource with its reason. */
export function allowWildcard(role: iam.IRole, actions: string[], resource: string, reason: string): void {
  allow(role, actions, [resource]);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[${nagResourceFinding(role, resource)}]`,
    reason,
  });
}
