/**
 * The rules a write must satisfy before any store takes it, whatever the storage: every
 * implementation of the ports (DynamoDB, in memory) calls these, so the rules live once, here, and
 * not inside one adapter. Each throws InvalidData naming every problem found.
 */
import { InvalidData, parseWith } from '../model/common.ts';
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import { EventDraft } from '../model/event.ts';
import { InputRequest, statusAfter, type InputSubmission } from '../model/input.ts';
import { NotificationKey } from '../model/records.ts';
import type { InputRequestsWriteOptions } from './cycles.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';

type Problem = { path: string; message: string };

/** A new cycle is version 1, and its requests are its own, each input once, each version 1. */
export function checkNewCycle(cycle: Cycle, requests: readonly InputRequest[]): void {
  const problems: Problem[] = [];
  if (cycle.version !== 1) problems.push({ path: 'cycle.version', message: 'a new cycle has version 1' });
  const keysSeen = new Set<string>();
  requests.forEach((request, index) => {
    if (request.cycleId !== cycle.id || request.programmeId !== cycle.programmeId) {
      problems.push({
        path: `requests[${index}].cycleId`,
        message: `input ${request.inputKey} names cycle ${request.cycleId} of ${request.programmeId}, not ${cycle.id} of ${cycle.programmeId}`,
      });
    }
    if (keysSeen.has(request.inputKey)) {
      problems.push({
        path: `requests[${index}].inputKey`,
        message: `input ${request.inputKey} is listed twice; request each input once`,
      });
    }
    keysSeen.add(request.inputKey);
    if (request.version !== 1)
      problems.push({ path: `requests[${index}].version`, message: 'a new input request has version 1' });
  });
  if (problems.length > 0) throw new InvalidData(`new cycle ${cycle.id}`, problems);
}

/**
 * What `updateInputRequests` writes, validated (each request, event draft and claim key against its
 * schema) and checked together (checkInputRequestsWrite): the same for every store.
 */
export function parseInputRequestsWrite(
  cycleId: string,
  inputs: readonly InputRequest[],
  options: InputRequestsWriteOptions = {},
): {
  readonly reads: InputRequest[];
  readonly drafts: EventDraft[];
  readonly claims: { readonly key: string; readonly at: string }[];
} {
  const reads = inputs.map((input, index) =>
    parseWith(InputRequest, input, `input request ${input?.inputKey ?? index} of cycle ${cycleId}`),
  );
  const drafts = (options.events ?? []).map((draft) =>
    parseWith(EventDraft, draft, `event for cycle ${cycleId}`),
  );
  const claims = (options.claims ?? []).map(({ key, at }) => ({
    key: parseWith(NotificationKey, key, 'notification key'),
    at,
  }));
  checkInputRequestsWrite(
    cycleId,
    reads,
    claims.map((claim) => claim.key),
  );
  return { reads, drafts, claims };
}

/** Requests written together are of the one cycle named, each input once; each claim once. */
export function checkInputRequestsWrite(
  cycleId: string,
  requests: readonly InputRequest[],
  claimKeys: readonly string[],
): void {
  const problems: Problem[] = [];
  const keysSeen = new Set<string>();
  requests.forEach((request, index) => {
    if (request.cycleId !== cycleId) {
      problems.push({
        path: `requests[${index}].cycleId`,
        message: `input ${request.inputKey} is of cycle ${request.cycleId}, not ${cycleId}`,
      });
    } else if (keysSeen.has(request.inputKey)) {
      problems.push({
        path: `requests[${index}].inputKey`,
        message: `input ${request.inputKey} is listed twice; write each request once`,
      });
    }
    keysSeen.add(request.inputKey);
  });
  claimKeys.forEach((key, index) => {
    if (claimKeys.indexOf(key) !== index) {
      problems.push({ path: `claims[${index}].key`, message: `notification ${key} is claimed twice` });
    }
  });
  if (problems.length > 0) throw new InvalidData(`input requests of cycle ${cycleId}`, problems);
}

