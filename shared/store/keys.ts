/**
 * Where every record lives in the one table, and which query answers which question.
 *
 * Items (pk / sk, and the index keys an item carries):
 *
 * | item              | pk                    | sk                              | gsi1pk / gsi1sk                                   | gsi2pk / gsi2sk (sparse)                              |
 * | ----------------- | --------------------- | ------------------------------- | ------------------------------------------------- | ----------------------------------------------------- |
 * | programme current | PROGRAMME#<p>         | CURRENT                         |                                                   |                                                       |
 * | programme version | PROGRAMME#<p>         | VERSION#<version:6>             |                                                   |                                                       |
 * | cycle summary     | PROGRAMME#<p>         | SUMMARY#<plannedMeetingAt>#<c>  |                                                   |                                                       |
 * | cycle             | CYCLE#<c>             | CYCLE                           | PROGRAMME#<p>#CYCLES / <plannedMeetingAt>#<c>     |                                                       |
 * | input request     | CYCLE#<c>             | INPUT#<key>                     |                                                   | PROGRAMME#<p>#PENDING_INPUTS / <dueAt>#<c>#<key> (REQUESTED only) |
 * | submission        | CYCLE#<c>             | SUBMISSION#<key>#<submissionId> | PROGRAMME#<p>#INPUT#<key> / <period.to>#<receivedAt>#<id> |                                               |
 * | action            | CYCLE#<c>             | ACTION#<actionId>               | PROGRAMME#<p>#OWNER#<owner> / <dueDate>#<actionId> | PROGRAMME#<p>#OPEN_ACTIONS / <followUpDate>#<actionId> (needs follow-up only) |
 * | event             | CYCLE#<c>             | EVENT#<seq:10>                  |                                                   |                                                       |
 * | minutes           | CYCLE#<c>             | MINUTES#<version:4>             |                                                   |                                                       |
 * | parked task token | CYCLE#<c>             | TASK#<purpose>                  |                                                   |                                                       |
 * | notification sent | CYCLE#<c>             | SENT#<notificationKey>          |                                                   |                                                       |
 * | reply token       | REPLY#<tokenId>       | REPLY                           |                                                   |                                                       |
 * | inbound message   | MESSAGE#<sha256(Message-ID)> | MESSAGE                  |                                                   |                                                       |
 * | reply token link  | MESSAGE#<sha256(Message-ID)> | REPLY-TOKEN              |                                                   |                                                       |
 * | period claim      | PERIOD#<p>#<type>#<stamp> | PERIOD                      |                                                   |                                                       |
 * | held message      | HELD#<yyyy-mm>        | <heldId>  (H-<yyyymmddThhmmss>Z-<hash>) |                                          |                                                       |
 * | held message link | MESSAGE#<sha256(Message-ID)> | HELD                     |                                                   |                                                       |
 * | daily quota       | QUOTA#<scope>         | DAY#<yyyy-mm-dd>                |                                                   |                                                       |
 * | sign-in link      | SIGNIN#<sha256(secret)> | SIGNIN                        |                                                   |                                                       |
 *
 * The cycle item also holds the head of the cycle's event chain (eventHeadSeq, eventHeadHash):
 * every append writes the event with attribute_not_exists(sk) and moves the head with a
 * condition on its old value, in one transaction, so two writers can never fork the chain.
 *
 * Times in sort keys are normalised to `Date.toISOString()` (millisecond precision) so that they
 * sort as strings; numbers are zero-padded. No access pattern uses Scan.
 */
import { followUpDate } from '../model/action.ts';
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import { sha256Hex } from '../model/canonical-json.ts';
import { parseWith } from '../model/common.ts';
import { NotificationKey } from '../model/records.ts';

export interface AccessPattern {
  readonly pattern: string;
  readonly index: 'table' | 'gsi1' | 'gsi2';
  readonly keyCondition: string;
}

