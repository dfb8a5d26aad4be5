/**
 * The messages that follow the review's actions up: reminders, overdue notices and escalations to
 * the owner, the ISMS manager and top management; the effectiveness check; extension requests and
 * their decisions; a reopened action; and top management's decision on an escalated one.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import { awaitingConfirmation, type Action } from '../model/action.ts';
import { closureConfirmer, EFFECTIVENESS_CHECK_DAYS } from '../actions/action-change.ts';
import { DECISION_CATEGORY_TITLES } from '../model/meeting.ts';
import type { ActionMessage, ActionNotifierPort } from '../actions/ports.ts';
import type { Programme, Person as ProgrammePerson } from '../programme/schema.ts';
import { ismsManager, personById, topManagement } from '../programme/queries.ts';
import { copiedWords, detourWords, escalationRoute, roleWords } from '../actions/escalation-route.ts';
import { ladderFor, ladderPolicyOf, reminderLabel } from '../actions/escalation-policy.ts';
import type { MessageSpec } from '../mail/compose.ts';
import { MANAGEMENT_COMMANDS, renderActionCommandLines } from '../mail/reply-format.ts';
import * as templates from '../mail/templates/index.ts';
import { DAY, person, type CycleMail } from './envelope.ts';

/** The decision an action carries out, in the minutes' words, e.g. `D1 (Resource allocation): Fund ...`. */
async function decisionText(mail: CycleMail, action: Action): Promise<string | undefined> {
  if (!action.decisionId) return action.description;
  const minutes = await mail.options.repo.getMinutes(action.cycleId);
  const decision = minutes?.content.decisions.find((d) => d.id === action.decisionId);
  if (!decision) return action.description;
  const ref = minutes?.content.decisionRefs[decision.id] ?? decision.id;
  return `${ref} (${DECISION_CATEGORY_TITLES[decision.category]}): ${decision.text}`;
}

function actionRef(cycle: Cycle, programme: Programme, action: Action): templates.ActionRef {
  // The last update a person made (not the notices the system sent, nor the creation).
  const lastUpdate = action.history.slice(1).findLast((entry) => entry.by !== 'system');
  return {
    id: action.id,
    title: action.title,
    owner: person(personById(programme, action.ownerId)),
    dueDate: action.dueDate,
    status: action.status.replace('_', ' '),
    decidedIn: {
      cycleTitle: cycleTitle(cycle),
      meetingDate: (cycle.heldAt ?? cycle.plannedMeetingAt).slice(0, 10),
    },
    ...(action.description ? { decisionText: action.description } : {}),
    ...(lastUpdate ? { lastUpdate: { at: lastUpdate.at, note: lastUpdate.change } } : {}),
  };
}

async function actionDetails(
  mail: CycleMail,
  cycle: Cycle,
  programme: Programme,
  action: Action,
): Promise<templates.ActionRef> {
  const ref = actionRef(cycle, programme, action);
  const text = await decisionText(mail, action);
  return text ? { ...ref, decisionText: text } : ref;
}

/** A reply address for an action's person (owner, checker or chair), valid for a year. */
function actionReply(mail: CycleMail, message: ActionMessage, purpose: string, recipient: ProgrammePerson) {
  return mail.replyAddress({
    cycle: message.cycle,
    programme: message.programme,
    purpose,
    recipient,
    ref: message.action.id,
    expiresAt: new Date(mail.options.clock.now().getTime() + 365 * DAY),
  });
}

/** What a message about one action to one person starts with. */
type AboutAction = ReturnType<CycleMail['addressed']> & {
  action: templates.ActionRef;
  ismsManager: templates.Person;
};

/**
 * Sends a message about `message.action` to one person, keyed `action:<id>:<step>`: the template
 * gets the greeting, the action (with its decision) and the ISMS manager; `replies` adds a reply
 * address for the recipient, with the message's purpose.
 */
