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
  organisation: { id: 'nordlicht', name: 'Nordlicht Versicherung AG', timeZone: 'Europe/Berlin' },
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

export interface Statement {
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

/** One state of an ASL (JSONPath) definition, as far as the assertions read it. */
export interface AslState {
  readonly Type: string;
  readonly QueryLanguage?: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Retry?: ReadonlyArray<{
    readonly ErrorEquals: string[];
    readonly IntervalSeconds?: number;
    readonly MaxAttempts?: number;
    readonly BackoffRate?: number;
    readonly MaxDelaySeconds?: number;
    readonly JitterStrategy?: string;
  }>;
  readonly Catch?: ReadonlyArray<{
    readonly ErrorEquals: string[];
    readonly Next: string;
    readonly ResultPath?: string | null;
  }>;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly TimestampPath?: string;
  readonly Seconds?: number;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Next: string }>;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly QueryLanguage?: string;
  readonly TimeoutSeconds?: number;
}

/** How a CloudFormation reference appears in a definition read by `stateMachineDefinition`. */
export function cfnPlaceholder(reference: { Ref: string } | { 'Fn::GetAtt': [string, string] }): string {
  return 'Ref' in reference ? `\${${reference.Ref}}` : `\${${reference['Fn::GetAtt'].join('.')}}`;
}

/**
 * The definition of a state machine resource, parsed. CDK writes `DefinitionString` as a plain string
 * or as `Fn::Join` of string pieces and references (`Fn::GetAtt [fn, Arn]`, `Ref AWS::Partition`);
 * each reference becomes its `cfnPlaceholder` (e.g. `${OpenCycleFunction6CF11AC8.Arn}`), so an
 * assertion can name exactly the resource a state uses. Any other intrinsic is refused.
 */
export function stateMachineDefinition(template: Template, machineId: string): AslDefinition {
  const definition = resource(template, machineId).Properties?.DefinitionString;
  const piece = (part: unknown): string => {
    if (typeof part === 'string') return part;
    if (part && typeof part === 'object') {
      const keys = Object.keys(part);
      const value = (part as Record<string, unknown>)[keys[0] ?? ''];
      if (keys.length === 1 && keys[0] === 'Ref' && typeof value === 'string')
        return cfnPlaceholder({ Ref: value });
      if (
        keys.length === 1 &&
        keys[0] === 'Fn::GetAtt' &&
        Array.isArray(value) &&
        value.length === 2 &&
        value.every((entry) => typeof entry === 'string')
      ) {
        return cfnPlaceholder({ 'Fn::GetAtt': value as [string, string] });
      }
    }
    throw new Error(`Unexpected part in the DefinitionString of ${machineId}: ${JSON.stringify(part)}`);
  };
  let text: string;
  if (typeof definition === 'string') {
    text = definition;
  } else {
    const join = (definition as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
    if (!Array.isArray(join) || join.length !== 2 || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
      throw new Error(`The DefinitionString of ${machineId} is neither a string nor an Fn::Join`);
    }
    text = (join[1] as unknown[]).map(piece).join(join[0]);
  }
  return JSON.parse(text) as AslDefinition;
}

/** An IAM wildcard pattern (`*` any run of characters, `?` one character) as a regular expression. */
function wildcard(pattern: string, flags: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/** Whether an IAM action pattern (`kms:*`, `s3:Put*`, `s3:PutObject`) covers `action` (case-insensitive, as IAM). */
export function actionCovers(pattern: string, action: string): boolean {
  return wildcard(pattern, 'i').test(action);
}

/** Whether a statement's actions (wildcards included) cover `action`. */
export function statementCovers(statement: Statement, action: string): boolean {
  return actionsOf(statement).some((pattern) => actionCovers(pattern, action));
}

/** Every IAM policy statement in the template, with the logical ids of the roles it is attached to. */
export function allPolicyStatements(template: Template): Array<{ roles: string[]; statement: Statement }> {
  return resourcesOfType(template, 'AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = ((policy.Properties?.Roles as Array<{ Ref?: string }> | undefined) ?? []).map(
      (role) => role.Ref ?? JSON.stringify(role),
    );
    return policyStatements(policy.Properties?.PolicyDocument).map((statement) => ({ roles, statement }));
  });
}

/**
 * The object-key pattern of an S3 object ARN in a statement resource that belongs to `bucketId`
 * (`{"Fn::Join": ["", [{"Fn::GetAtt": [bucketId, "Arn"]}, "/anchors/*"]]}` gives `anchors/*`), or
 * undefined when the resource is not an object ARN of that bucket.
 */
export function objectPatternOf(resourceJson: unknown, bucketId: string): string | undefined {
  const join = (resourceJson as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1]) || join[1].length !== 2)
    return undefined;
  const [arn, suffix] = join[1];
  if (JSON.stringify(arn) !== JSON.stringify({ 'Fn::GetAtt': [bucketId, 'Arn'] })) return undefined;
  return typeof suffix === 'string' && suffix.startsWith('/') ? suffix.slice(1) : undefined;
}

/** Whether an S3 key pattern (`*` matches anything, `/` included) covers `key`. */
export function keyPatternCovers(pattern: string, key: string): boolean {
  return wildcard(pattern, '').test(key);
}