/** Every question the system asks the table, and the key condition that answers it. */
export const ACCESS_PATTERNS: readonly AccessPattern[] = [
  {
    pattern: 'current programme version',
    index: 'table',
    keyCondition: 'pk = PROGRAMME#<p> AND sk = CURRENT',
  },
  {
    pattern: 'one programme version',
    index: 'table',
    keyCondition: 'pk = PROGRAMME#<p> AND sk = VERSION#<version:6>',
  },
  {
    pattern: 'all programme versions, oldest first',
    index: 'table',
    keyCondition: 'pk = PROGRAMME#<p> AND begins_with(sk, VERSION#)',
  },
  {
    pattern: 'summaries of earlier cycles, newest first (package trends: one paged query)',
    index: 'table',
    keyCondition: 'pk = PROGRAMME#<p> AND sk BETWEEN SUMMARY# AND SUMMARY#<before>, descending',
  },
  { pattern: 'one cycle', index: 'table', keyCondition: 'pk = CYCLE#<c> AND sk = CYCLE' },
  {
    pattern: 'everything of a cycle (cycle, inputs, submissions, actions, events, tasks, sent notices)',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c>',
  },
  {
    pattern:
      'the cycle with its input requests (and the claims under a prefix: the input check), one query; a filter on entity keeps those',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND sk BETWEEN CYCLE AND INPUT#~ | SENT#<prefix>~',
  },
  {
    pattern: 'one kind of record of a cycle (e.g. its input requests, its actions, its events from seq n)',
    index: 'table',
    keyCondition:
      'pk = CYCLE#<c> AND begins_with(sk, INPUT# | ACTION# | SUBMISSION#<key># ...) / sk >= EVENT#<n:10>',
  },
  {
    pattern:
      'cycles of a programme by meeting date (the per-cycle summary list; phase, dates, status on each)',
    index: 'gsi1',
    keyCondition: 'gsi1pk = PROGRAMME#<p>#CYCLES AND gsi1sk BETWEEN <from> AND <to>',
  },
  {
    pattern: 'submissions of one input across cycles, by period (trend history)',
    index: 'gsi1',
    keyCondition: 'gsi1pk = PROGRAMME#<p>#INPUT#<key> AND gsi1sk <= <period end>~',
  },
  {
    pattern: 'actions of an owner by due date (all statuses)',
    index: 'gsi1',
    keyCondition: 'gsi1pk = PROGRAMME#<p>#OWNER#<person>',
  },
  {
    pattern: 'actions needing follow-up by date (the sweep; closed actions carry no gsi2 keys)',
    index: 'gsi2',
    keyCondition: 'gsi2pk = PROGRAMME#<p>#OPEN_ACTIONS AND gsi2sk <= <date>~',
  },
  {
    pattern: 'input requests still awaiting an answer, by due time',
    index: 'gsi2',
    keyCondition: 'gsi2pk = PROGRAMME#<p>#PENDING_INPUTS AND gsi2sk <= <time>~',
  },
  { pattern: 'reply token by id', index: 'table', keyCondition: 'pk = REPLY#<tokenId> AND sk = REPLY' },
  {
    pattern: 'web sign-in link by the hash of its secret',
    index: 'table',
    keyCondition: 'pk = SIGNIN#<sha256(secret)> AND sk = SIGNIN',
  },
  {
    pattern: 'inbound message seen? (dedupe)',
    index: 'table',
    keyCondition: 'pk = MESSAGE#<sha256(Message-ID)> AND sk = MESSAGE',
  },
  {
    pattern: 'reply token a sent request carried, by its Message-ID (In-Reply-To fallback)',
    index: 'table',
    keyCondition: 'pk = MESSAGE#<sha256(Message-ID)> AND sk = REPLY-TOKEN',
  },
  {
    pattern: "the cycle that holds a programme's period of one review type (one cycle per period)",
    index: 'table',
    keyCondition: 'pk = PERIOD#<p>#<type>#<stamp> AND sk = PERIOD',
  },
  {
    pattern: 'held messages received in a month, oldest first (held mail for the ISMS manager)',
    index: 'table',
    keyCondition: 'pk = HELD#<yyyy-mm> AND sk BETWEEN <fromId> AND <toId>',
  },
  {
    pattern: 'one held message by its id',
    index: 'table',
    keyCondition: 'pk = HELD#<yyyy-mm of the id> AND sk = <heldId>',
  },
  {
    pattern: 'the held message of an inbound Message-ID (held once per message)',
    index: 'table',
    keyCondition: 'pk = MESSAGE#<sha256(Message-ID)> AND sk = HELD',
  },
  {
    pattern: "a reply address's use on one day (messages and bytes accepted for processing)",
    index: 'table',
    keyCondition: 'pk = QUOTA#<scope> AND sk = DAY#<yyyy-mm-dd>',
  },
  {
    pattern: 'parked task token of a cycle and purpose',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND sk = TASK#<purpose>',
  },
  {
    pattern: 'notification already sent?',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND sk = SENT#<key>',
  },
  {
    pattern: 'latest minutes of a cycle (newest first, limit 1)',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND begins_with(sk, MINUTES#), descending',
  },
  {
    pattern: 'every version of the minutes of a cycle, oldest first',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND begins_with(sk, MINUTES#)',
  },
  {
    pattern: 'event log of a cycle by seq',
    index: 'table',
    keyCondition: 'pk = CYCLE#<c> AND begins_with(sk, EVENT#)',
  },
];

export interface Key {
  readonly pk: string;
  readonly sk: string;
}

export interface IndexKeys {
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

/** Sort-key prefixes inside a cycle's partition. */
export const SK = {
  cycle: 'CYCLE',
  input: 'INPUT#',
  submission: 'SUBMISSION#',
  action: 'ACTION#',
  event: 'EVENT#',
  task: 'TASK#',
  sent: 'SENT#',
  minutes: 'MINUTES#',
  programmeCurrent: 'CURRENT',
  programmeVersion: 'VERSION#',
  cycleSummary: 'SUMMARY#',
} as const;

/** A character that sorts after every character our sort keys use: `<prefix>~` ends a range. */
export const RANGE_END = '~';

/** A UTC ISO time normalised to millisecond precision, so times sort as strings. */
export function sortableTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`"${iso}" is not a time`);
  return new Date(ms).toISOString();
}

function pad(n: number, width: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${n} is not a whole number ≥ 0`);
  return String(n).padStart(width, '0');
}

export const programmeKeys = {
  partition: (programmeId: string) => `PROGRAMME#${programmeId}`,
  current: (programmeId: string): Key => ({ pk: `PROGRAMME#${programmeId}`, sk: SK.programmeCurrent }),
  version: (programmeId: string, version: number): Key => ({
    pk: `PROGRAMME#${programmeId}`,
    sk: `${SK.programmeVersion}${pad(version, 6)}`,
  }),
};

export const summaryKeys = {
  summary: (programmeId: string, plannedMeetingAt: string, cycleId: string): Key => ({
    pk: `PROGRAMME#${programmeId}`,
    sk: `${SK.cycleSummary}${sortableTime(plannedMeetingAt)}#${cycleId}`,
  }),
};

export const cycleKeys = {
  partition: (cycleId: string) => `CYCLE#${cycleId}`,
  cycle: (cycleId: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: SK.cycle }),
  /** The list of a programme's cycles by meeting date. */
  byMeetingPartition: (programmeId: string) => `PROGRAMME#${programmeId}#CYCLES`,
  indexKeys: (cycle: Pick<Cycle, 'id' | 'programmeId' | 'plannedMeetingAt'>): IndexKeys => ({
    gsi1pk: `PROGRAMME#${cycle.programmeId}#CYCLES`,
    gsi1sk: `${sortableTime(cycle.plannedMeetingAt)}#${cycle.id}`,
  }),
};

