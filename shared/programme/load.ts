/**
 * Reading and validating the review programme file.
 *
 * Every problem is reported at once, each with the field path, line and column and what would be
 * valid, e.g. `programme.yaml:14:12 people[3].email: "bob@" is not an email address; expected name@domain`.
 * Validation only reads: nothing is written anywhere.
 */
import { readFileSync } from 'node:fs';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type * as z from 'zod';
import { systemClock, type Clock } from '#shared/clock.ts';
import { checkRules, type PathSegment, type RuleIssue } from './rules.ts';
import { ProgrammeSchema, type Programme } from './schema.ts';
import { didYouMean } from './suggest.ts';

export type { Programme, ProgrammeInput, Person, Review, ReviewType } from './schema.ts';
export * from './queries.ts';

export interface ProgrammeIssue {
  /** Field path, e.g. `people[3].email`; empty for the file as a whole. */
  readonly path: string;
  /** 1-based line of the field (or of its parent mapping when the field is missing). */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
  /** What is wrong and what would be valid. */
  readonly message: string;
}

export type ParseResult = { ok: true; programme: Programme } | { ok: false; errors: ProgrammeIssue[] };

export interface ParseOptions {
  /** "Now" for rules that look ahead (a schedule must fire within five years). */
  readonly clock?: Clock;
}

export const DEFAULT_FILE_NAME = 'programme.yaml';

