/**
 * The checks the Step Functions API makes on its arguments, as AWS makes them: execution names,
 * ARNs, task tokens, JSON payloads and their size limit, SendTaskFailure's error and cause; and the
 * JSON comparison that makes StartExecution idempotent.
 */
import {
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  ValidationException,
} from './errors.ts';
import type { Json } from './transform.ts';

const MAX_PAYLOAD_BYTES = 262_144;
const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{128}$/;
const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:[a-z-]+:states:[^:]*:[^:]*:execution:([^:]+):([^:]+)$/;
// Whitespace, brackets, wildcards, special characters, and control characters (U+0000-001F, U+007F-009F).
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const hasControlCharacter = (name: string) =>
  [...name].some((c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });

export function validateName(name: string): void {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name) || hasControlCharacter(name)) {
    throw new InvalidName(
      `Invalid Name: '${name}': 1 to 80 characters, without spaces, brackets, wildcards or any of " # % \\ ^ | ~ \` $ & , ; : /`,
    );
  }
}

export function validateStateMachineArn(arn: string): void {
  if (!STATE_MACHINE_ARN.test(arn)) throw new InvalidArn(`Not a state machine ARN: ${arn}`);
}

/** The ARN of execution `name` of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The execution name in an execution ARN. */
export function executionNameFromArn(executionArn: string): string {
  const match = EXECUTION_ARN.exec(executionArn);
  if (!match) throw new InvalidArn(`Invalid Arn: '${executionArn}'`);
  return match[2] as string;
}

export function validateToken(token: string): void {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw new InvalidToken('Invalid Token');
}

/** StartExecution's input (JSON text). */
export function parseExecutionInput(text: string): unknown {
  return parseJson(
    text,
    (message) => new InvalidExecutionInput(`Invalid State Machine Execution Input: ${message}`),
  );
}

/** SendTaskSuccess's output (JSON text). */
export function parseTaskOutput(output: string): Json {
  if (Buffer.byteLength(output, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new InvalidOutput(`Output is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
  }
  return parseJson(output, (message) => new InvalidOutput(`Invalid Output: ${message}`)) as Json;
}

/** SendTaskFailure's error and cause. */
export function validateTaskFailure(error: string | undefined, cause: string | undefined): void {
  if (error !== undefined && error.length > 256)
    throw new ValidationException('error is longer than 256 characters.');
  if (cause !== undefined && cause.length > 32_768)
    throw new ValidationException('cause is longer than 32768 characters.');
}

function parseJson(text: string, error: (message: string) => Error): unknown {
  if (typeof text !== 'string') throw error('not a string');
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES)
    throw error(`larger than ${MAX_PAYLOAD_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw error((cause as Error).message);
  }
}

/** Deep equality of JSON values, key order aside (StartExecution's "same input"). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}
