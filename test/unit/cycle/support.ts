/**
 * What the cycle's use-case tests share on top of the memory world (test/support/memory-world.ts):
 * answers in the owners' block format, the cycle driven to a phase as the workflow would drive it,
 * and minutes of the example programme's meeting that are valid.
 */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import {
  checkApproval,
  checkInputs,
  compilePackage,
  distributePackage,
  recordOutcomes,
  requestMinutes,
} from '#shared/cycle/service.ts';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import { submitInput, type SubmitInputResult } from '#shared/cycle/submit-input.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { meetingMinutesOf, programmeCatalogue } from '#shared/programme/queries.ts';
import type { IngestResult } from '#shared/ingest/pipeline.ts';
import { DAY, HOUR, type MemoryWorld } from '#test/support/memory-world.ts';

/** An owner's answer to one input, as the request email asks for it. */
export function answerBlock(
  request: Pick<InputRequest, 'inputKey' | 'title' | 'periodCovered'>,
  summary = `Reviewed for the period; nothing alarming in ${request.inputKey}.`,
): string {
  return [
    `[input ${request.inputKey}] ${request.title}`,
    `period: ${request.periodCovered.from} to ${request.periodCovered.to}`,
    `summary: ${summary}`,
    `metric: Open items = ${request.inputKey.length + 2}`,
    // The figures the catalogue requires for this input, and an objective where it asks for them.
    ...inputFields(request.inputKey)
      .fields.filter((field) => field.required)
      .map((field, index) => `metric: ${field.label} = ${index + 1}`),
    ...(inputFields(request.inputKey).objectives
      ? ['objective: Staff trained | target 95 % | actual 91 % | status off track']
      : []),
    '[end]',
  ].join('\n');
}

/** Answers `inputKey` from the command line, in its owner's name. */
export async function answer(w: MemoryWorld, inputKey: string): Promise<SubmitInputResult> {
  const request = (await w.repo.getInputRequest(w.cycleId, inputKey))!;
  const result = await submitInput(w.deps, {
    cycleId: w.cycleId,
    inputKey,
    text: answerBlock(request),
    fileName: `${inputKey}.txt`,
  });
  if (!result.ok)
    throw new Error(`the answer to ${inputKey} was refused: ${JSON.stringify(result.problems)}`);
  return result;
}

export async function theCycle(w: MemoryWorld): Promise<Cycle> {
  return (await w.repo.getCycle(w.cycleId))!;
}

/** The input deadline passes unanswered and the package is built (phase AWAITING_DISTRIBUTION). */
export async function toCompiled(w: MemoryWorld): Promise<Cycle> {
  w.clock.set(new Date(Date.parse((await theCycle(w)).inputsDueAt) + 60_000));
  expect((await checkInputs(w.deps, w.cycleId)).proceed).toBe(true);
  await compilePackage(w.deps, w.cycleId);
  return theCycle(w);
}

/**
 * The approver answers the latest approval request for `subject` by reply (`APPROVE` unless `body`
 * says otherwise): the workflow's Check<subject>Approval asks first, as it does after each step (a
 * package whose inputs changed since its build is compiled again first, as the workflow does).
 */
export async function answerApproval(
  w: MemoryWorld,
  subject: 'package' | 'minutes',
  body = 'APPROVE',
): Promise<IngestResult> {
  let checked = await checkApproval(w.deps, { cycleId: w.cycleId, subject });
  if (checked.rebuild) {
    await compilePackage(w.deps, w.cycleId);
    checked = await checkApproval(w.deps, { cycleId: w.cycleId, subject });
  }
  if (checked.approved) throw new Error(`the ${subject} is already approved`);
  const approver =
    subject === 'package' ? w.programme.roles.ismsManager : w.programme.roles.topManagement.chair;
  const request = await w.sentUnder(`${subject}-approval:v${checked.version}:request`);
  return w.deliver(w.replyTo(request, approver, body));
}

/** ... approved by the ISMS manager by reply. */
export async function toApproved(w: MemoryWorld): Promise<Cycle> {
  await toCompiled(w);
  const answered = await answerApproval(w, 'package');
  expect(answered.outcome).toBe('accepted');
  return theCycle(w);
}

/** ... and sent to top management on its day (phase DISTRIBUTED). */
export async function toDistributed(w: MemoryWorld): Promise<Cycle> {
  const compiled = await toApproved(w);
  w.clock.set(new Date(compiled.packageSendAt));
  await distributePackage(w.deps, w.cycleId);
  return theCycle(w);
}

/** ... the meeting held and the minutes asked for (phase AWAITING_MINUTES). */
export async function toAwaitingMinutes(w: MemoryWorld): Promise<Cycle> {
  const distributed = await toDistributed(w);
  const ends =
    Date.parse(distributed.plannedMeetingAt) + meetingMinutesOf(w.programme, distributed.type) * 60_000;
  w.clock.set(new Date(ends + HOUR));
  expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({ meetingHeld: true });
  return theCycle(w);
}

/** ... the minutes accepted and distributed (phase FOLLOW_UP), with the one action they decide. */
export async function toFollowUp(w: MemoryWorld): Promise<Cycle> {
  const awaiting = await toAwaitingMinutes(w);
  const submitted = await submitMinutes(w.deps, {
    cycleId: w.cycleId,
    text: exampleMinutes(w, awaiting),
    fileName: 'minutes.yaml',
  });
  if (!submitted.ok) throw new Error(`the minutes were refused:\n${submitted.problems.join('\n')}`);
  expect((await answerApproval(w, 'minutes')).outcome).toBe('accepted');
  await recordOutcomes(w.deps, w.cycleId);
  return theCycle(w);
}

/**
 * Minutes of the example programme's meeting, valid for a cycle whose inputs were not provided (the
 * notes say so) except those `answered`: top management present, one decision and its action for
 * the CISO, due ten days after the meeting.
 */
export function exampleMinutes(w: MemoryWorld, cycle: Cycle, answered: readonly string[] = []): string {
  const keys = programmeCatalogue(w.programme).map((input) => input.key);
  const note = (key: string) =>
    key === 'a'
      ? 'no actions were open from earlier reviews'
      : answered.includes(key)
        ? 'considered; no change needed'
        : 'not provided; its owner to report at the next review';
  const due = new Date(Date.parse(cycle.plannedMeetingAt) + 10 * DAY).toISOString().slice(0, 10);
  const local = DateTime.fromISO(cycle.plannedMeetingAt, { zone: w.programme.organisation.timeZone });
  return `cycle: ${cycle.id}
meeting:
  date: ${local.toISODate()}
  time: '${local.toFormat('HH:mm')}'
attendees:
  - { person: ceo, status: present }
  - { person: cfo, status: present }
  - { person: cto, status: absent }
  - { person: alice, status: present }
inputsConsidered:
${keys.map((key) => `  ${key}: ${note(key)}`).join('\n')}
decisions:
  - { ref: D1, category: processes_and_controls, text: Ask every input owner to answer on time, input: d1 }
actions:
  - { title: Agree input deadlines with every owner, owner: ciso, due: ${due}, decision: D1 }
changesToTheIsms: Input owners agree their deadlines with the ISMS manager (D1).
resourceNeeds: "no additional resources needed: the owners have the time, they need earlier notice"
assessment:
  suitability: { verdict: yes, rationale: Scope matches the business. }
  adequacy: { verdict: partly, rationale: Several inputs were not provided. }
  effectiveness: { verdict: yes, rationale: Objectives met. }
  alignment: { verdict: yes, rationale: Supports the strategy. }
`;
}
