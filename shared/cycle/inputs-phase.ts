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
import {
  CycleNotFound,
  SYSTEM,
  advance,
  iso,
  loadCycle,
  programmeOf,
  viewOf,
  type CycleView,
} from './cycle-state.ts';
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

/** Marks an input follow-up step as complete: sent and recorded on every request it covers. */
const DONE_SUFFIX = ':done';

/** The inputs whose follow-up `stepId` is already in the log (a step resumed after a crash). */
async function stepRecorded(
  deps: Pick<CycleDeps, 'repo'>,
  cycleId: string,
  stepId: string,
): Promise<Set<string>> {
  const events = await deps.repo.listEvents(cycleId);
  return new Set(
    events
      .filter(
        (e) => (e.type === 'input.reminder_sent' || e.type === 'input.escalated') && e.data.step === stepId,
      )
      .map((e) => String(e.data.inputKey)),
  );
}

/**
 * The decision point of input collection: sends the reminders and escalations that are due, and at
 * the deadline records every missing input as not provided. `proceed` tells the workflow to compile;
 * otherwise it waits until the next step may go out to its recipient, or the deadline (wake-up.ts).
 */
export async function checkInputs(
  deps: MailingDeps<'inputFollowUp'>,
  cycleId: string,
): Promise<{ proceed: boolean; missing: string[] } & StampedWakeUp> {
  let cycle = await loadCycle(deps, cycleId);
  if (CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_INPUTS')) {
    return { proceed: true, missing: [], ...wakeUpFor(cycle, deps.clock.now(), undefined) };
  }
  const programme = await programmeOf(deps, cycle);
  const records = await deps.repo.getCycleRecords(cycleId);
  if (!records) throw new CycleNotFound(`cycle ${cycleId} does not exist`);
  const now = deps.clock.now();
  const states: InputState[] = records.inputRequests
    .filter((r) => !r.automatic && r.ownerId)
    .map((r) => ({ key: r.inputKey, ownerId: r.ownerId!, status: r.status }));
  // A step counts as sent once it is complete (its `:done` marker): a claim without one is a step a
  // crash interrupted between claiming and finishing, and is finished below.
  const sent = new Set(
    records.notificationsSent
      .filter((k) => k.startsWith('input:') && k.endsWith(DONE_SUFFIX))
      .map((k) => k.slice('input:'.length, -DONE_SUFFIX.length)),
  );
  const decision = decideInputs({
    now,
    requestedAt: new Date(cycle.openedAt),
    inputsDueAt: new Date(cycle.inputsDueAt),
    policy: inputPolicyOf(programme),
    inputs: states,
    sent,
    // Each step waits for its recipient's business hours (the owner, the ISMS manager, the chair):
    // one due earlier still waits when the check runs outside them.
    sendableAt: (ownerId, step) =>
      sendableAt(
        programme,
        stepRecipient(programme, ownerId, step.kind),
        new Date(Math.max(step.dueAt.getTime(), now.getTime())),
      ),
  });

  for (const { ownerId, step, keys } of decision.send) {
    const claimKey = `input:${ownerId}:${step.id}`;
    const fresh = await deps.repo.claimNotification(cycleId, claimKey, iso(now));
    const owned = records.inputRequests.filter((r) => keys.includes(r.inputKey));
    // Resuming an interrupted step: the outbox sends each key once, and what was recorded stays.
    const recorded = fresh ? new Set<string>() : await stepRecorded(deps, cycleId, step.id);
    try {
      await deps.notifier.inputFollowUp({
        cycle,
        programme,
        owner: personById(programme, ownerId),
        requests: owned,
        step,
      });
    } catch (error) {
      await deps.repo.releaseNotification(cycleId, claimKey);
      throw error;
    }
    for (const request of owned) {
      const current = (await deps.repo.getInputRequest(cycleId, request.inputKey))!;
      if (current.status !== 'REQUESTED' || recorded.has(request.inputKey)) continue;
      const updated: InputRequest =
        step.kind === 'reminder'
          ? { ...current, remindersSent: current.remindersSent + 1, lastReminderAt: iso(now) }
          : { ...current, escalationLevel: step.kind === 'escalate-manager' ? 1 : 2 };
      await deps.repo.updateInputRequest(updated, {
        event: {
          type: step.kind === 'reminder' ? 'input.reminder_sent' : 'input.escalated',
          at: iso(now),
          actor: SYSTEM,
          data: { inputKey: request.inputKey, ownerId, step: step.id },
        },
      });
    }
    await deps.repo.claimNotification(cycleId, `${claimKey}${DONE_SUFFIX}`, iso(now));
  }

  if (decision.deadlinePassed) {
    for (const key of decision.notProvided) {
      const current = (await deps.repo.getInputRequest(cycleId, key))!;
      if (current.status !== 'REQUESTED') continue;
      await deps.repo.updateInputRequest(
        { ...current, status: 'NOT_PROVIDED', notProvidedAt: iso(now) },
        {
          event: {
            type: 'input.not_provided',
            at: iso(now),
            actor: SYSTEM,
            data: { inputKey: key, ownerId: current.ownerId ?? null, dueAt: current.dueAt },
          },
        },
      );
    }
  }
  const proceed = decision.allAnswered || decision.deadlinePassed;
  if (proceed) {
    cycle = await advance(deps, cycle, 'COMPILING', {
      reason: decision.allAnswered ? 'all inputs answered' : 'input deadline passed',
    });
  }
  return { proceed, missing: decision.notProvided, ...wakeUpFor(cycle, now, decision.nextCheckAt) };
}
