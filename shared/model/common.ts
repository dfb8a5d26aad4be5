/**
 * Building blocks shared by the record schemas: times, dates, ids, hashes, and one way to turn a
 * zod failure into an error a person can act on.
 */
import * as z from 'zod';

/** A point in time, stored in UTC as ISO 8601 with a Z suffix, e.g. 2026-10-01T08:00:00.000Z. */
export const UtcTimestamp = z.iso.datetime({
  error: 'expected a UTC time in ISO 8601 with a Z suffix, e.g. 2026-10-01T08:00:00.000Z',
});
export type UtcTimestamp = z.infer<typeof UtcTimestamp>;

/** A calendar date (no time, no zone), e.g. a due date: yyyy-mm-dd, a real day of the calendar. */
export const CalendarDate = z.iso.date({ error: 'expected a calendar date yyyy-mm-dd, e.g. 2026-10-31' });
export type CalendarDate = z.infer<typeof CalendarDate>;

/** Text a person wrote that must say something: not empty, not only spaces. */
export const NonEmptyText = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'expected text') })
  .refine((text) => text.trim().length > 0, { error: 'must not be empty' });

/** A person's id as the programme defines it, e.g. `alice`, `ciso`. */
export const PersonId = z
  .string({ error: 'expected a person id' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'expected a person id from the programme (letters, digits, . _ -; at most 64 characters)',
  });
export type PersonId = z.infer<typeof PersonId>;

/** A programme's id, e.g. the organisation id `example-ltd`. */
export const ProgrammeId = z.string({ error: 'expected a programme id' }).regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
  error: 'expected a programme id: lower-case letters, digits and -, at most 40 characters',
});
export type ProgrammeId = z.infer<typeof ProgrammeId>;

/** An input's key in the catalogue, e.g. `a`, `d1`, `qms-customer-satisfaction`. */
export const InputKey = z.string({ error: 'expected an input key' }).regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
  error: 'expected an input key such as a, d1 or g (lower-case letters, digits, . _ -)',
});
export type InputKey = z.infer<typeof InputKey>;

/** A lower-case hex SHA-256 digest. */
export const Sha256Hex = z
  .string({ error: 'expected a SHA-256 digest' })
  .regex(/^[0-9a-f]{64}$/, { error: 'expected a SHA-256 digest: 64 lower-case hex characters' });

/** A clause of a standard that an input serves, e.g. { standard: 'iso27001', clause: '9.3.2 d1' }. */
export const ClauseRef = z.strictObject({
  standard: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,31}$/, { error: 'expected a standard id such as iso27001' }),
  clause: NonEmptyText,
});
export type ClauseRef = z.infer<typeof ClauseRef>;

/** The period a report covers: calendar dates, inclusive; from is not after to. */
export const Period = z
  .strictObject({ from: CalendarDate, to: CalendarDate })
  .refine((period) => period.from <= period.to, {
    error: 'the period starts after it ends; "from" must be on or before "to"',
    path: ['to'],
  });
export type Period = z.infer<typeof Period>;

/** Optimistic-lock version: 1 when created, +1 on every stored change. */
export const Version = z.number().int().min(1, { error: 'a version starts at 1' });

export interface DataIssue {
  readonly path: string;
  readonly message: string;
}

/** Data that does not match its schema. `issues` lists every problem with its path. */
export class InvalidData extends Error {
  override name = 'InvalidData' as const;
  constructor(
    readonly what: string,
    readonly issues: readonly DataIssue[],
  ) {
    super(`${what} is not valid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The issues of a zod error as `{ path, message }`, paths written like `metrics[2].value`. */
export function issuesOf(error: z.ZodError): DataIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Parses `data` with `schema` or throws InvalidData naming `what` and every problem. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new InvalidData(what, issuesOf(result.error));
  return result.data;
}