async function sendAboutAction(
  mail: CycleMail,
  message: ActionMessage,
  envelope: {
    step: string;
    purpose: string;
    to: ProgrammePerson;
    cc?: readonly ProgrammePerson[];
    replies: boolean;
  },
  render: (about: AboutAction) => Omit<MessageSpec, 'from' | 'to' | 'cc'>,
) {
  const { cycle, programme, action } = message;
  await mail.send({
    cycle,
    programme,
    key: `action:${action.id}:${envelope.step}`,
    purpose: envelope.purpose,
    to: [envelope.to],
    ...(envelope.cc ? { cc: envelope.cc } : {}),
    build: async () => ({
      ...render({
        ...mail.addressed(cycle, programme, envelope.to),
        action: await actionDetails(mail, cycle, programme, action),
        ismsManager: person(ismsManager(programme)),
      }),
      ...(envelope.replies
        ? { replyTo: await actionReply(mail, message, envelope.purpose, envelope.to) }
        : {}),
    }),
  });
}

export async function actionStep(
  mail: CycleMail,
  { cycle, programme, action, step, daysOverdue }: Parameters<NotifierPort['actionStep']>[0],
) {
  const owner = personById(programme, action.ownerId);
  const manager = ismsManager(programme);
  const key = `action:${action.id}:${action.dueDate}:${step.id}`;
  const ref = await actionDetails(mail, cycle, programme, action);
  if (step.kind === 'reminder' || step.kind === 'overdue-notice') {
    const about = { ...mail.addressed(cycle, programme, owner), action: ref, ismsManager: person(manager) };
    const daysLeft = Math.max(
      0,
      Math.round((Date.parse(`${action.dueDate}T00:00:00Z`) - mail.options.clock.now().getTime()) / DAY),
    );
    await mail.send({
      cycle,
      programme,
      key,
      purpose: 'action',
      to: [owner],
      build: async () => ({
        ...(step.kind === 'reminder'
          ? templates.actionReminder({ ...about, daysLeft })
          : templates.actionOverdue({ ...about, daysOverdue })),
        replyTo: await mail.replyAddress({
          cycle,
          programme,
          purpose: 'action',
          recipient: owner,
          ref: action.id,
          expiresAt: new Date(Date.parse(`${action.dueDate}T00:00:00Z`) + 365 * DAY),
        }),
      }),
    });
    return;
  }
  const toTop = step.kind === 'escalate-top';
  const route = escalationRoute(programme, owner.id, step.kind);
  // Nobody above the owner: the sweep records the step as not sent, with the reason.
  if (route.to.length === 0) return;
  const to = route.to.map((addressee) => addressee.person);
  // A member of top management among the addressees may answer with top management's decision.
  const decider = route.to.find((addressee) => addressee.decides)?.person;
  const firstTo = toTop ? escalationRoute(programme, owner.id, 'escalate-manager').to : [];
  const firstEscalationTo = firstTo.some((addressee) => addressee.person.id === manager.id)
    ? undefined
    : firstTo.map((addressee) => addressee.person.name).join(' and ') || undefined;
  await mail.send({
    cycle,
    programme,
    key,
    purpose: decider ? 'decision' : 'action',
    to,
    cc: route.cc,
    build: async () => ({
      ...templates.actionEscalation({
        ...mail.context(programme, to[0]),
        // Top management answers with its decision by reply (any member may; the first one addressed is asked).
        ...(decider ? { replyTemplate: renderActionCommandLines(MANAGEMENT_COMMANDS) } : {}),
        level: toTop ? 'top-management' : 'isms-manager',
        cycle: mail.cycleRef(cycle),
        recipient: to.length === 1 && to[0] ? person(to[0]) : { name: to.map((p) => p.name).join(' and ') },
        actions: [
          {
            ...ref,
            daysOverdue,
            ...(action.stepsSent?.['overdue-notice']
              ? { ownerToldAt: action.stepsSent['overdue-notice'] }
              : {}),
            ...(toTop && action.stepsSent?.['escalate-manager']
              ? {
                  managerToldAt: action.stepsSent['escalate-manager'],
                  ...(firstEscalationTo ? { firstEscalationTo } : {}),
                }
              : {}),
            ...(action.extensionsGranted ? { extensionsGranted: action.extensionsGranted } : {}),
          },
        ],
        ismsManager: person(manager),
        routing: {
          to: route.to.map((addressee) => ({
            name: addressee.person.name,
            as: addressee.roles.map(roleWords),
            decides: addressee.decides,
          })),
          copied: route.cc.map((copied) => ({ name: copied.name, as: copiedWords(route, copied) })),
          notes: route.detours.map((detour) => detourWords(route, detour)),
        },
      }),
      ...(decider
        ? { replyTo: await actionReply(mail, { cycle, programme, action }, 'decision', decider) }
        : {}),
    }),
  });
}

