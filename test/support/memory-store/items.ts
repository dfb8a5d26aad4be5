/** The items the stores write, keyed as shared/store/keys.ts says, and the steps they share. */
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { actionKeys, cycleKeys, inputKeys, type Key } from '#shared/store/keys.ts';
import { ChainConflict, ConcurrentUpdate, NotFound, type RecordKind } from '#shared/store/repository.ts';
import { numberAttribute, type Item, type MemoryTable, type Step } from './table.ts';

export function inputRequestItem(request: InputRequest): Item {
  return {
    ...inputKeys.request(request.cycleId, request.inputKey),
    ...inputKeys.requestIndexKeys(request),
    entity: 'input-request',
    ...request,
  };
}

export function actionItem(action: Action): Item {
  return {
    ...actionKeys.action(action.cycleId, action.id),
    ...actionKeys.indexKeys(action),
    entity: 'action',
    ...action,
  };
}

/** The cycle item: the record, its index keys, and the chain head it carries. */
export function cycleItem(cycle: Cycle, head: { seq: number; hash: string }): Item {
  return {
    ...cycleKeys.cycle(cycle.id),
    ...cycleKeys.indexKeys(cycle),
    entity: 'cycle',
    ...cycle,
    eventHeadSeq: head.seq,
    eventHeadHash: head.hash,
  };
}

/** A Put of a new item (AlreadyExists, or what `onTaken` says, when the key is taken). */
export function newItemStep(table: MemoryTable, item: Item, onTaken: () => Error): Step {
  return {
    table,
    key: keyOf(item),
    condition: (current) => current === undefined,
    write: () => item,
    onConditionFailed: onTaken,
  };
}

/** A Put that replaces a versioned record read at `expectedVersion`: NotFound / ConcurrentUpdate. */
export function versionedPutStep(
  table: MemoryTable,
  kind: RecordKind,
  id: string,
  item: Item,
  expectedVersion: number,
): Step {
  return {
    table,
    key: keyOf(item),
    condition: (current) => current !== undefined && current.version === expectedVersion,
    write: () => item,
    onConditionFailed: (current) =>
      current
        ? new ConcurrentUpdate(kind, id, expectedVersion, numberAttribute(current, 'version'))
        : new NotFound(kind, id),
  };
}

/** A check that an item exists, with the error its absence means. */
export function existsStep(table: MemoryTable, key: Key, onMissing: () => Error): Step {
  return { table, key, condition: (current) => current !== undefined, onConditionFailed: onMissing };
}

function keyOf(item: Item): Key {
  return { pk: String(item.pk), sk: String(item.sk) };
}

/**
 * Stores `cycle` (read at `read.version`) and, when events are appended with it, moves the chain
 * head from `head` to `last` in the same write: the cycle item holds both, and a transaction may
 * touch an item once.
 */
export function cycleUpdateStep(
  table: MemoryTable,
  read: Cycle,
  cycle: Cycle,
  head?: { seq: number },
  last?: { seq: number; hash: string },
): Step {
  const moves = head !== undefined && last !== undefined;
  return {
    table,
    key: cycleKeys.cycle(cycle.id),
    condition: (current) =>
      current !== undefined &&
      current.version === read.version &&
      (!moves || current.eventHeadSeq === head.seq),
    write: (current) =>
      cycleItem(
        cycle,
        moves ? last : { seq: Number(current?.eventHeadSeq ?? 0), hash: String(current?.eventHeadHash) },
      ),
    onConditionFailed: (current) => {
      if (!current) return new NotFound('cycle', cycle.id);
      const found = numberAttribute(current, 'version');
      if (found !== read.version) return new ConcurrentUpdate('cycle', cycle.id, read.version, found);
      return new ChainConflict(cycle.id, last?.seq ?? 0);
    },
  };
}
