import { describe, it, expect } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { canonicalHash, canonicalJson, NotCanonicalizable, sha256Hex } from '#shared/model/canonical-json.ts';

/** The same value with every object's keys in a different (reversed or rotated) order. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((element) => reorder(element, seed + 1));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const rotated =
      seed % 2 === 0
        ? entries.reverse()
        : [...entries.slice(seed % (entries.length || 1)), ...entries.slice(0, seed % (entries.length || 1))];
    return Object.fromEntries(rotated.map(([key, child]) => [key, reorder(child, seed + 1)]));
  }
  return value;
}

describe('canonicalJson rejects what has no single JSON form', () => {
  it.each([
    [{ a: Number.NaN }, 'a is NaN; canonical JSON accepts finite numbers only'],
    [{ a: { b: [1, Infinity] } }, 'a.b[1] is Infinity; canonical JSON accepts finite numbers only'],
    [
      { at: new Date(0) },
      'at is a Date; canonical JSON accepts plain objects only (store a Date as its UTC ISO string)',
    ],
    [{ m: new Map() }, 'm is a Map; canonical JSON accepts plain objects only'],
    [{ n: 10n }, 'n is a bigint'],
    [{ f: () => 1 }, 'f is a function'],
    [{ list: [1, undefined] }, 'list[1] is undefined; an array element must be a value'],
    [undefined, 'the value is undefined'],
  ])('%o → %s', (value, message) => {
    expect(() => canonicalJson(value)).toThrow(NotCanonicalizable);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('rejects a value that contains itself', () => {
    const looped: Record<string, unknown> = { a: 1 };
    looped.self = looped;
    expect(() => canonicalJson(looped)).toThrow('self refers back to itself');
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('canonicalJson writes one form', () => {
  it('sorts keys at every depth, drops undefined properties and spacing', () => {
    expect(canonicalJson({ b: [true, null, { z: 1, a: 'x' }], a: 1, c: undefined })).toBe(
      '{"a":1,"b":[true,null,{"a":"x","z":1}]}',
    );
  });

  it('prints numbers as JavaScript does and -0 as 0', () => {
    expect(canonicalJson([1, 0.1, 1e21, 1e-7, -0, 123.45])).toBe('[1,0.1,1e+21,1e-7,0,123.45]');
  });

  it('sorts keys by UTF-16 code units and keeps non-ASCII text as is', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}');
    expect(canonicalJson('Größe ✓ \u2028')).toBe('"Größe ✓ \u2028"');
  });

  it('hashes the UTF-8 bytes (SHA-256 test vector)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(canonicalHash({ b: 1, a: 'é' })).toBe(sha256Hex(Buffer.from('{"a":"é","b":1}', 'utf8')));
  });

  it('key order never changes the text or the hash (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const reordered = reorder(value, seed);
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
        expect(canonicalHash(reordered)).toBe(canonicalHash(value));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips: parsing the text gives the value back, and canonicalizing again gives the same text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('two values get the same text exactly when they are equal as JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const same = isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
        expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
      }),
      { numRuns: 300 },
    );
  });
});
