/**
 * Record ids. Every id sorts by time as a plain string and is safe in an email subject, a file
 * name, a DynamoDB key and a Step Functions execution name ([A-Za-z0-9-], at most 80 characters).
 *
 * | record     | form                          | example                     | made from                              |
 * | ---------- | ----------------------------- | --------------------------- | -------------------------------------- |
 * | cycle      | C-<stamp>-<type letter>       | C-20261001T0800Z-Q          | scheduled opening time (UTC) and type  |
 * | action     | A-<stamp>-<type letter>-<nnn> | A-20261001T0800Z-Q-003      | its cycle id and a number in the cycle |
 * | decision   | D-<stamp>-<type letter>-<nn>  | D-20261001T0800Z-Q-02       | its cycle id and a number in the cycle |
 * | submission | S-<stamp with ms>-<6 random>  | S-20261012T143005123Z-K7QD3M| time received and 30 random bits       |
 *
 * stamp = the UTC time as yyyyMMdd'T'HHmm'Z' (submission: yyyyMMdd'T'HHmmssSSS'Z').
 * Type letter: Q quarterly, S semiannual, A annual.
 *
 * A cycle id is deterministic: the same scheduled firing always yields the same id, so a repeated
 * start (a retried schedule) names the same execution and the same cycle record, and is a no-op.
 * Action and decision numbers are given in the order the minutes list them, so recording the same
 * minutes twice yields the same ids and the second write is recognised as a repeat.
 * An action id names its cycle: `cycleIdOfAction('A-20261001T0800Z-Q-003') === 'C-20261001T0800Z-Q'`.
 */
import { randomInt } from 'node:crypto';
import * as z from 'zod';

export const CYCLE_TYPES = ['quarterly', 'semiannual', 'annual'] as const;
export type CycleType = (typeof CYCLE_TYPES)[number];

const TYPE_LETTER: Record<CycleType, string> = { quarterly: 'Q', semiannual: 'S', annual: 'A' };

export const CycleId = z
  .string({ error: 'expected a cycle id' })
  .regex(/^C-\d{8}T\d{4}Z-[QSA]$/, { error: 'expected a cycle id like C-20261001T0800Z-Q' });
export type CycleId = z.infer<typeof CycleId>;

export const ActionId = z
  .string({ error: 'expected an action id' })
  .regex(/^A-\d{8}T\d{4}Z-[QSA]-\d{3,}$/, { error: 'expected an action id like A-20261001T0800Z-Q-003' });
export type ActionId = z.infer<typeof ActionId>;

export const DecisionId = z
  .string({ error: 'expected a decision id' })
  .regex(/^D-\d{8}T\d{4}Z-[QSA]-\d{2,}$/, { error: 'expected a decision id like D-20261001T0800Z-Q-02' });
export type DecisionId = z.infer<typeof DecisionId>;

export const SubmissionId = z
  .string({ error: 'expected a submission id' })
  .regex(/^S-\d{8}T\d{9}Z-[0-9A-HJKMNP-TV-Z]{6}$/, {
    error: 'expected a submission id like S-20261012T143005123Z-K7QD3M',
  });
export type SubmissionId = z.infer<typeof SubmissionId>;

export class InvalidId extends Error {
  override name = 'InvalidId' as const;
}

function validDate(at: Date): Date {
  if (Number.isNaN(at.getTime())) throw new InvalidId('cannot make an id from an invalid date');
  return at;
}

/** yyyyMMdd'T'HHmm'Z' in UTC. */
export function minuteStamp(at: Date): string {
  const iso = validDate(at).toISOString(); // 2026-10-01T08:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** yyyyMMdd'T'HHmmssSSS'Z' in UTC. */
function millisecondStamp(at: Date): string {
  const iso = validDate(at).toISOString();
  return `${minuteStamp(at).slice(0, -1)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}

/** The id of the cycle a schedule opens at `scheduledAt` (the scheduler's scheduled time). */
export function cycleIdFor(type: CycleType, scheduledAt: Date): CycleId {
  return `C-${minuteStamp(scheduledAt)}-${TYPE_LETTER[type]}`;
}

function numbered(prefix: 'A' | 'D', cycleId: string, n: number, width: number): string {
  const cycle = CycleId.safeParse(cycleId);
  if (!cycle.success) throw new InvalidId(`"${cycleId}" is not a cycle id like C-20261001T0800Z-Q`);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidId(`a number in a cycle starts at 1; got ${n}`);
  }
  return `${prefix}${cycle.data.slice(1)}-${String(n).padStart(width, '0')}`;
}

/** The id of the n-th action (1-based) of a cycle. */
export function actionIdFor(cycleId: CycleId, n: number): ActionId {
  return numbered('A', cycleId, n, 3);
}

/** The id of the n-th decision (1-based) of a cycle. */
export function decisionIdFor(cycleId: CycleId, n: number): DecisionId {
  return numbered('D', cycleId, n, 2);
}

/** The cycle an action belongs to, read from its id. */
export function cycleIdOfAction(actionId: ActionId): CycleId {
  const parsed = ActionId.safeParse(actionId);
  if (!parsed.success) throw new InvalidId(`"${actionId}" is not an action id like A-20261001T0800Z-Q-003`);
  return `C${parsed.data.slice(1, parsed.data.lastIndexOf('-'))}`;
}

/** Crockford base32: no I, L, O, U, so ids read aloud or retyped are not confused. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new submission id for a submission received at `receivedAt`. */
export function newSubmissionId(receivedAt: Date, random: (max: number) => number = randomInt): SubmissionId {
  let suffix = '';
  for (let i = 0; i < 6; i += 1) suffix += CROCKFORD[random(CROCKFORD.length)];
  return `S-${millisecondStamp(receivedAt)}-${suffix}`;
}