export class ProgrammeInvalid extends Error {
  override name = 'ProgrammeInvalid' as const;
  constructor(
    readonly fileName: string,
    readonly issues: readonly ProgrammeIssue[],
  ) {
    super(
      `${fileName} is not a valid review programme (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => formatIssue(issue, fileName)).join('\n'),
    );
  }
}

export class ProgrammeUnreadable extends Error {
  override name = 'ProgrammeUnreadable' as const;
}

/** `programme.yaml:14:12 people[3].email: "bob@" is not an email address; expected name@domain` */
export function formatIssue(issue: ProgrammeIssue, fileName: string = DEFAULT_FILE_NAME): string {
  const place = issue.line === undefined ? fileName : `${fileName}:${issue.line}:${issue.column ?? 1}`;
  return `${place} ${issue.path === '' ? '(top level)' : issue.path}: ${issue.message}`;
}

/** `people[3].email` */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const plain = /^[A-Za-z0-9_-]+$/.test(segment);
      const name = plain ? segment : JSON.stringify(segment);
      return index === 0 ? name : plain ? `.${name}` : `[${name}]`;
    })
    .join('');
}

/** Validates a programme given as YAML text. Never throws for bad input; never writes. */
export function parseProgramme(text: string, fileName?: string, options: ParseOptions = {}): ParseResult {
  void fileName; // positions are reported per issue; the name is only used when formatting
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', line, column: col, message: `YAML syntax: ${error.message}` };
      }),
    };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      errors: [
        {
          path: '',
          line: 1,
          column: 1,
          message: 'the file is empty; expected a programme (see programme.example.yaml)',
        },
      ],
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      ok: false,
      errors: [{ path: '', line: 1, column: 1, message: `YAML: ${(error as Error).message}` }],
    };
  }

  const place = (path: readonly PathSegment[], at?: 'key') => positionOf(doc, lineCounter, path, at);
  const issues: ProgrammeIssue[] = [];
  const parsed = ProgrammeSchema.safeParse(raw);
  const schemaPaths = new Set<string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const reported of fromZod(issue, raw)) {
        schemaPaths.add(formatPath(reported.path));
        issues.push({
          path: formatPath(reported.path),
          ...place(reported.path, reported.at),
          message: reported.message,
        });
      }
    }
  }
  for (const rule of checkRules(raw, options.clock ?? systemClock)) {
    const path = formatPath(rule.path);
    if (schemaPaths.has(path)) continue; // one problem per field: the schema's is the more basic
    issues.push({ path, ...place(rule.path, rule.at), message: rule.message });
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, errors: sortIssues(issues) };
  return { ok: true, programme: parsed.data };
}

/** Reads and validates a programme file; throws ProgrammeInvalid listing every problem. */
export function loadProgrammeFile(path: string, options: ParseOptions = {}): Programme {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ProgrammeUnreadable(`Cannot read the programme file ${path} (${code}); check the path.`);
  }
  const result = parseProgramme(text, path, options);
  if (!result.ok) throw new ProgrammeInvalid(path, result.errors);
  return result.programme;
}

function sortIssues(issues: ProgrammeIssue[]): ProgrammeIssue[] {
  const far = Number.MAX_SAFE_INTEGER;
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        (a.issue.line ?? far) - (b.issue.line ?? far) ||
        (a.issue.column ?? far) - (b.issue.column ?? far) ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

// ---------------------------------------------------------------------------------------------
// Positions

function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  at?: 'key',
): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNodeWithRange(node) ? node : undefined;
  for (let i = 0; i < path.length; i += 1) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && at === 'key' && isNodeWithRange(pair.key)) {
        best = pair.key;
        break;
      }
      if (isNodeWithRange(pair.key)) best = pair.key;
      node = pair.value;
      if (isNodeWithRange(node)) best = node;
      else break;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (isNodeWithRange(node)) best = node;
      else break;
    } else break;
  }
  if (!best?.range) return {};
  const { line, col } = lineCounter.linePos(best.range[0]);
  return { line, column: col };
}

function isNodeWithRange(value: unknown): value is Node {
  return (isMap(value) || isSeq(value) || isScalar(value) || isAlias(value)) && Array.isArray(value.range);
}

// ---------------------------------------------------------------------------------------------
// Schema issues in plain words

type ZodIssue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);

function unwrapSchema(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: AnySchema };
    if (!WRAPPERS.has(def.type) || !def.innerType) return current;
    current = def.innerType;
  }
}

function schemaAt(path: readonly PathSegment[]): AnySchema | undefined {
  let schema: AnySchema | undefined = ProgrammeSchema;
  for (const segment of path) {
    if (!schema) return undefined;
    const def = unwrapSchema(schema)._zod.def as {
      type: string;
      shape?: Record<string, AnySchema>;
      element?: AnySchema;
      valueType?: AnySchema;
    };
    if (def.type === 'object') schema = def.shape?.[String(segment)];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return undefined;
  }
  return schema;
}

function descriptionOf(schema: AnySchema | undefined): string | undefined {
  let current = schema;
  while (current) {
    const meta = (current as { description?: string }).description;
    if (meta) return meta;
    const def = current._zod.def as { type: string; innerType?: AnySchema };
    current = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

function knownFields(path: readonly PathSegment[]): string[] {
  const schema = schemaAt(path);
  if (!schema) return [];
  const def = unwrapSchema(schema)._zod.def as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let value = raw;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function show(value: unknown): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields (name: value)',
  record: 'a mapping of fields (name: value)',
};

function withValue(value: unknown, message: string): string {
  const shown = show(value);
  return shown === undefined ? message : `${shown} ${message}`;
}

function fromZod(issue: ZodIssue, raw: unknown): RuleIssue[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const value = valueAt(raw, path);
  const custom = /^(is|lists) /.test(issue.message);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFields(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: 'key' as const,
        message: `${JSON.stringify(key)} is not a known field here; expected one of: ${known.join(', ')}${didYouMean(key, known)}`,
      }));
    }
    case 'invalid_type':
    case 'invalid_value': {
      if (value === undefined || value === null) {
        const description = descriptionOf(schemaAt(path));
        const what = value === null ? 'has no value' : 'is missing';
        const expected =
          issue.code === 'invalid_type' ? (EXPECTED[issue.expected] ?? issue.expected) : 'a value';
        return [{ path, message: description ? `${what}: ${description}` : `${what}; expected ${expected}` }];
      }
      if (custom) return [{ path, message: withValue(value, issue.message) }];
      if (issue.code === 'invalid_type') {
        return [{ path, message: withValue(value, `is not ${EXPECTED[issue.expected] ?? issue.expected}`) }];
      }
      const options = issue.values.map(String);
      const typed = typeof value === 'string' ? didYouMean(value, options) : '';
      return [
        { path, message: withValue(value, `is not valid; expected one of: ${options.join(', ')}${typed}`) },
      ];
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
      return [{ path, message: custom ? withValue(value, issue.message) : issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}
