/**
 * Overdue actions escalated up the ladder: to the ISMS manager, then to top management. For each
 * action: what is late, by how long, who owns it, what was decided and when, what has been done
 * so far; and exactly what management is asked to do about it.
 */
import { count, days, formatDateTime } from './format.ts';
import { actionFacts, type ActionRef } from './action-common.ts';
import {
  alert,
  contact,
  copyBlock,
  heading,
  items,
  list,
  p,
  renderDocument,
  standardFooter,
  strong,
  type Block,
  type CycleRef,
  type Fact,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface EscalatedAction extends ActionRef {
  daysOverdue: number;
  /** UTC time the owner was told the action is overdue. */
  ownerToldAt?: string;
  /** UTC time the ISMS manager was told (for the top-management step). */
  managerToldAt?: string;
  /** Whom the first escalation went to, when not the ISMS manager (it goes up the owner's line). */
  firstEscalationTo?: string;
  /** Extensions already granted. */
  extensionsGranted?: number;
}

/** Whom an escalation went to and why (shared/actions/escalation-route.ts works it out). */
export interface EscalationRouting {
  /** Each addressee and what they are, in words that follow "you are": "Łukasz Dvořák's executive". */
  to: { name: string; as: readonly string[]; decides: boolean }[];
  /** Each person copied and what they are: "the owner of the action". */
  copied: { name: string; as: string }[];
  /** Why the usual addressees were passed over, whole sentences. */
  notes: readonly string[];
}

export interface ActionEscalationData extends MailContext {
  /** The first escalation ('isms-manager', whoever takes it) or the last, to top management. */
  level: 'isms-manager' | 'top-management';
  cycle: CycleRef;
  recipient: Person;
  actions: EscalatedAction[];
  ismsManager: Person;
  /**
   * How to give the decision by reply, when replies to this notice are read (the reply format
   * renders it). Without it, the notice asks to tell the ISMS manager.
   */
  replyTemplate?: string;
  /** Whom it went to and why; without it, the notice does not say. */
  routing?: EscalationRouting;
}

const and = (parts: readonly string[]) =>
  parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;

/** Who received this and why; who was copied; why the usual addressees were passed over. */
function routingBlocks(routing: EscalationRouting): Block[] {
  const [only] = routing.to;
  const sent =
    routing.to.length === 1 && only
      ? `You receive this escalation because you are ${and(only.as)}.`
      : `This escalation went to ${and(routing.to.map((r) => `${r.name} (${and(r.as)})`))}.`;
  const copied = routing.copied.length
    ? ` Copied to ${and(routing.copied.map((c) => `${c.name} (${c.as})`))}.`
    : '';
  return [heading('Why this came to you'), p(sent + copied), ...routing.notes.map((note) => p(note))];
}

/** Addressees who cannot give top management's decision by reply, and whom to agree it with. */
function notDecidingBlock(routing: EscalationRouting | undefined): Block | undefined {
  const others = routing?.to.filter((r) => !r.decides) ?? [];
  const deciders = routing?.to.filter((r) => r.decides) ?? [];
  if (others.length === 0 || deciders.length === 0) return undefined;
  return p(
    `Only a member of top management can give the decision by reply: ${and(others.map((r) => r.name))} ` +
      `${others.length === 1 ? 'is' : 'are'} not, so please agree it with ${and(deciders.map((r) => r.name))}.`,
  );
}

export function actionEscalation(data: ActionEscalationData): RenderedMail {
  const tz = data.timeZone;
  const toManagement = data.level === 'top-management';
  const n = count(data.actions.length, 'overdue action');
  const worst = Math.max(...data.actions.map((action) => action.daysOverdue));
  const late = data.actions.length === 1 ? `${days(worst)} late` : `up to ${days(worst)} late`;
  const only = data.actions.length === 1 ? data.actions[0] : undefined;
  return renderDocument({
    // One action: the subject names it and its owner; several: how many, and how late.
    subject:
      (toManagement ? 'Escalation to top management: ' : 'Escalation: ') +
      (only
        ? `"${only.title}" (owner ${only.owner.name}) is ${days(only.daysOverdue)} overdue`
        : `${n} (${late})`),
    preheader: data.actions
      .map((action) => `${action.id} ${action.owner.name}, ${days(action.daysOverdue)} late`)
      .join('; '),
    heading: toManagement ? 'Overdue actions: your decision is needed' : 'Overdue actions escalated to you',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        toManagement
          ? `${data.actions.length === 1 ? 'An action' : `${data.actions.length} actions`} that top management decided in a management review ` +
              `${data.actions.length === 1 ? 'is' : 'are'} overdue, and the reminders to the owner and the first escalation have not brought ${data.actions.length === 1 ? 'it' : 'them'} back on track. ` +
              'ISO/IEC 27001 clause 10 requires actions to be followed to closure, and auditors check that overdue ones were escalated and decided upon.'
          : `${data.actions.length === 1 ? 'An action' : `${data.actions.length} actions`} from management reviews ${data.actions.length === 1 ? 'is' : 'are'} overdue, ` +
              `and the ${data.actions.length === 1 ? 'owner has' : 'owners have'} been told without the action being closed or rescheduled.`,
      ),
      heading('What is late'),
      items(
        data.actions.map((action) => {
          const rows: Fact[] = actionFacts(action, tz, { withoutTitle: true, ownerAddress: true });
          if (action.ownerToldAt) rows.push(['Owner told', formatDateTime(action.ownerToldAt, tz)]);
          if (action.managerToldAt) {
            rows.push([
              action.firstEscalationTo ? `${action.firstEscalationTo} told` : 'ISMS manager told',
              formatDateTime(action.managerToldAt, tz),
            ]);
          }
          if (action.extensionsGranted) rows.push(['Extensions granted', String(action.extensionsGranted)]);
          return {
            title: `${action.id}: ${action.title}`,
            flag: `OVERDUE ${days(action.daysOverdue)}`,
            facts: rows,
          };
        }),
      ),
      heading(toManagement ? 'What top management is asked to decide' : 'What we ask of you'),
      toManagement
        ? p('For each action above, please decide one of:')
        : p('For each action above, please do one of:'),
      toManagement
        ? list([
            [strong('Confirm a new due date'), ' that the owner can meet, and say why it slipped.'],
            [strong('Reassign'), ' the action to another owner, with a due date.'],
            [
              strong('Accept the risk'),
              ' of not doing the action: it is then closed as risk accepted, with your name and reason in the record.',
            ],
          ])
        : list([
            [
              'Speak with the owner and help them ',
              strong('close the action or report progress'),
              ' by replying to their reminder.',
            ],
            [
              'Agree a realistic new date: the owner asks for it with ',
              strong('EXTEND'),
              ' in a reply, and the chair decides.',
            ],
            [
              'If the owner cannot do it, propose to top management to ',
              strong('reassign it or accept the risk'),
              '. Without a change, the action goes to top management next.',
            ],
          ]),
      toManagement && data.replyTemplate
        ? copyBlock(
            'Reply to this email with your decision on the first line of your reply, as one of these (any member of top management may answer):',
            data.replyTemplate,
          )
        : undefined,
      // A member of top management told at the first escalation may decide at once.
      !toManagement && data.replyTemplate
        ? copyBlock(
            'As a member of top management you may also decide now: reply to this email with one of these on the first line of your reply:',
            data.replyTemplate,
          )
        : undefined,
      data.replyTemplate ? notDecidingBlock(data.routing) : undefined,
      toManagement && !data.replyTemplate
        ? p(
            'Please tell the ISMS manager, ',
            contact(data.ismsManager),
            ', your decision; it is recorded with the review.',
          )
        : undefined,
      alert(
        (data.actions.length === 1
          ? `The delay is ${days(worst)}. `
          : `The longest delay is ${days(worst)}. `) +
          (toManagement
            ? 'Until you decide, the action stays overdue in the register and in the next review package.'
            : `This escalation and its outcome are recorded in the review's log.`),
      ),
      !toManagement && !data.replyTemplate
        ? p(
            'You do not need to reply to this message: replies to it are not recorded. The owner reports on the action by replying to their reminder with ',
            strong('DONE'),
            ', ',
            strong('PROGRESS'),
            ' or ',
            strong('EXTEND'),
            '.',
          )
        : undefined,
      ...(data.routing ? routingBlocks(data.routing) : []),
    ],
    footer: standardFooter({
      organisation: data.organisation,
      cycle: data.cycle,
      contact: toManagement ? data.ismsManager : undefined,
      replyIsRead: data.replyTemplate !== undefined,
    }),
  });
}
