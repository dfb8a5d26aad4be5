/**
 * The errors every store port throws, and the write option they share. Conventions: see
 * repository.ts.
 */
import type { EventDraft } from '../model/event.ts';

export type RecordKind =
  | 'programme version'
  | 'cycle'
  | 'input request'
  | 'submission'
  | 'action'
  | 'event'
  | 'reply token'
  | 'task token'
  | 'notification'
  | 'minutes'
  | 'sign-in link';

/** Optimistic-lock loss: someone else changed the record since it was read. */
export class ConcurrentUpdate extends Error {
  override name = 'ConcurrentUpdate' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    readonly expectedVersion: number,
    readonly foundVersion: number | undefined,
  ) {
    super(
      `${kind} ${id} was changed by someone else (expected version ${expectedVersion}, found ${
        foundVersion ?? 'none'
      }); reload and retry`,
    );
  }
}

/** A record that must be new already exists (a repeated create, or an id collision). */
export class AlreadyExists extends Error {
  override name = 'AlreadyExists' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    detail = 'it was already recorded; nothing was written',
  ) {
    super(`${kind} ${id} already exists: ${detail}`);
  }
}

/** A record that must exist does not. */
export class NotFound extends Error {
  override name = 'NotFound' as const;
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    detail = 'check the id',
  ) {
    super(`${kind} ${id} does not exist: ${detail}`);
  }
}

/** Another writer appended to the cycle's event log first; re-read the head and retry. */
export class ChainConflict extends Error {
  override name = 'ChainConflict' as const;
  constructor(
    readonly cycleId: string,
    readonly attemptedSeq: number,
    readonly attempts = 1,
  ) {
    super(
      `the event log of cycle ${cycleId} moved on while event ${attemptedSeq} was being appended` +
        (attempts > 1 ? ` (gave up after ${attempts} attempts)` : '') +
        '; another writer got there first: re-read the head and retry',
    );
  }
}

/** A stored item no longer matches its schema (written by other code, or edited by hand). */
export class CorruptRecord extends Error {
  override name = 'CorruptRecord' as const;
}

/** A write touches more items than one transaction may hold (100). */
export class TransactionTooLarge extends Error {
  override name = 'TransactionTooLarge' as const;
}

/** What was given as a web session id is not one (16 random bytes, base64url: 22 characters). */
export class InvalidSessionId extends Error {
  override name = 'InvalidSessionId' as const;
  constructor(given: string) {
    super(`"${given.slice(0, 40)}" is not a session id (22 characters: letters, digits, - and _)`);
  }
}

export interface WriteOptions {
  /** An event to append to the cycle's log in the same transaction. */
  readonly event?: EventDraft;
}
