/**
 * The review programme: the YAML file the ISMS manager edits (see programme.example.yaml).
 *
 * This schema checks each field on its own (types, formats, ranges, unknown fields). Rules that
 * relate fields to each other (references to people, input owners, lead times against the
 * schedule, ...) are in rules.ts. Every `.describe()` text is published in docs/configuration.md.
 */
import * as z from 'zod';
import { standardIds } from '#shared/catalogue/standards.ts';
import { InvalidCron, parseCron } from './cron.ts';
import { isIanaTimeZone, suggestTimeZone } from './time-zone.ts';

// Messages for a value start with "is ...": the value is put in front of them when reported.

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LOCAL_PART = /^[a-z0-9](?:[a-z0-9.-]{0,14}[a-z0-9])?$/;

export const MIN_RETENTION_DAYS = 365;

/** How long a review meeting lasts when its review type does not say (the agenda and invitation use it too). */
export const DEFAULT_MEETING_MINUTES = 90;

/** The escalation ladder when the programme does not set one. */
export const ESCALATION_DEFAULTS = {
  actionReminderDaysBeforeDue: [7, 1],
  overdueNoticeAfterDays: 0,
  ismsManagerAfterDays: 3,
  topManagementAfterDays: 10,
  remindersBeforeEscalation: 2,
} as const;

/** Days of the week, as a programme writes them. */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** When mail to people may go out, in each recipient's own time zone: Monday to Friday, 09:00 to 17:00. */
export const DEFAULT_BUSINESS_HOURS: {
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly end: string;
} = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

const clockTime = (description: string, fallback: string) =>
  z
    .string()
    .regex(HH_MM, { error: 'is not a time of day; expected HH:MM on the 24-hour clock, e.g. 09:00' })
    .default(fallback)
    .describe(description);

const personId = (description: string) =>
  z
    .string()
    .regex(ID, {
      error:
        'is not a person id; expected lower-case letters, digits, ".", "_" or "-", e.g. alice or j.smith',
    })
    .describe(description);

const timeZone = (description: string) =>
  z
    .string()
    .refine(isIanaTimeZone, {
      error: (issue) => {
        const hint = typeof issue.input === 'string' ? suggestTimeZone(issue.input) : undefined;
        return (
          'is not an IANA time zone; expected a name like Europe/London or America/New_York' +
          (hint && hint !== issue.input ? ` (did you mean "${hint}"?)` : '')
        );
      },
    })
    .describe(description);

const email = (description: string) =>
  z.email({ error: 'is not an email address; expected name@domain' }).describe(description);

const days = (description: string, min: number, max: number) =>
  z
    .int({ error: 'is not a whole number of days' })
    .min(min, { error: `is too small; expected at least ${min}` })
    .max(max, { error: `is too large; expected at most ${max}` })
    .describe(description);

const text = (description: string) =>
  z.string().trim().min(1, { error: 'is empty; expected text' }).describe(description);

export const reviewTypes = ['quarterly', 'semiannual', 'annual'] as const;

export const ReviewSchema = z
  .strictObject({
    type: z
      .enum(reviewTypes)
      .describe('How often this review is held: quarterly, semiannual or annual. Each type appears once.'),
    comprehensive: z
      .boolean()
      .default(false)
      .describe(
        'A comprehensive review goes through the whole ISMS in depth (usually the annual one); ' +
          'the others may focus on what changed.',
      ),
    cron: z
      .string()
      .superRefine((value, context) => {
        try {
          parseCron(value);
        } catch (error) {
          if (!(error instanceof InvalidCron)) throw error;
          context.addIssue({ code: 'custom', message: `is not a valid schedule: ${error.reason}` });
        }
      })
      .describe(
        'When the cycle opens, as an EventBridge Scheduler cron expression ' +
          '`cron(minutes hours day-of-month month day-of-week year)` in the organisation time zone, ' +
          'e.g. `cron(0 9 1 1,4,7 ? *)` is 09:00 on 1 January, April and July. It must fire within five years.',
      ),
    meetingAfterDays: days(
      'Days from the opening of the cycle to the meeting (calendar days in the organisation time zone); ' +
        'the meeting is at the same local time of day as the opening.',
      1,
      366,
    ),
    durationMinutes: z
      .int({ error: 'is not a whole number of minutes' })
      .min(15, { error: 'is too small; expected at least 15 minutes' })
      .max(480, { error: 'is too large; expected at most 480 minutes (8 hours)' })
      .optional()
      .describe(
        `Planned length of the meeting in minutes; default ${DEFAULT_MEETING_MINUTES}. The calendar invitation ` +
          'and the agenda use it, and minutes are accepted only once the planned meeting could have ended.',
      ),
  })
  .describe('One recurring review.');