export async function effectivenessCheckRequest(
  mail: CycleMail,
  message: ActionMessage & { overdue?: boolean },
) {
  const { programme, action } = message;
  const overdue = message.overdue === true;
  const check = action.effectivenessCheck;
  const closure = action.closureEvidence;
  // The check starts once the closure is confirmed (a corrective action is always one).
  if (action.status !== 'done' || !check || check.result || !closure || !action.closureConfirmation) return;
  await sendAboutAction(
    mail,
    message,
    {
      step: `check:${closure.at}${overdue ? ':overdue' : ''}`,
      purpose: 'effectiveness',
      to: personById(programme, check.assigneeId),
      ...(overdue ? { cc: [ismsManager(programme)] } : {}),
      replies: true,
    },
    (about) =>
      templates.effectivenessCheck({
        ...about,
        closure: { text: closure.text, at: closure.at },
        checkDueDate: check.dueDate,
        ...(overdue ? { overdue } : {}),
      }),
  );
}

export async function closureConfirmationRequest(
  mail: CycleMail,
  message: ActionMessage & { overdue?: boolean },
) {
  const { programme, action } = message;
  const overdue = message.overdue === true;
  const closure = action.closureEvidence;
  if (!awaitingConfirmation(action) || !closure) return;
  const confirmer = personById(programme, closureConfirmer(programme, action.ownerId));
  const checker = personById(programme, action.effectivenessCheck?.assigneeId ?? confirmer.id);
  await sendAboutAction(
    mail,
    message,
    {
      step: `confirm:${closure.at}${overdue ? ':overdue' : ''}`,
      purpose: 'closure',
      to: confirmer,
      replies: true,
    },
    (about) =>
      templates.closureConfirmation({
        ...about,
        closure: {
          text: closure.text,
          at: closure.at,
          links: closure.links ?? [],
          attachments: (closure.attachments ?? []).map((a) => ({
            name: a.name,
            size: a.size,
            sha256: a.sha256,
          })),
        },
        checker: person(checker),
        checkDays: EFFECTIVENESS_CHECK_DAYS,
        ...(overdue ? { overdue } : {}),
        ...(confirmer.id !== ismsManager(programme).id ? { asChair: true } : {}),
      }),
  );
}

export async function closureReopened(
  mail: CycleMail,
  message: Parameters<NotifierPort['closureReopened']>[0],
) {
  const { programme, action } = message;
  await sendAboutAction(
    mail,
    message,
    {
      step: `closure-reopened:${action.updatedAt}`,
      purpose: 'action',
      to: personById(programme, action.ownerId),
      replies: true,
    },
    (about) =>
      templates.closureReopened({
        ...about,
        reason: message.reason,
        reopenedBy: person(personById(programme, message.reopenedBy)),
      }),
  );
}

export async function extensionRequest(mail: CycleMail, message: ActionMessage) {
  const { programme, action } = message;
  const pending = action.extensionRequest;
  if (!pending) return;
  await sendAboutAction(
    mail,
    message,
    {
      step: `extension:${pending.requestedAt}`,
      purpose: 'extension',
      to: topManagement(programme).chair,
      cc: [ismsManager(programme)],
      replies: true,
    },
    (about) =>
      templates.extensionRequest({
        ...about,
        requestedAt: pending.requestedAt,
        requestedDueDate: pending.dueDate,
        reason: pending.reason,
        previousExtensions: action.extensionsGranted ?? 0,
      }),
  );
}

