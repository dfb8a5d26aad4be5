/**
 * The messages about the meeting: the review package sent to top management with the calendar
 * invitation, the minutes form to the ISMS manager alone, and the updated invitation when the
 * meeting moves. One invitation UID per cycle, so every update replaces the last in the calendars.
 */
import type { NotifierPort } from '../cycle/ports.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import type { Programme, Person as ProgrammePerson } from '../programme/schema.ts';
import { ismsManager, meetingMinutesOf } from '../programme/queries.ts';
import { meetingInvitation } from '../mail/ics.ts';
import { meetingMoved } from '../mail/templates/package-distribution.ts';
import * as templates from '../mail/templates/index.ts';
import { person, type CycleMail } from './envelope.ts';

/** The meeting's calendar invitation: one UID per cycle, so every update replaces the last. */
function invitation(
  mail: CycleMail,
  cycle: Cycle,
  programme: Programme,
  recipients: readonly ProgrammePerson[],
  sequence: number,
  note: string,
): string {
  const manager = ismsManager(programme);
  return meetingInvitation({
    uid: `${cycle.id}@${programme.mail.fromAddress.split('@')[1]}`,
    sequence,
    start: new Date(cycle.plannedMeetingAt),
    timeZone: programme.organisation.timeZone,
    durationMinutes: mail.options.meetingMinutes ?? meetingMinutesOf(programme, cycle.type),
    summary: cycleTitle(cycle),
    description: `Management review (ISO/IEC 27001 clause 9.3) of ${programme.organisation.name}. ${note}`,
    organizer: { name: manager.name, email: manager.email },
    attendees: recipients.map((p) => ({ name: p.name, email: p.email })),
    stamp: mail.options.clock.now(),
  });
}

export async function packageDistribution(
  mail: CycleMail,
  { cycle, programme, stored, recipients }: Parameters<NotifierPort['packageDistribution']>[0],
) {
  const body = await mail.loadPackage(stored);
  const icalEvent = invitation(
    mail,
    cycle,
    programme,
    recipients,
    stored.version - 1,
    'The review package came with this invitation: its first page is the decision sheet (the proposals P1, P2, ... to decide).',
  );
  await mail.send({
    cycle,
    programme,
    key: `package:v${stored.version}`,
    purpose: 'package',
    to: recipients,
    build: async () => ({
      subject: `Management review package: ${cycleTitle(cycle)}`,
      ...(await mail.withEvidenceKey(body, { 'X-Isms-Review-Package-Sha256': stored.sha256 })),
      attachments: [
        ...(body.pdf
          ? [
              {
                filename: `review-package-${cycle.id}-v${stored.version}.pdf`,
                content: body.pdf,
                contentType: 'application/pdf',
              },
            ]
          : []),
        ...(body.images ?? []).map((image) => ({
          filename: image.filename,
          content: image.content,
          contentType: 'image/png',
          cid: image.cid,
        })),
      ],
      icalEvent: { method: 'REQUEST', content: icalEvent },
    }),
  });
  await minutesForm(mail, cycle, programme, stored.version);
}

/**
 * The minutes form, to fill in at the meeting: to the ISMS manager alone, who writes the minutes
 * (top management's package does not carry it). Once per package version.
 */
async function minutesForm(mail: CycleMail, cycle: Cycle, programme: Programme, version: number) {
  const template = mail.options.minutesTemplate;
  if (!template) return;
  const manager = ismsManager(programme);
  await mail.send({
    cycle,
    programme,
    key: `minutes-form:v${version}`,
    purpose: 'minutes-form',
    to: [manager],
    build: async () => {
      const form = template(cycle, programme);
      return {
        ...templates.minutesForm({
          ...mail.addressed(cycle, programme, manager),
          meetingAt: cycle.plannedMeetingAt,
          form,
          alternative: `npx isms-review minutes submit ${cycle.id} --file minutes.yaml`,
        }),
        attachments: [
          {
            filename: `minutes-template-${cycle.id}.yaml`,
            content: Buffer.from(form, 'utf8'),
            contentType: 'text/plain',
          },
        ],
      };
    },
  });
}

export async function meetingUpdate(
  mail: CycleMail,
  { cycle, programme, recipients, sequence, previousAt }: Parameters<NotifierPort['meetingUpdate']>[0],
) {
  const manager = ismsManager(programme);
  await mail.send({
    cycle,
    programme,
    key: `meeting:seq${sequence}`,
    purpose: 'package',
    to: recipients,
    build: async () => ({
      ...meetingMoved({
        ...mail.context(programme),
        cycle: mail.cycleRef(cycle),
        recipient: { name: 'members of the management review' },
        previousAt,
        meetingAt: cycle.plannedMeetingAt,
        ...(cycle.packageHash ? { packageSha256: cycle.packageHash } : {}),
        ismsManager: person(manager),
      }),
      icalEvent: {
        method: 'REQUEST',
        content: invitation(mail, cycle, programme, recipients, sequence, 'The meeting has moved.'),
      },
    }),
  });
}

/** The package messages on one envelope. */
export const packageMessages = (
  mail: CycleMail,
): Pick<NotifierPort, 'packageDistribution' | 'meetingUpdate'> => ({
  packageDistribution: (args) => packageDistribution(mail, args),
  meetingUpdate: (args) => meetingUpdate(mail, args),
});