export const PersonSchema = z
  .strictObject({
    id: personId('Short id used to refer to this person elsewhere in the file, e.g. `alice`.'),
    name: text('Full name, as shown in emails and minutes.'),
    email: email('Email address; requests, reminders and escalations go here and replies must come from it.'),
    role: text('Job title, e.g. Chief Information Security Officer.'),
    executive: personId(
      'Id of the executive this person reports to: escalations of their overdue actions go there.',
    ).optional(),
    timeZone: timeZone(
      'IANA time zone for dates shown to this person, if not the organisation time zone.',
    ).optional(),
  })
  .describe('A person who takes part in the review.');

export const ProgrammeSchema = z
  .strictObject({
    version: z
      .literal(1, { error: 'is not a supported version; expected 1' })
      .describe('File format version: 1.'),
    organisation: z
      .strictObject({
        id: z
          .string()
          .regex(SLUG, {
            error:
              'is not a valid id; expected lower-case letters, digits and "-" (at most 40), e.g. example-ltd',
          })
          .describe('Short id of the organisation, used in cycle ids, e.g. `example-ltd`.'),
        name: text('Name of the organisation, as shown in emails, the package and the minutes.'),
        timeZone: timeZone(
          'IANA time zone of the organisation, e.g. `Europe/London`: schedules run in it and dates are shown in it.',
        ),
      })
      .describe('The organisation whose management system is reviewed.'),
    managementSystems: z
      .array(z.enum(standardIds))
      .min(1, { error: 'is empty; expected at least one standard, e.g. [iso27001]' })
      .refine((list) => new Set(list).size === list.length, { error: 'lists a standard twice' })
      .default(['iso27001'])
      .describe(
        'Standards the review covers. More than one makes an integrated review: inputs that mean the same ' +
          'are requested once and keep the clause of each standard.',
      ),
    schedule: z
      .strictObject({
        reviews: z
          .array(ReviewSchema)
          .min(1, { error: 'is empty; expected at least one review' })
          .describe('The recurring reviews, e.g. quarterly plus one comprehensive annual review.'),
      })
      .describe('When review cycles open (planned intervals, clause 9.3.1).'),
    leadTimes: z
      .strictObject({
        inputsDueDaysBeforeMeeting: days(
          'Input owners must answer this many days before the meeting; missing inputs are then recorded as not provided.',
          1,
          365,
        ),
        packageSentDaysBeforeMeeting: days(
          'The review package goes to the attendees this many days before the meeting (fewer than the inputs deadline).',
          1,
          365,
        ),
        inputReminderEveryDays: days(
          'Days between reminders to an input owner who has not answered.',
          1,
          365,
        ),
      })
      .describe('Deadlines inside a cycle, counted back from the meeting in calendar days.'),
    people: z
      .array(PersonSchema)
      .min(1, { error: 'is empty; expected at least one person' })
      .describe(
        'Everyone who takes part: ISMS manager, top management, input owners, delegates, executives.',
      ),
    roles: z
      .strictObject({
        ismsManager: personId('Id of the ISMS manager, who runs the process and receives first escalations.'),
        topManagement: z
          .strictObject({
            chair: personId('Id of the person from top management who chairs the review.'),
            members: z
              .array(personId('Id of a member of top management.'))
              .default([])
              .describe('Ids of the other members of top management who attend (not the chair).'),
          })
          .describe('Top management, who review the ISMS (clause 9.3.1) and receive the last escalations.'),
        auditors: z
          .array(
            z
              .strictObject({
                person: personId('Id of the auditor (listed in people).'),
                until: z.iso
                  .date({ error: 'is not a date; expected yyyy-mm-dd, e.g. 2027-06-30' })
                  .describe(
                    'Last day (in the organisation time zone) the auditor may sign in to the web app.',
                  ),
              })
              .describe('An auditor with read-only access to the web app until a given day.'),
          )
          .default([])
          .describe(
            'Auditors who may look at every cycle, package, minutes, event log and evidence in the web app, ' +
              'read-only, until their access end date.',
          ),
      })
      .describe('Who holds the review roles.'),
    inputs: z
      .strictObject({
        owners: z
          .record(z.string(), personId('Id of the person who provides this input.'))
          .describe(
            'Input key to the id of its owner, for every input of the chosen standards except the automatic ' +
              'ones (27001: b, c, d1, d2, d3, d4, e, f, g; the keys are listed below).',
          ),
        delegates: z
          .array(
            z
              .strictObject({
                for: personId('Id of the person who may be answered for.'),
                delegate: personId('Id of the person who may answer in their place.'),
              })
              .describe('A delegate may submit inputs and update actions for another person.'),
          )
          .default([])
          .describe('People who may answer for others, e.g. a deputy CISO.'),
      })
      .describe('Who provides each clause 9.3.2 input.'),
    escalation: z
      .strictObject({
        actionReminderDaysBeforeDue: z
          .array(days('Days before the due date.', 1, 365))
          .default([...ESCALATION_DEFAULTS.actionReminderDaysBeforeDue])
          .describe('Action owners are reminded this many days before an action is due.'),
        overdueNoticeAfterDays: days(
          'Days after the due date when the owner is told the action is overdue.',
          0,
          365,
        ).default(ESCALATION_DEFAULTS.overdueNoticeAfterDays),
        ismsManagerAfterDays: days(
          'Days after the due date when an overdue action goes to the ISMS manager (to the owner’s executive ' +
            'instead when the ISMS manager owns it or reports to its owner; escalations never go to someone who ' +
            'reports to the owner).',
          0,
          365,
        ).default(ESCALATION_DEFAULTS.ismsManagerAfterDays),
        topManagementAfterDays: days(
          'Days after the due date when an overdue action goes to top management (the owner’s executive and the chair).',
          0,
          365,
        ).default(ESCALATION_DEFAULTS.topManagementAfterDays),
        inputEscalation: z
          .strictObject({
            remindersBeforeEscalation: z
              .int({ error: 'is not a whole number' })
              .min(0, { error: 'is too small; expected at least 0' })
              .max(20, { error: 'is too large; expected at most 20' })
              .default(ESCALATION_DEFAULTS.remindersBeforeEscalation)
              .describe(
                'Reminders an input owner gets before a missing input goes to the ISMS manager, and then to the chair.',
              ),
          })
          .prefault({})
          .describe('Escalation of missing inputs.'),
      })
      .prefault({})
      .describe('The escalation ladder for overdue actions: owner, then ISMS manager, then top management.'),
    approvals: z
      .strictObject({
        package: z
          .boolean({ error: 'is not true or false' })
          .default(true)
          .describe(
            'The ISMS manager approves the review package by reply (APPROVE, or CHANGES <what>) before it goes ' +
              'to top management (clause 7.5.2 c). Reminded daily; from the sending date the chair is copied and ' +
              'the package waits. `false` sends the package unapproved. The chair always approves the minutes.',
          ),
      })
      .prefault({})
      .describe('Approvals before a document leaves the review.'),
    mail: z
      .strictObject({
        fromAddress: email('Address the system sends from (a verified SES identity).'),
        inboundDomain: z
          .string()
          .regex(HOSTNAME, { error: 'is not a domain name; expected e.g. reply.example.com' })
          .describe('Domain that receives replies (an SES receipt rule), e.g. `reply.example.com`.'),
        replyLocalPart: z
          .string()
          .regex(LOCAL_PART, {
            error:
              'is not a valid address part; expected 1-16 lower-case letters, digits, "." or "-", e.g. review',
          })
          .default('review')
          .describe(
            'Start of every reply address: replies go to `<replyLocalPart>+<signed token>@<inboundDomain>`.',
          ),
        authExceptions: z
          .array(
            z
              .strictObject({
                domain: z
                  .string()
                  .trim()
                  .toLowerCase()
                  .regex(HOSTNAME, { error: 'is not a domain name; expected e.g. partner.example.org' })
                  .describe('The From domain (exactly; subdomains are not included).'),
                reason: text('Why mail from this domain cannot be authenticated, for the auditor.'),
              })
              .describe('One sending domain whose replies are accepted without aligned authentication.'),
          )
          .default([])
          .describe(
            'Sending domains whose replies are accepted although neither DMARC passes nor SPF or DKIM ' +
              'passes aligned with the From domain (for example a partner without DMARC). Mail that fails ' +
              'DMARC is never accepted. Leave empty unless a domain really cannot authenticate.',
          ),
        businessHours: z
          .strictObject({
            days: z
              .array(z.enum(weekdays))
              .min(1, { error: 'is empty; expected at least one day, e.g. [mon, tue, wed, thu, fri]' })
              .refine((list) => new Set(list).size === list.length, { error: 'lists a day twice' })
              .default([...DEFAULT_BUSINESS_HOURS.days])
              .describe('Days on which mail may go out, e.g. `[mon, tue, wed, thu, fri]`.'),
            start: clockTime(
              'Local time from which mail may go out, e.g. `09:00`.',
              DEFAULT_BUSINESS_HOURS.start,
            ),
            end: clockTime(
              'Local time from which mail waits for the next day, e.g. `17:00`.',
              DEFAULT_BUSINESS_HOURS.end,
            ),
          })
          .refine((hours) => hours.start < hours.end, {
            error: 'starts at or after it ends; expected start before end, e.g. 09:00 to 17:00',
          })
          .optional()
          .describe(
            'When reminders, escalations, digests and requests go out, in each recipient’s time zone (their ' +
              '`timeZone`, else the organisation’s); one that falls due outside these hours is sent at the start ' +
              'of the recipient’s next window. Default Monday to Friday, 09:00 to 17:00. Answers to a person’s ' +
              'own mail (confirmations, rejections) are never held.',
          ),
      })
      .describe('Email addresses used by the system.'),
    evidence: z
      .strictObject({
        retentionDays: z
          .int({ error: 'is not a whole number of days' })
          .min(MIN_RETENTION_DAYS, {
            error: `is below one year; expected at least ${MIN_RETENTION_DAYS} days`,
          })
          .max(36500, { error: 'is too large; expected at most 36500 days (100 years)' })
          .describe(
            'Days the evidence bundle and raw mail are kept, locked against change; at least one year. ' +
              'Keep them for at least one certification cycle (three years is 1096 days).',
          ),
      })
      .describe('Keeping the evidence of each review.'),
  })
  .describe('A review programme.');

export type Programme = z.output<typeof ProgrammeSchema>;
export type ProgrammeInput = z.input<typeof ProgrammeSchema>;
export type Person = Programme['people'][number];
export type Review = Programme['schedule']['reviews'][number];
export type ReviewType = (typeof reviewTypes)[number];