export const inputKeys = {
  request: (cycleId: string, inputKey: string): Key => ({
    pk: `CYCLE#${cycleId}`,
    sk: `${SK.input}${inputKey}`,
  }),
  pendingPartition: (programmeId: string) => `PROGRAMME#${programmeId}#PENDING_INPUTS`,
  /** Sparse: only a request still awaiting an answer carries gsi2 keys. */
  requestIndexKeys: (
    request: Pick<InputRequest, 'cycleId' | 'programmeId' | 'inputKey' | 'status' | 'dueAt'>,
  ): IndexKeys =>
    request.status === 'REQUESTED'
      ? {
          gsi2pk: `PROGRAMME#${request.programmeId}#PENDING_INPUTS`,
          gsi2sk: `${sortableTime(request.dueAt)}#${request.cycleId}#${request.inputKey}`,
        }
      : {},
  submission: (cycleId: string, inputKey: string, submissionId: string): Key => ({
    pk: `CYCLE#${cycleId}`,
    sk: `${SK.submission}${inputKey}#${submissionId}`,
  }),
  submissionsOfInputPrefix: (inputKey: string) => `${SK.submission}${inputKey}#`,
  historyPartition: (programmeId: string, inputKey: string) => `PROGRAMME#${programmeId}#INPUT#${inputKey}`,
  submissionIndexKeys: (
    submission: Pick<InputSubmission, 'id' | 'programmeId' | 'inputKey' | 'periodCovered' | 'receivedAt'>,
  ): IndexKeys => ({
    gsi1pk: `PROGRAMME#${submission.programmeId}#INPUT#${submission.inputKey}`,
    gsi1sk: `${submission.periodCovered.to}#${sortableTime(submission.receivedAt)}#${submission.id}`,
  }),
};

