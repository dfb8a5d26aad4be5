/**
 * Reading the minutes' raw values defensively: the shape may be wrong anywhere, and every problem
 * is still wanted. Also what every check gets (the context, "now" in the organisation's time zone,
 * and where to report a problem).
 */
import { DateTime } from 'luxon';
import { catalogueFor, standardIds } from '../catalogue/catalogue.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest, InputRequestStatus } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';

export interface MinutesContext {
  readonly programme: Programme;
  /** The review: its id, when it opened, its type and when its meeting is planned (moves included). */
  readonly cycle: Pick<Cycle, 'id' | 'openedAt' | 'type' | 'plannedMeetingAt'>;
  /** The inputs of the cycle's catalogue, in package order: each must be recorded as considered. */
  readonly catalogueKeys: readonly string[];
  readonly now: Date;
  /**
   * The number the first decision gets (its id is decisionIdFor(cycle, n)); a correction of
   * recorded minutes continues after the decisions of the version it replaces. Default 1.
   */
  readonly firstDecisionNumber?: number;
  /**
   * How each input's request stands, by input key (inputStatusesOf the cycle's input requests).
   * Without it (a file checked on its own) the rule about inputs nobody provided is skipped.
   */
  readonly inputStatuses?: Readonly<Record<string, InputRequestStatus>>;
}

/**
 * The status of each input someone was asked for, by key. Automatic inputs are left out: the system
 * fills them from its own records, so their request is never answered and never missing.
 */
export function inputStatusesOf(
  requests: readonly Pick<InputRequest, 'inputKey' | 'automatic' | 'status'>[],
): Record<string, InputRequestStatus> {
  return Object.fromEntries(
    requests.filter((request) => !request.automatic).map((request) => [request.inputKey, request.status]),
  );
}

/** Where a value is in the minutes: field names and list indexes, e.g. `attendees[2].person`. */
export type Path = (string | number)[];

/** What every check of a part of the minutes gets. */
export interface Reading {
  readonly ctx: MinutesContext;
  /** The minutes as an object (empty when they are not one). */
  readonly top: Record<string, unknown>;
  /** The organisation's time zone. */
  readonly zone: string;
  readonly now: DateTime;
  /** Today's date in the organisation's time zone. */
  readonly today: string;
  readonly problem: (path: Path, message: string) => void;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const TITLES: ReadonlyMap<string, string> = new Map(
  catalogueFor(standardIds).map((input) => [input.key, input.title]),
);

/** The title of a catalogue input, e.g. for `d1`; the key when it is not known. */
export function titleOf(key: string): string {
  return TITLES.get(key) ?? key;
}

/** The value as an object, or undefined when it is not one. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value as a list, or an empty one when it is not one. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The trimmed text, or undefined when the value is not non-blank text. */
export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A label may be written as a number (`ref: 1`). */
export function asLabel(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : asText(value);
}

/** `yyyy-mm-dd` and a day the calendar has. */
export function isRealDate(value: string): boolean {
  return DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** `a`, `a and b`, `a, b and c`. */
export function inWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Calls `check` for each entry of the list field `name` that is an object (the schema reports the
 * others), with `at(field)` the path of one of its fields.
 */
export function forEachEntry(
  list: readonly unknown[],
  name: string,
  check: (entry: Record<string, unknown>, at: (field: string) => Path, index: number) => void,
): void {
  list.forEach((value, index) => {
    const entry = asObject(value);
    if (!entry) return;
    check(entry, (field) => [name, index, field], index);
  });
}