/**
 * The reminders a change at `at` recorded as given by its own notice (action-change.ts
 * CoveredReminders): `7-day` for `remind-7d`, in ladder order.
 */
function remindersStoodFor(programme: Programme, action: Action, at: string): string[] {
  return ladderFor({
    dueDate: action.dueDate,
    timeZone: programme.organisation.timeZone,
    policy: ladderPolicyOf(programme),
  })
    .filter((step) => step.kind === 'reminder' && action.stepsSent?.[step.id] === at)
    .map(reminderLabel);
}

export async function extensionDecision(
  mail: CycleMail,
  message: Parameters<NotifierPort['extensionDecision']>[0],
) {
  const { programme, action } = message;
  await sendAboutAction(
    mail,
    message,
    {
      step: `extension-decision:${message.requestedAt}`,
      purpose: 'action',
      to: personById(programme, action.ownerId),
      cc: [ismsManager(programme)],
      replies: true,
    },
    (about) =>
      templates.extensionDecision({
        ...about,
        approved: message.approved,
        requestedDueDate: message.requestedDueDate,
        previousDueDate: message.previousDueDate,
        ...(message.reason ? { reason: message.reason } : {}),
        chair: person(topManagement(programme).chair),
        remindersStoodFor: message.approved ? remindersStoodFor(programme, action, action.updatedAt) : [],
      }),
  );
}

export async function actionReopened(
  mail: CycleMail,
  message: Parameters<NotifierPort['actionReopened']>[0],
) {
  const { programme, action } = message;
  await sendAboutAction(
    mail,
    message,
    {
      step: `reopened:${action.effectivenessCheck?.checkedAt ?? action.updatedAt}`,
      purpose: 'action',
      to: personById(programme, action.ownerId),
      cc: [ismsManager(programme)],
      replies: true,
    },
    (about) =>
      templates.actionReopened({
        ...about,
        finding: message.finding,
        checkedBy: person(personById(programme, message.checkedBy)),
      }),
  );
}

export async function managementDecision(
  mail: CycleMail,
  message: Parameters<NotifierPort['managementDecision']>[0],
) {
  const { programme, action } = message;
  const owner = personById(programme, action.ownerId);
  const previousOwner = personById(programme, message.previousOwnerId);
  await sendAboutAction(
    mail,
    message,
    {
      step: `${message.decision}:${message.decidedAt}`,
      purpose: 'action',
      to: owner,
      cc: [previousOwner, ismsManager(programme)].filter(
        (p, i, all) => p.id !== owner.id && all.findIndex((q) => q.id === p.id) === i,
      ),
      // Accepting the risk closes the action: nothing more to answer.
      replies: message.decision !== 'accept-risk',
    },
    (about) =>
      templates.managementDecision({
        ...about,
        decision: message.decision,
        reason: message.reason,
        decidedBy: person(personById(programme, message.decidedBy)),
        previousOwner: person(previousOwner),
        previousDueDate: message.previousDueDate,
        remindersStoodFor: remindersStoodFor(programme, action, message.decidedAt),
      }),
  );
}

/** The action messages on one envelope: the notifier of the functions that send only these. */
export const actionMessages = (
  mail: CycleMail,
): ActionNotifierPort & Pick<NotifierPort, 'sendTogether' | 'actionStep'> => ({
  sendTogether: (work) => mail.sendTogether(work),
  actionStep: (args) => actionStep(mail, args),
  closureConfirmationRequest: (message) => closureConfirmationRequest(mail, message),
  closureReopened: (message) => closureReopened(mail, message),
  effectivenessCheckRequest: (message) => effectivenessCheckRequest(mail, message),
  extensionRequest: (message) => extensionRequest(mail, message),
  extensionDecision: (message) => extensionDecision(mail, message),
  actionReopened: (message) => actionReopened(mail, message),
  managementDecision: (message) => managementDecision(mail, message),
});
