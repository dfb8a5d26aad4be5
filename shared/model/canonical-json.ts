/**
 * Canonical JSON: one byte sequence per value, so a hash over it does not depend on how the
 * value happened to be built (key order, spacing) or where it was stored.
 *
 * The form (it matches RFC 8785, the JSON Canonicalization Scheme, for the values we store):
 * - object keys sorted by UTF-16 code units (JavaScript's default string order), each once;
 * - no insignificant whitespace: `{"a":1,"b":[true,null]}`;
 * - strings escaped as `JSON.stringify` escapes them (lone surrogates as `\udxxx`);
 * - numbers printed as JavaScript prints them (`1`, `0.1`, `1e+21`; `-0` prints as `0`);
 *   NaN and ±Infinity are rejected, JSON has no spelling for them;
 * - a property whose value is `undefined` is dropped, as if it were absent (DynamoDB's
 *   removeUndefinedValues does the same, so a stored and re-read value hashes the same);
 *   `undefined` inside an array is rejected (JSON.stringify would silently turn it into null);
 * - only plain objects, arrays, strings, finite numbers, booleans and null are accepted:
 *   Date, Map, Set, class instances, bigint, functions and symbols are rejected with the path
 *   of the offending value (store a Date as its UTC ISO string);
 * - the text is hashed as UTF-8.
 */
import { createHash } from 'node:crypto';

export class NotCanonicalizable extends Error {
  override name = 'NotCanonicalizable' as const;
}

function describe(path: string): string {
  return path === '' ? 'the value' : path;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new NotCanonicalizable(
          `${describe(path)} is ${String(value)}; canonical JSON accepts finite numbers only`,
        );
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new NotCanonicalizable(
        `${describe(path)} is a ${typeof value}; canonical JSON accepts objects, arrays, strings, finite numbers, booleans and null`,
      );
  }
  const object = value as object;
  if (seen.has(object)) {
    throw new NotCanonicalizable(
      `${describe(path)} refers back to itself; canonical JSON cannot hold a cycle`,
    );
  }
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const parts = object.map((element: unknown, index) => {
        if (element === undefined) {
          throw new NotCanonicalizable(
            `${path}[${index}] is undefined; an array element must be a value (use null for "nothing")`,
          );
        }
        return write(element, `${path}[${index}]`, seen);
      });
      return `[${parts.join(',')}]`;
    }
    if (!isPlainObject(object)) {
      const kind = object.constructor?.name ?? 'object';
      const hint = object instanceof Date ? ' (store a Date as its UTC ISO string)' : '';
      throw new NotCanonicalizable(
        `${describe(path)} is a ${kind}; canonical JSON accepts plain objects only${hint}`,
      );
    }
    const record = object as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    const parts = keys.map((key) => {
      const childPath = path === '' ? key : `${path}.${key}`;
      return `${JSON.stringify(key)}:${write(record[key], childPath, seen)}`;
    });
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

/** The canonical JSON text of a value (see the module comment for the exact form). */
export function canonicalJson(value: unknown): string {
  if (value === undefined) {
    throw new NotCanonicalizable('the value is undefined; there is nothing to canonicalize');
  }
  return write(value, '', new Set());
}

/** Lower-case hex SHA-256 of a string (hashed as UTF-8) or of bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lower-case hex SHA-256 of a value's canonical JSON. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
