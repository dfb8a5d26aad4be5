/**
 * The messages about the minutes: the request to the ISMS manager after the meeting (and its
 * reminders, the chair copied from the third), and the accepted minutes sent to everyone who attends.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import { DECISION_CATEGORY_TITLES } from '../model/meeting.ts';
import { ismsManager, personById, topManagement } from '../programme/queries.ts';
import * as templates from '../mail/templates/index.ts';
import { DAY, person, type CycleMail } from './envelope.ts';

export async function minutesRequest(
  mail: CycleMail,
  { cycle, programme, reminder }: Parameters<NotifierPort['minutesRequest']>[0],
) {
  const manager = ismsManager(programme);
  const chair = topManagement(programme).chair;
  const escalated = reminder > 2;
  await mail.send({
    cycle,
    programme,
    key: reminder === 0 ? 'minutes-request' : `minutes:reminder-${reminder}`,
    purpose: 'minutes',
    to: [manager],
    ...(escalated ? { cc: [chair] } : {}),
    build: async () => {
      const requests = await mail.options.repo.listInputRequests(cycle.id);
      const rendered = templates.minutesRequest({
        ...mail.addressed(cycle, programme, manager),
        meetingAt: cycle.plannedMeetingAt,
        deadline: new Date(Date.parse(cycle.plannedMeetingAt) + 7 * DAY).toISOString(),
        // The minutes form is for the ISMS manager, who writes the minutes: not in the reminder the
        // chair is copied on (the ISMS manager has it from the first request and the form mail).
        replyTemplate: escalated ? '' : (mail.options.minutesTemplate?.(cycle, programme) ?? ''),
        inputs: requests.map((r) => ({ key: r.inputKey, title: r.title })),
        // A command line is for the ISMS manager alone: not in the reminder the chair is copied on.
        ...(escalated
          ? {}
          : { alternative: `npx isms-review minutes submit ${cycle.id} --file minutes.yaml` }),
      });
      return {
        ...rendered,
        subject: reminder === 0 ? rendered.subject : `Reminder ${reminder}: ${rendered.subject}`,
        replyTo: await mail.replyAddress({
          cycle,
          programme,
          purpose: 'minutes',
          recipient: manager,
          expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 90 * DAY),
        }),
      };
    },
  });
}

export async function minutesDistribution(
  mail: CycleMail,
  { cycle, programme, recipients, pdf }: Parameters<NotifierPort['minutesDistribution']>[0],
) {
  const manager = ismsManager(programme);
  const minutes = await mail.options.repo.getMinutes(cycle.id);
  if (!minutes) return;
  const actions = await mail.options.repo.listActionsOfCycle(cycle.id);
  const content = minutes.content;
  const name = (id: string) => personById(programme, id).name;
  await mail.send({
    cycle,
    programme,
    key: `minutes:v${minutes.version}`,
    purpose: 'minutes',
    to: recipients,
    build: async () => {
      const message = templates.minutesDistribution({
        ...mail.context(programme),
        cycle: mail.cycleRef(cycle),
        recipient: { name: 'members of the management review' },
        meetingAt: cycle.heldAt ?? cycle.plannedMeetingAt,
        recordedAt: minutes.acceptedAt,
        attendees: content.attendance
          .filter((a) => a.status !== 'absent')
          .map((a) => ({
            name: name(a.personId),
            role: a.role,
            ...(a.proxyFor ? { proxyFor: name(a.proxyFor) } : {}),
          })),
        absent: content.attendance
          .filter((a) => a.status === 'absent')
          .map((a) => ({ name: name(a.personId), role: a.role })),
        inputsConsidered: content.inputsConsidered.map((i) => ({ key: i.key, title: i.title ?? i.key })),
        // The refs the minutes use (D1, D2) and the categories' titles, not the stored ids and codes.
        decisions: content.decisions.map((d) => ({
          id: content.decisionRefs[d.id] ?? d.id,
          category: DECISION_CATEGORY_TITLES[d.category],
          text: d.text,
        })),
        actions: actions.map((a) => ({
          id: a.id,
          title: a.title,
          owner: person(personById(programme, a.ownerId)),
          dueDate: a.dueDate,
        })),
        assessment: content.assessment,
        ismsManager: person(manager),
      });
      return {
        ...message,
        ...(await mail.withEvidenceKey(message)),
        attachments: [
          {
            filename: `minutes-${cycle.id}-v${minutes.version}.pdf`,
            content: pdf,
            contentType: 'application/pdf',
          },
        ],
      };
    },
  });
}

/** The minutes messages on one envelope: the notifier of the functions that send only these. */
export const minutesMessages = (
  mail: CycleMail,
): Pick<NotifierPort, 'minutesRequest' | 'minutesDistribution'> => ({
  minutesRequest: (args) => minutesRequest(mail, args),
  minutesDistribution: (args) => minutesDistribution(mail, args),
});