export const actionKeys = {
  action: (cycleId: string, actionId: string): Key => ({
    pk: `CYCLE#${cycleId}`,
    sk: `${SK.action}${actionId}`,
  }),
  ownerPartition: (programmeId: string, ownerId: string) => `PROGRAMME#${programmeId}#OWNER#${ownerId}`,
  openPartition: (programmeId: string) => `PROGRAMME#${programmeId}#OPEN_ACTIONS`,
  /** gsi1 always (by owner); gsi2 only while the action needs follow-up. */
  indexKeys: (
    action: Pick<
      Action,
      'id' | 'programmeId' | 'ownerId' | 'dueDate' | 'status' | 'corrective' | 'effectivenessCheck'
    >,
  ): IndexKeys => {
    const keys: IndexKeys = {
      gsi1pk: `PROGRAMME#${action.programmeId}#OWNER#${action.ownerId}`,
      gsi1sk: `${action.dueDate}#${action.id}`,
    };
    const date = followUpDate(action);
    if (date !== undefined) {
      keys.gsi2pk = `PROGRAMME#${action.programmeId}#OPEN_ACTIONS`;
      keys.gsi2sk = `${date}#${action.id}`;
    }
    return keys;
  },
};

export const eventKeys = {
  event: (cycleId: string, seq: number): Key => ({
    pk: `CYCLE#${cycleId}`,
    sk: `${SK.event}${pad(seq, 10)}`,
  }),
  fromSeq: (seq: number) => `${SK.event}${pad(seq, 10)}`,
};

export const taskKeys = {
  task: (cycleId: string, purpose: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: `${SK.task}${purpose}` }),
};

export const notificationKeys = {
  sent: (cycleId: string, key: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: `${SK.sent}${key}` }),
};

/** The item that claims a cycle's notification (the key validated): the same in every store. */
export function notificationItem(cycleId: string, key: string, at: string): Key & Record<string, unknown> {
  parseWith(NotificationKey, key, 'notification key');
  return {
    ...notificationKeys.sent(cycleId, key),
    entity: 'notification',
    cycleId,
    key,
    claimedAt: sortableTime(at),
  };
}

export const minutesKeys = {
  /** One version of a cycle's minutes; versions sort in order (at most 9999). */
  minutes: (cycleId: string, version: number): Key => {
    if (version > 9999) throw new RangeError(`minutes version ${version} is above 9999`);
    return { pk: `CYCLE#${cycleId}`, sk: `${SK.minutes}${pad(version, 4)}` };
  },
};

export const replyTokenKeys = {
  token: (tokenId: string): Key => ({ pk: `REPLY#${tokenId}`, sk: 'REPLY' }),
  /** The reply token a sent request carried, by the hash of its Message-ID (In-Reply-To fallback). */
  byMessage: (messageIdHash: string): Key => ({ pk: `MESSAGE#${messageIdHash}`, sk: 'REPLY-TOKEN' }),
};

/**
 * Held inbound mail (shared/store/held-mail.ts): one partition per UTC month of receipt, sorted by
 * id, which starts with the receipt time; the Message-ID link makes holding idempotent.
 */
export const heldMailKeys = {
  partition: (month: string): string => `HELD#${month}`,
  /** The month (yyyy-mm) an id was received in: `H-20261006T080000Z-...` → 2026-10. */
  monthOf: (heldId: string): string => `${heldId.slice(2, 6)}-${heldId.slice(6, 8)}`,
  held: (heldId: string): Key => ({ pk: `HELD#${heldMailKeys.monthOf(heldId)}`, sk: heldId }),
  byMessage: (messageIdHash: string): Key => ({ pk: `MESSAGE#${messageIdHash}`, sk: 'HELD' }),
};

/** A daily counter (shared/store/held-mail.ts InboundQuota), by scope and UTC day. */
export const quotaKeys = {
  day: (scope: string, day: string): Key => ({ pk: `QUOTA#${scope}`, sk: `DAY#${day}` }),
};

/** A web sign-in link, by the SHA-256 of its secret (shared/store/sign-in-tokens.ts); carries a TTL. */
export const signInKeys = {
  token: (tokenHash: string): Key => ({ pk: `SIGNIN#${tokenHash}`, sk: 'SIGNIN' }),
  /** A web session signed out before it expired, by its id; carries a TTL. */
  endedSession: (sessionId: string): Key => ({ pk: `SESSION#${sessionId}`, sk: 'ENDED' }),
};

/** A period claim, by `<programme>#<type>#<stamp>` (shared/cycle/period.ts). */
export const periodKeys = {
  claim: (periodKey: string): Key => ({ pk: `PERIOD#${periodKey}`, sk: 'PERIOD' }),
};

export const messageKeys = {
  /** Message-IDs are compared without surrounding angle brackets and whitespace, case kept. */
  normalise: (messageId: string) =>
    messageId
      .trim()
      .replace(/^<(.*)>$/, '$1')
      .trim(),
  hashOf: (messageId: string) => sha256Hex(messageKeys.normalise(messageId)),
  message: (messageIdHash: string): Key => ({ pk: `MESSAGE#${messageIdHash}`, sk: 'MESSAGE' }),
};