/** The requests a submission's write checks as unchanged are other requests of its own cycle, each once. */
export function checkUnchanged(request: InputRequest, unchanged: readonly InputRequest[]): void {
  const problems: Problem[] = [];
  const keysSeen = new Set<string>([request.inputKey]);
  unchanged.forEach((other, index) => {
    if (other.cycleId !== request.cycleId) {
      problems.push({
        path: `unchanged[${index}].cycleId`,
        message: `input ${other.inputKey} is of cycle ${other.cycleId}, not ${request.cycleId}`,
      });
    } else if (keysSeen.has(other.inputKey)) {
      problems.push({
        path: `unchanged[${index}].inputKey`,
        message: `input ${other.inputKey} is the one answered or listed twice; list each other input once`,
      });
    }
    keysSeen.add(other.inputKey);
  });
  if (problems.length > 0)
    throw new InvalidData(`input request ${request.cycleId}/${request.inputKey}`, problems);
}

/**
 * A submission is recorded with the request it answers, which the caller has already pointed at
 * it (status and submissionId). Returns whether the submission is kept aside instead: received
 * before the one the request already names, it is kept on record without becoming current (the
 * newer answer wins by receipt time), and the store must then confirm that the current one was
 * indeed received after it.
 */
export function checkSubmission(submission: InputSubmission, request: InputRequest): { keptAside: boolean } {
  const requestId = `${request.cycleId}/${request.inputKey}`;
  if (request.cycleId !== submission.cycleId || request.inputKey !== submission.inputKey) {
    throw new InvalidData(`input request ${requestId}`, [
      {
        path: 'inputKey',
        message: `the submission answers ${submission.cycleId}/${submission.inputKey}, not ${requestId}`,
      },
    ]);
  }
  const keptAside =
    request.submissionId !== undefined && request.submissionId !== submission.id && !submission.supersedes;
  if (!keptAside && (request.submissionId !== submission.id || request.status !== statusAfter(submission))) {
    throw new InvalidData(`input request ${requestId}`, [
      {
        path: 'status',
        message: `set status ${statusAfter(submission)} and submissionId ${submission.id} on the request before recording the submission`,
      },
    ]);
  }
  return { keptAside };
}

/** Actions created together belong to one cycle, each once, each version 1. Returns that cycle. */
export function checkNewActions(actions: readonly Action[]): string {
  const cycleId = actions[0]?.cycleId;
  if (cycleId === undefined)
    throw new InvalidData('new actions', [{ path: '(root)', message: 'give at least one action' }]);
  const problems: Problem[] = [];
  const ids = new Set<string>();
  actions.forEach((action, index) => {
    if (action.cycleId !== cycleId) {
      problems.push({
        path: `[${index}].cycleId`,
        message: `actions created together belong to one cycle (${cycleId})`,
      });
    }
    if (ids.has(action.id)) problems.push({ path: `[${index}].id`, message: `${action.id} is listed twice` });
    ids.add(action.id);
    if (action.version !== 1)
      problems.push({ path: `[${index}].version`, message: 'a new action has version 1' });
  });
  if (problems.length > 0) throw new InvalidData('new actions', problems);
  return cycleId;
}

/**
 * Minutes are stored with what accepting them changes: the cycle must be theirs; every action
 * theirs and listed once; new actions version 1 and exactly the actions the minutes name, in
 * their order.
 */
export function checkMinutesWrite(
  minutes: MinutesRecord,
  changes: { newActions: readonly Action[]; changedActions: readonly Action[]; cycle?: Cycle | undefined },
): void {
  const { cycleId } = minutes;
  const problems: Problem[] = [];
  if (changes.cycle && changes.cycle.id !== cycleId) {
    problems.push({
      path: 'cycle.id',
      message: `the minutes are of cycle ${cycleId}, not ${changes.cycle.id}`,
    });
  }
  const ids = new Set<string>();
  [...changes.newActions, ...changes.changedActions].forEach((action) => {
    if (action.cycleId !== cycleId) {
      problems.push({
        path: `actions.${action.id}`,
        message: `belongs to cycle ${action.cycleId}, not ${cycleId}`,
      });
    }
    if (ids.has(action.id)) problems.push({ path: `actions.${action.id}`, message: 'is listed twice' });
    ids.add(action.id);
  });
  changes.newActions.forEach((action) => {
    if (action.version !== 1) {
      problems.push({ path: `newActions.${action.id}`, message: 'a new action has version 1' });
    }
  });
  const newIds = changes.newActions.map((action) => action.id);
  if (newIds.length > 0 && newIds.join() !== minutes.actionIds.join()) {
    problems.push({
      path: 'newActions',
      message: `the minutes name actions ${minutes.actionIds.join(', ') || 'none'}; the new actions must be exactly those, in that order`,
    });
  }
  if (problems.length > 0) throw new InvalidData(`minutes ${cycleId} version ${minutes.version}`, problems);
}
