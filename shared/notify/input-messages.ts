/**
 * The messages that collect the review's inputs: the request to each owner (with their previous
 * answers for reference), the reminders, and the escalations to the ISMS manager and the chair.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest } from '../model/input.ts';
import { catalogueInput, clauseLabel } from '../catalogue/catalogue.ts';
import type { Programme, Person as ProgrammePerson } from '../programme/schema.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import { DEFAULT_MAIL_LIMITS } from '../mail/mail-checks.ts';
import { renderInputBlocks, renderInputTemplate } from '../mail/reply-format.ts';
import * as templates from '../mail/templates/index.ts';
import { DAY, person, type CycleMail } from './envelope.ts';

function requestedInputs(programme: Programme, requests: readonly InputRequest[]) {
  return requests.map((r) => ({
    key: r.inputKey,
    title: r.title,
    clauses: (catalogueInput(programme.managementSystems, r.inputKey)?.clauses ?? []).map(clauseLabel),
    asked: catalogueInput(programme.managementSystems, r.inputKey)?.prompt ?? r.title,
    period: r.periodCovered,
  }));
}

const blocksOf = (requests: readonly InputRequest[]) =>
  requests.map((r) => ({ key: r.inputKey, title: r.title, period: r.periodCovered }));

/** The owner's reply address for their inputs, valid until a month after the meeting. */
const inputsReply = (mail: CycleMail, cycle: Cycle, programme: Programme, owner: ProgrammePerson) =>
  mail.replyAddress({
    cycle,
    programme,
    purpose: 'inputs',
    recipient: owner,
    expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 30 * DAY),
  });

export async function inputRequest(
  mail: CycleMail,
  { cycle, programme, owner, requests, previous }: Parameters<NotifierPort['inputRequest']>[0],
) {
  const manager = ismsManager(programme);
  await mail.send({
    cycle,
    programme,
    key: `input-request:${owner.id}`,
    purpose: 'inputs',
    to: [owner],
    build: async () => {
      // The previous answers' reviews, by their titles (e.g. "Q2 2026 management review").
      const earlier = new Map<string, string>();
      for (const cycleId of new Set([...previous.values()].map((answer) => answer.cycleId))) {
        earlier.set(cycleId, await mail.titleOfEarlierCycle(cycleId));
      }
      const rendered = templates.inputRequest({
        ...mail.addressed(cycle, programme, owner),
        inputs: requestedInputs(programme, requests).map((input) => {
          const last = previous.get(input.key);
          return last
            ? {
                ...input,
                previousAnswer: {
                  cycleTitle: earlier.get(last.cycleId) ?? `review ${last.cycleId}`,
                  receivedAt: last.receivedAt,
                  summary: last.summary,
                  nothingToReport: last.kind === 'nothing_to_report',
                },
              }
            : input;
        }),
        deadline: cycle.inputsDueAt,
        meetingAt: cycle.plannedMeetingAt,
        // The email explains the fields itself ("How to answer"): the block alone is to copy.
        replyTemplate: renderInputBlocks(blocksOf(requests)),
        maxAttachmentMb: Math.floor(DEFAULT_MAIL_LIMITS.maxMessageBytes / (1024 * 1024)),
        ismsManager: person(manager),
      });
      return { ...rendered, replyTo: await inputsReply(mail, cycle, programme, owner) };
    },
  });
}

export async function inputFollowUp(
  mail: CycleMail,
  { cycle, programme, owner, requests, step }: Parameters<NotifierPort['inputFollowUp']>[0],
) {
  const manager = ismsManager(programme);
  const chair = topManagement(programme).chair;
  const key = `input:${owner.id}:${step.id}`;
  if (step.kind === 'reminder') {
    await mail.send({
      cycle,
      programme,
      key,
      purpose: 'inputs',
      to: [owner],
      build: async () => ({
        ...templates.inputReminder({
          ...mail.addressed(cycle, programme, owner),
          missing: blocksOf(requests),
          requestedAt: requests[0]?.requestedAt ?? cycle.openedAt,
          deadline: cycle.inputsDueAt,
          reminderNumber: Number(step.id.split('-')[1] ?? 1),
          replyTemplate: renderInputTemplate(blocksOf(requests)),
          ismsManager: person(manager),
        }),
        replyTo: await inputsReply(mail, cycle, programme, owner),
      }),
    });
    return;
  }
  const toChair = step.kind === 'escalate-chair';
  const recipient = toChair ? chair : manager;
  await mail.send({
    cycle,
    programme,
    key,
    purpose: 'inputs',
    to: [recipient],
    cc: toChair ? [manager, owner] : [owner],
    build: async () =>
      templates.inputEscalation({
        ...mail.addressed(cycle, programme, recipient),
        level: toChair ? 'chair' : 'isms-manager',
        missing: requests.map((r) => ({
          key: r.inputKey,
          title: r.title,
          owner: person(owner),
          requestedAt: r.requestedAt,
          remindersSent: r.remindersSent,
        })),
        deadline: cycle.inputsDueAt,
        now: mail.options.clock.now().toISOString(),
        meetingAt: cycle.plannedMeetingAt,
        ismsManager: person(manager),
      }),
  });
}

/** The input messages on one envelope: the notifier of the functions that send only these. */
export const inputMessages = (
  mail: CycleMail,
): Pick<NotifierPort, 'sendTogether' | 'inputRequest' | 'inputFollowUp'> => ({
  sendTogether: (work) => mail.sendTogether(work),
  inputRequest: (args) => inputRequest(mail, args),
  inputFollowUp: (args) => inputFollowUp(mail, args),
});
