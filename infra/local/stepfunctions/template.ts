/**
 * Reads the state machine definition out of a synthesized CloudFormation template (what `cdk synth`
 * writes), so the local runtime runs the very definition that AWS runs.
 *
 * CDK emits `DefinitionString` as `Fn::Join` of string pieces and intrinsics: `Fn::GetAtt [fn, Arn]`
 * and `Ref` of the Lambda functions, and `Ref` of the pseudo parameters AWS::Partition / Region /
 * AccountId. Each is resolved to a local value:
 *
 *   Fn::GetAtt [<Lambda function>, Arn]   arn:aws:lambda:local:000000000000:function:<LogicalId>
 *   Ref <Lambda function>                 <LogicalId>  (a function name, as on AWS)
 *   Ref / GetAtt Arn of a Version/Alias   the function's local ARN + ':<version or alias name>'
 *   Ref AWS::Partition / Region / AccountId / URLSuffix / StackName   aws / local / 000000000000 / amazonaws.com / local
 *   any other Ref / GetAtt                 `resolveOther` if given, else the logical id / a local ARN
 *
 * `Fn::Sub` (string or [string, variables]) and `DefinitionSubstitutions` (`${name}` placeholders) are
 * resolved too. Each Lambda function's handler file comes from its CloudFormation metadata key
 * `isms-review:entry` (written by IsmsFunction), e.g. `functions/ingest-email.ts`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TemplateDefinitionError } from './errors.ts';

export const ENTRY_METADATA_KEY = 'isms-review:entry';
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_PARTITION = 'aws';

/** The local ARN that stands for a Lambda function of the template. */
export function localFunctionArn(logicalId: string): string {
  return `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

export interface LocalFunction {
  /** Handler file relative to the repository root (metadata `isms-review:entry`); absent for CDK's own functions. */
  entry?: string;
  /** The function's configured timeout in seconds (CloudFormation default 3), for the handler's context. */
  timeoutSeconds?: number;
}

export interface LoadedDefinition {
  /** The ASL definition (JSONPath) with every Lambda reference replaced by its local ARN. */
  definition: AslDefinition;
  /** Every AWS::Lambda::Function of the template, by logical id. */
  functions: Map<string, LocalFunction>;
  /** The logical id of the state machine resource read. */
  stateMachineLogicalId: string;
}

/** The top of an ASL definition; states are checked by the runtime. */
export const AslDefinitionSchema = z.looseObject({
  StartAt: z.string().min(1),
  States: z.record(z.string(), z.looseObject({ Type: z.string() })),
  Comment: z.string().optional(),
  TimeoutSeconds: z.number().int().positive().optional(),
  QueryLanguage: z.string().optional(),
});
export type AslDefinition = z.infer<typeof AslDefinitionSchema>;

const ResourceSchema = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
  Metadata: z.record(z.string(), z.unknown()).optional(),
});
const TemplateSchema = z.looseObject({ Resources: z.record(z.string(), ResourceSchema) });
type Resource = z.infer<typeof ResourceSchema>;

export interface LoadDefinitionOptions {
  /** Which state machine, when the template has more than one. */
  stateMachineLogicalId?: string;
  /** Value for a Ref / GetAtt of a resource that is not a Lambda function (e.g. a table name). */
  resolveOther?: (logicalId: string, resourceType: string, attribute?: string) => string | undefined;
}

/** Loads the definition from a template object or the path of a template JSON file. */
export function loadDefinitionFromTemplate(
  template: object | string,
  opts: LoadDefinitionOptions = {},
): LoadedDefinition {
  const raw: unknown = typeof template === 'string' ? readTemplateFile(template) : template;
  const parsed = TemplateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateDefinitionError(
      `Not a CloudFormation template (no Resources object): ${z.prettifyError(parsed.error)}`,
    );
  }
  const resources = parsed.data.Resources;

  const machines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  let chosen: [string, Resource] | undefined;
  if (opts.stateMachineLogicalId !== undefined) {
    chosen = machines.find(([id]) => id === opts.stateMachineLogicalId);
    if (!chosen) {
      throw new TemplateDefinitionError(
        `No AWS::StepFunctions::StateMachine with logical id ${opts.stateMachineLogicalId}; ` +
          `the template has: ${machines.map(([id]) => id).join(', ') || 'none'}.`,
      );
    }
  } else if (machines.length === 1) {
    chosen = machines[0];
  } else {
    throw new TemplateDefinitionError(
      machines.length === 0
        ? 'The template has no AWS::StepFunctions::StateMachine resource.'
        : `The template has ${machines.length} state machines (${machines.map(([id]) => id).join(', ')}); ` +
            'pass stateMachineLogicalId to choose one.',
    );
  }
  const [stateMachineLogicalId, machine] = chosen as [string, Resource];

  const functions = new Map<string, LocalFunction>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    const timeout = resource.Properties?.['Timeout'];
    const local: LocalFunction = {};
    if (typeof entry === 'string' && entry.length > 0) local.entry = entry;
    if (typeof timeout === 'number') local.timeoutSeconds = timeout;
    functions.set(id, local);
  }

  const resolver = new IntrinsicResolver(resources, opts.resolveOther);
  const props = machine.Properties ?? {};
  let text: string;
  if (props['DefinitionString'] !== undefined) {
    const resolved = resolver.resolve(props['DefinitionString'], `${stateMachineLogicalId}.DefinitionString`);
    if (typeof resolved !== 'string') {
      throw new TemplateDefinitionError(
        `${stateMachineLogicalId}.DefinitionString does not resolve to a string.`,
      );
    }
    text = resolved;
  } else if (props['Definition'] !== undefined) {
    text = JSON.stringify(resolver.resolve(props['Definition'], `${stateMachineLogicalId}.Definition`));
  } else if (props['DefinitionS3Location'] !== undefined) {
    throw new TemplateDefinitionError(
      `${stateMachineLogicalId} keeps its definition in S3 (DefinitionS3Location); synthesize it inline.`,
    );
  } else {
    throw new TemplateDefinitionError(`${stateMachineLogicalId} has no DefinitionString or Definition.`);
  }

  const substitutions = props['DefinitionSubstitutions'];
  if (substitutions !== undefined) {
    const values = z.record(z.string(), z.unknown()).safeParse(substitutions);
    if (!values.success) {
      throw new TemplateDefinitionError(`${stateMachineLogicalId}.DefinitionSubstitutions is not an object.`);
    }
    text = text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (!(name in values.data)) return whole;
      const value = resolver.resolve(values.data[name], `DefinitionSubstitutions.${name}`);
      return typeof value === 'string' ? value : JSON.stringify(value);
    });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TemplateDefinitionError(
      `${stateMachineLogicalId}'s definition is not valid JSON after resolving intrinsics: ${(error as Error).message}`,
    );
  }
  const definition = AslDefinitionSchema.safeParse(json);
  if (!definition.success) {
    throw new TemplateDefinitionError(
      `${stateMachineLogicalId}'s definition is not an ASL definition: ${z.prettifyError(definition.error)}`,
    );
  }
  if (definition.data.QueryLanguage !== undefined && definition.data.QueryLanguage !== 'JSONPath') {
    throw new TemplateDefinitionError(
      `${stateMachineLogicalId} uses QueryLanguage ${definition.data.QueryLanguage}; the local runtime runs JSONPath only.`,
    );
  }
  return { definition: definition.data, functions, stateMachineLogicalId };
}

function readTemplateFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TemplateDefinitionError(
      `Cannot read template ${path}: ${(error as Error).message}; run cdk synth first.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TemplateDefinitionError(`Template ${path} is not JSON: ${(error as Error).message}`);
  }
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

class IntrinsicResolver {
  constructor(
    private readonly resources: Record<string, Resource>,
    private readonly resolveOther: LoadDefinitionOptions['resolveOther'],
  ) {}

  resolve(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((item, i) => this.resolve(item, `${where}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1], where);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, `${where}.${k}`)]));
  }

  private intrinsic(name: string, arg: unknown, where: string): unknown {
    switch (name) {
      case 'Ref':
        if (typeof arg !== 'string') throw new TemplateDefinitionError(`${where}: Ref takes a logical id.`);
        return this.ref(arg, where);
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? arg.split('.') : arg;
        if (!Array.isArray(parts) || parts.length !== 2 || !parts.every((p) => typeof p === 'string')) {
          throw new TemplateDefinitionError(`${where}: Fn::GetAtt takes [logicalId, attribute].`);
        }
        return this.getAtt(parts[0] as string, parts[1] as string, where);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
          throw new TemplateDefinitionError(`${where}: Fn::Join takes [delimiter, [values]].`);
        }
        const delimiter = arg[0];
        return (arg[1] as unknown[])
          .map((part, i) => this.asString(this.resolve(part, `${where}[${i}]`), where))
          .join(delimiter);
      }
      case 'Fn::Sub': {
        const [template, variables] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [];
        if (typeof template !== 'string' || variables === null || typeof variables !== 'object') {
          throw new TemplateDefinitionError(`${where}: Fn::Sub takes a string or [string, variables].`);
        }
        const vars = variables as Record<string, unknown>;
        // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
        return template.replace(/\$\{(!?)([^}]*)\}/g, (_whole, bang: string, ref: string) => {
          if (bang) return `\${${ref}}`;
          if (ref in vars) return this.asString(this.resolve(vars[ref], `${where}.${ref}`), where);
          const dot = ref.indexOf('.');
          return dot > 0 && !ref.startsWith('AWS::')
            ? this.getAtt(ref.slice(0, dot), ref.slice(dot + 1), where)
            : this.ref(ref, where);
        });
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) {
          throw new TemplateDefinitionError(`${where}: Fn::Select takes [index, list].`);
        }
        const list = this.resolve(arg[1], where);
        const index = Number(this.resolve(arg[0], where));
        if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
          throw new TemplateDefinitionError(`${where}: Fn::Select index out of range.`);
        }
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
          throw new TemplateDefinitionError(`${where}: Fn::Split takes [delimiter, string].`);
        }
        return this.asString(this.resolve(arg[1], where), where).split(arg[0]);
      }
      default:
        throw new TemplateDefinitionError(
          `${where}: intrinsic ${name} is not supported by the local runtime.`,
        );
    }
  }

  private asString(value: unknown, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new TemplateDefinitionError(`${where}: expected a string, got ${JSON.stringify(value)}.`);
  }

  private resource(logicalId: string, where: string): Resource {
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateDefinitionError(`${where}: no resource ${logicalId} in the template.`);
    return resource;
  }

  private ref(logicalId: string, where: string): string {
    const pseudo = PSEUDO_PARAMETERS[logicalId];
    if (pseudo !== undefined) return pseudo;
    const resource = this.resource(logicalId, where);
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        return logicalId;
      case 'AWS::Lambda::Version':
      case 'AWS::Lambda::Alias':
        return this.qualifiedArn(logicalId, resource, where);
      default:
        return this.resolveOther?.(logicalId, resource.Type) ?? logicalId;
    }
  }

  private getAtt(logicalId: string, attribute: string, where: string): string {
    const resource = this.resource(logicalId, where);
    if (resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return localFunctionArn(logicalId);
    if (
      (resource.Type === 'AWS::Lambda::Version' || resource.Type === 'AWS::Lambda::Alias') &&
      attribute === 'Arn'
    ) {
      return this.qualifiedArn(logicalId, resource, where);
    }
    const other = this.resolveOther?.(logicalId, resource.Type, attribute);
    if (other !== undefined) return other;
    if (attribute === 'Arn') {
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:${LOCAL_PARTITION}:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    }
    throw new TemplateDefinitionError(
      `${where}: Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) has no local value; pass resolveOther.`,
    );
  }

  /** Version or alias: the function's local ARN plus the qualifier. */
  private qualifiedArn(logicalId: string, resource: Resource, where: string): string {
    const fnValue = this.resolve(resource.Properties?.['FunctionName'], `${logicalId}.FunctionName`);
    if (typeof fnValue !== 'string') {
      throw new TemplateDefinitionError(`${where}: ${logicalId} has no resolvable FunctionName.`);
    }
    const functionArn = fnValue.startsWith('arn:') ? fnValue : localFunctionArn(fnValue);
    const qualifier =
      resource.Type === 'AWS::Lambda::Alias' ? String(resource.Properties?.['Name'] ?? logicalId) : '1';
    return `${functionArn}:${qualifier}`;
  }
}
