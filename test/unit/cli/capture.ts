/** An Output that keeps what a command printed, for assertions. */
import type { Output } from '../../../cli/output.ts';

export interface Captured extends Output {
  readonly lines: string[];
  readonly errors: string[];
  readonly results: unknown[];
  /** Everything said, as one text. */
  text(): string;
  /** The one JSON result (throws if there is not exactly one). */
  result1<T = Record<string, unknown>>(): T;
}

export function capture(json = false): Captured {
  const lines: string[] = [];
  const errors: string[] = [];
  const results: unknown[] = [];
  return {
    json,
    lines,
    errors,
    results,
    say: (line: string) => {
      if (!json) lines.push(...line.split('\n'));
    },
    // As the real output does: what is printed is the JSON text, so round-trip it.
    result: (value: unknown) => {
      if (json) results.push(JSON.parse(JSON.stringify(value)));
    },
    error: (line: string) => {
      errors.push(...line.split('\n'));
    },
    text: () => lines.join('\n'),
    result1<T>() {
      if (results.length !== 1) throw new Error(`expected one JSON result, got ${results.length}`);
      return results[0] as T;
    },
  };
}
