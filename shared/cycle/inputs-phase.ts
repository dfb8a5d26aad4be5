/**
 * Collecting the inputs: one request per owner for all their inputs, then the decision point the
 * workflow loops on (reminders and escalations as they fall due, and at the deadline every missing
 * input recorded as not provided).
 */
import type { InputRequest, InputSubmission } from '../model/input.ts';
import { CYCLE_PHASES, type Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager, personById, topManagement } from '../programme/queries.ts';
import { sendableAt } from '../mail/business-hours.ts';
import { checkInputs as decideInputs, type InputState, type InputStep } from './input-policy.ts';
import type { CycleDeps, MailingDeps } from './ports.ts';
import { CycleNotFound, advance, programmeOf, viewOf, type CycleView } from './cycle-state.ts';
import { markNotProvided, readInputCollection, recordSteps } from './input-records.ts';
import { wakeUpFor, type StampedWakeUp } from './wake-up.ts';

/** The previous answer per input key, shown to owners for reference. */
async function previousAnswers(deps: Pick<CycleDeps, 'repo'>, cycle: Cycle, keys: readonly string[]) {
  const previous = new Map<string, InputSubmission>();
  for (const key of keys) {
    const history = await deps.repo.listSubmissionHistory(cycle.programmeId, key, {
      newestFirst: true,
      limit: 5,
    });
    const last = history.find((s) => s.cycleId !== cycle.id);
    if (last) previous.set(key, last);
  }
  return previous;
}

const ownedRequests = (requests: readonly InputRequest[]) => {
  const byOwner = new Map<string, InputRequest[]>();
  for (const request of requests) {
    if (request.automatic || !request.ownerId) continue;
    byOwner.set(request.ownerId, [...(byOwner.get(request.ownerId) ?? []), request]);
  }
  return byOwner;
};

/** Emails each input owner one request for all their inputs. */
export async function requestInputs(
  deps: MailingDeps<'inputRequest' | 'sendTogether'>,
  cycleId: string,
): Promise<CycleView> {
  // The cycle and its input requests in one read (the requests do not change when the phase does).
  const read = await deps.repo.getCycleWithInputs(cycleId);
  if (!read) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  const { requests } = read;
  let cycle = await advance(deps, read.cycle, 'REQUESTING_INPUTS');
  const programme = await programmeOf(deps, cycle);
  const owners = [...ownedRequests(requests)];
  // Every owner's request claimed in one write and recorded as sent in one more.
  await deps.notifier.sendTogether(async () => {
    for (const [ownerId, owned] of owners) {
      const previous = await previousAnswers(
        deps,
        cycle,
        owned.map((r) => r.inputKey),
      );
      await deps.notifier.inputRequest({
        cycle,
        programme,
        owner: personById(programme, ownerId),
        requests: owned,
        previous,
      });
    }
  });
  cycle = await advance(deps, cycle, 'AWAITING_INPUTS');
  return viewOf(cycle);
}

const inputPolicyOf = (programme: Programme) => ({
  reminderEveryDays: programme.leadTimes.inputReminderEveryDays,
  remindersBeforeEscalation: programme.escalation.inputEscalation.remindersBeforeEscalation,
});

/** Whether every input an owner must answer is answered. */
export function allInputsAnswered(requests: readonly InputRequest[]): boolean {
  return requests.every((r) => r.automatic || r.status !== 'REQUESTED');
}

/** Who an input follow-up step is addressed to (shared/notify/input-messages.ts sends it so). */
function stepRecipient(programme: Programme, ownerId: string, kind: InputStep['kind']) {
  if (kind === 'escalate-manager') return ismsManager(programme);
  if (kind === 'escalate-chair') return topManagement(programme).chair;
  return personById(programme, ownerId);
}

/**
 * The decision point of input collection: sends the reminders and escalations that are due, and at
 * the deadline records every missing input as not provided. `proceed` tells the workflow to compile;
 * otherwise it waits until the next step may go out to its recipient, or the deadline (wake-up.ts).
 */
export async function checkInputs(
  deps: MailingDeps<'inputFollowUp' | 'sendTogether'>,
  cycleId: string,
): Promise<{ proceed: boolean; missing: string[] } & StampedWakeUp> {
  // The cycle, its requests and the steps complete so far, in one read.
  const read = await readInputCollection(deps, cycleId);
  let cycle = read.cycle;
  if (CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_INPUTS')) {
    return { proceed: true, missing: [], ...wakeUpFor(cycle, deps.clock.now(), undefined) };
  }
  const programme = await programmeOf(deps, cycle);
  const now = deps.clock.now();
  const states: InputState[] = read.requests
    .filter((r) => !r.automatic && r.ownerId)
    .map((r) => ({ key: r.inputKey, ownerId: r.ownerId!, status: r.status }));
  const decision = decideInputs({
    now,
    requestedAt: new Date(cycle.openedAt),
    inputsDueAt: new Date(cycle.inputsDueAt),
    policy: inputPolicyOf(programme),
    inputs: states,
    // A step counts as sent once it is complete: one sent but not recorded (a crash in between) is
    // due again, and the outbox, finding it sent, only lets it be recorded.
    sent: read.done,
    // Each step waits for its recipient's business hours (the owner, the ISMS manager, the chair):
    // one due earlier still waits when the check runs outside them (the policy holds it from now).
    sendableAt: (ownerId, step) =>
      sendableAt(programme, stepRecipient(programme, ownerId, step.kind), step.dueAt),
  });

  if (decision.send.length > 0) {
    // Every step due, to every recipient, claimed in one write and recorded as sent in one more; a
    // failed send throws before anything is recorded on the requests, and the next check resumes.
    await deps.notifier.sendTogether(async () => {
      for (const { ownerId, step, keys } of decision.send) {
        await deps.notifier.inputFollowUp({
          cycle,
          programme,
          owner: personById(programme, ownerId),
          requests: read.requests.filter((r) => keys.includes(r.inputKey)),
          step,
        });
      }
    });
    await recordSteps(deps, read, decision.send, now);
  }
  const marked = decision.deadlinePassed ? await markNotProvided(deps, read, now) : [];
  // Not provided: marked now, or by a check that stopped before going on (a crash in between).
  const missing = [
    ...new Set([
      ...read.requests.filter((r) => r.status === 'NOT_PROVIDED').map((r) => r.inputKey),
      ...marked,
    ]),
  ];
  const proceed = decision.allAnswered || decision.deadlinePassed;
  if (proceed) {
    cycle = await advance(deps, cycle, 'COMPILING', {
      reason: missing.length > 0 ? 'input deadline passed' : 'all inputs answered',
    });
  }
  return { proceed, missing, ...wakeUpFor(cycle, now, decision.nextCheckAt) };
}
