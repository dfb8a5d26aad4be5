/**
 * Helpers for template assertions on IsmsReviewStack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { repoRoot } from '#infra/constructs/isms-function.ts';
import { skipBundlingContext } from '#infra/stacks/app.ts';
import type { StackProgramme } from '#infra/stacks/isms-review-stack.ts';

/** The context `cdk synth` gets from cdk.json (feature flags included), with bundling skipped. */
export function testContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, ...skipBundlingContext };
}

/** A programme with values that differ from every default, so a pin cannot pass by accident. */
export const testProgramme: StackProgramme = {
  organisation: { name: 'Nordlicht Versicherung AG', timeZone: 'Europe/Berlin' },
  schedule: {
    reviews: [
      { type: 'quarterly', cron: 'cron(30 8 ? 2,5,8 MON#1 *)', meetingAfterDays: 21 },
      { type: 'annual', cron: 'cron(0 10 15 11 ? *)', meetingAfterDays: 30, comprehensive: true },
    ],
  },
  mail: { fromAddress: 'management-review@nordlicht.example', inboundDomain: 'antwort.nordlicht.example' },
  evidence: { retentionDays: 3650 },
};

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string[];
}

export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(element);
  return stack.resolve(stack.getLogicalId(element)) as string;
}

export function resourcesOfType(template: Template, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(template.findResources(type)) as Array<[string, CfnResourceJson]>;
}

export function resource(template: Template, id: string): CfnResourceJson {
  const found = (template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources[id];
  if (!found) throw new Error(`No resource ${id} in the template`);
  return found;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

/** Every statement of the IAM policies attached to a role (by the role's logical id). */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

export function policyStatements(document: unknown): Statement[] {
  return (document as { Statement: Statement[] }).Statement;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Resources of a statement as JSON strings (CloudFormation intrinsics included), for matching. */
export function resourcesOf(statement: Statement): string[] {
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return resources.map((entry) => JSON.stringify(entry));
}
