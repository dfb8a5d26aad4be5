/** Exit codes used by every command. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A usage mistake: unknown command, missing argument, bad flag. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
}

export interface Output {
  readonly json: boolean;
  /** A line for a person (suppressed with --json). */
  say(line: string): void;
  /** The machine-readable result (printed only with --json, as one JSON document). */
  result(value: unknown): void;
  /** A problem, always on stderr. */
  error(line: string): void;
}

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  return {
    json,
    say: (line) => {
      if (!json) stdout.write(`${line}\n`);
    },
    result: (value) => {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    error: (line) => {
      stderr.write(`${line}\n`);
    },
  };
}

/** Rows padded into columns (the last column is not padded), each row indented by `indent`. */
export function columns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

/**
 * The error that says what happened: fetch wraps the socket error (one with a `code`) in `cause`,
 * and the SDK may wrap one error per address in an AggregateError.
 */
export function rootCause(error: Error): Error {
  let inner = error;
  for (let depth = 0; depth < 3; depth += 1) {
    if (inner instanceof AggregateError && inner.errors[0] instanceof Error) inner = inner.errors[0];
    else if (
      !(inner as NodeJS.ErrnoException).code &&
      inner.cause instanceof Error &&
      (inner.cause as NodeJS.ErrnoException).code
    )
      inner = inner.cause;
    else break;
  }
  return inner;
}
