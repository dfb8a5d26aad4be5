/**
 * Rules that relate the fields of a programme to each other. They read the raw parsed YAML and
 * skip whatever the schema already rejected for its type, so that one run reports every problem.
 */
import { allInputKeys, catalogueFor } from '#shared/catalogue/catalogue.ts';
import { isStandardId, standards, type StandardId } from '#shared/catalogue/standards.ts';
import type { Clock } from '#shared/clock.ts';
import { didYouMean } from './suggest.ts';
import { InvalidCron, nextOccurrences, parseCron, type CronExpression } from './cron.ts';
import { walkUp } from './reporting-line.ts';
import { ESCALATION_DEFAULTS } from './schema.ts';
import { isIanaTimeZone } from './time-zone.ts';

export type PathSegment = string | number;

export interface RuleIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Point at the field's name rather than its value (e.g. an unknown key). */
  readonly at?: 'key';
}

/** How far ahead a schedule must fire to count as a schedule. */
export const SCHEDULE_HORIZON_YEARS = 5;

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Raw => (isRecord(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const whole = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;
const quote = (value: string) => JSON.stringify(value);

export function checkRules(raw: unknown, clock: Clock): RuleIssue[] {
  const root = record(raw);
  const issues: RuleIssue[] = [];
  const people = peopleIds(root, issues);
  if (people) references(root, people, issues);
  inputOwners(root, issues);
  schedule(root, clock, issues);
  escalation(root, issues);
  return issues;
}

/** Person ids (or undefined when `people` is not a list); reports people listed twice. */
function peopleIds(root: Raw, issues: RuleIssue[]): Set<string> | undefined {
  if (!Array.isArray(root.people)) return undefined;
  const ids = new Map<string, number>();
  const emails = new Map<string, number>();
  root.people.forEach((entry, index) => {
    const person = record(entry);
    const id = text(person.id);
    if (id !== undefined) {
      const first = ids.get(id);
      if (first === undefined) ids.set(id, index);
      else
        issues.push({
          path: ['people', index, 'id'],
          message: `${quote(id)} is listed twice (also people[${first}]); give each person one entry with a unique id`,
        });
    }
    const email = text(person.email)?.trim().toLowerCase();
    if (email) {
      const first = emails.get(email);
      if (first === undefined) emails.set(email, index);
      else
        issues.push({
          path: ['people', index, 'email'],
          message: `${quote(text(person.email) ?? '')} is listed twice (also people[${first}]); one person, one entry`,
        });
    }
  });
  return new Set(ids.keys());
}

function references(root: Raw, people: Set<string>, issues: RuleIssue[]): void {
  const known = [...people];
  const mustExist = (path: PathSegment[], value: unknown, what: string) => {
    const id = text(value);
    if (id === undefined || people.has(id)) return;
    issues.push({
      path,
      message: `${quote(id)} is not a person listed in people; expected the id of ${what}${didYouMean(id, known)}`,
    });
  };

  list(root.people).forEach((entry, index) => {
    const person = record(entry);
    mustExist(['people', index, 'executive'], person.executive, 'their executive');
    if (person.executive !== undefined && person.executive === person.id) {
      issues.push({
        path: ['people', index, 'executive'],
        message: `${quote(String(person.id))} is this person; expected the executive they report to`,
      });
    }
  });

  executiveCircles(root, people, issues);

  const roles = record(root.roles);
  mustExist(['roles', 'ismsManager'], roles.ismsManager, 'the ISMS manager');
  const top = record(roles.topManagement);
  mustExist(['roles', 'topManagement', 'chair'], top.chair, 'the chair (top management)');
  const seen = new Map<string, number>();
  list(top.members).forEach((member, index) => {
    const path = ['roles', 'topManagement', 'members', index];
    mustExist(path, member, 'a member of top management');
    const id = text(member);
    if (id === undefined) return;
    if (id === top.chair) {
      issues.push({
        path,
        message: `${quote(id)} is the chair; list the chair only under roles.topManagement.chair`,
      });
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push({ path, message: `${quote(id)} is listed twice (also members[${first}])` });
    } else seen.set(id, index);
  });

  const auditors = new Map<string, number>();
  list(roles.auditors).forEach((entry, index) => {
    const path = ['roles', 'auditors', index, 'person'];
    const auditor = record(entry);
    mustExist(path, auditor.person, 'an auditor');
    const id = text(auditor.person);
    if (id === undefined) return;
    const first = auditors.get(id);
    if (first !== undefined) {
      issues.push({ path, message: `${quote(id)} is listed twice (also auditors[${first}])` });
    } else auditors.set(id, index);
  });

  const inputs = record(root.inputs);
  for (const [key, owner] of Object.entries(record(inputs.owners))) {
    mustExist(['inputs', 'owners', key], owner, `the owner of input ${key}`);
  }
  const pairs = new Map<string, number>();
  list(inputs.delegates).forEach((entry, index) => {
    const delegation = record(entry);
    mustExist(['inputs', 'delegates', index, 'for'], delegation.for, 'the person answered for');
    mustExist(['inputs', 'delegates', index, 'delegate'], delegation.delegate, 'the delegate');
    const forId = text(delegation.for);
    const delegate = text(delegation.delegate);
    if (forId === undefined || delegate === undefined) return;
    if (forId === delegate) {
      issues.push({
        path: ['inputs', 'delegates', index, 'delegate'],
        message: `${quote(delegate)} is the same person as "for"; expected someone else who may answer for them`,
      });
    }
    const pair = `${forId}\u0000${delegate}`;
    const first = pairs.get(pair);
    if (first !== undefined) {
      issues.push({
        path: ['inputs', 'delegates', index],
        message: `${quote(delegate)} for ${quote(forId)} is listed twice (also delegates[${first}])`,
      });
    } else pairs.set(pair, index);
  });
}

/**
 * Executives that go round in a circle (a reports to b, b reports to a): an overdue action climbs
 * its owner's reporting line, which must end with someone who reports to no one. Each circle is
 * reported once, at its first person in the file; a person who is their own executive is reported
 * above, and someone whose line only leads into a circle is not in it.
 */
function executiveCircles(root: Raw, people: Set<string>, issues: RuleIssue[]): void {
  const executives = new Map<string, string>();
  const indexOf = new Map<string, number>();
  list(root.people).forEach((entry, index) => {
    const person = record(entry);
    const id = text(person.id);
    const executive = text(person.executive);
    if (id === undefined || indexOf.has(id)) return;
    indexOf.set(id, index);
    if (executive !== undefined && people.has(executive)) executives.set(id, executive);
  });
  const reported = new Set<string>();
  for (const [id, index] of indexOf) {
    if (reported.has(id)) continue;
    const { above, repeats } = walkUp(id, (at) => executives.get(at));
    if (repeats !== id || above.length === 0) continue;
    const circle = [id, ...above];
    for (const member of circle) reported.add(member);
    issues.push({
      path: ['people', index, 'executive'],
      message:
        `${quote(id)} is in a circle of executives (${circleWords([...circle, id])}); ` +
        'escalations of overdue actions climb this line, so it must end with someone who reports to no one: ' +
        `remove or change the executive of one of ${circle.map(quote).join(', ')}`,
    });
  }
}

/** `"a" reports to "b", who reports to "c", who reports to "a"`. */
function circleWords(ids: readonly string[]): string {
  const [first, ...rest] = ids.map(quote);
  return `${first} reports to ${rest.join(', who reports to ')}`;
}

/** The standards as the schema will read them, or undefined if they are invalid. */
function chosenStandards(root: Raw): StandardId[] | undefined {
  if (root.managementSystems === undefined) return ['iso27001'];
  const chosen = list(root.managementSystems);
  if (chosen.length === 0 || !chosen.every(isStandardId)) return undefined;
  return chosen;
}

function inputOwners(root: Raw, issues: RuleIssue[]): void {
  const chosen = chosenStandards(root);
  const inputs = record(root.inputs);
  if (!chosen || !isRecord(inputs.owners)) return;
  const owners = inputs.owners;
  const catalogue = catalogueFor(chosen);
  const names = chosen.map((id) => standards[id].title).join(' + ');
  const requested = catalogue.filter((input) => !input.automatic).map((input) => input.key);

  for (const key of Object.keys(owners)) {
    const input = catalogue.find((entry) => entry.key === key);
    if (!input) {
      const otherStandard = allInputKeys.includes(key)
        ? '; it belongs to a standard not listed in managementSystems'
        : '';
      issues.push({
        path: ['inputs', 'owners', key],
        at: 'key',
        message:
          `${quote(key)} is not an input of ${names}${otherStandard}; expected one of: ${requested.join(', ')}` +
          didYouMean(key, requested),
      });
    } else if (input.automatic) {
      issues.push({
        path: ['inputs', 'owners', key],
        at: 'key',
        message: `${quote(key)} (${input.title.toLowerCase()}) is filled automatically from the action register; remove its owner`,
      });
    }
  }
  for (const input of catalogue) {
    if (input.automatic || Object.hasOwn(owners, input.key)) continue;
    const clauses = input.clauses.map((c) => `${standards[c.standard].title} ${c.clause}`).join(', ');
    issues.push({
      path: ['inputs', 'owners'],
      message: `input ${quote(input.key)} has no owner; add "${input.key}: <person id>" — ${input.title}, ${clauses}`,
    });
  }
}

function schedule(root: Raw, clock: Clock, issues: RuleIssue[]): void {
  const organisation = record(root.organisation);
  const zone = text(organisation.timeZone);
  const timeZone = zone !== undefined && isIanaTimeZone(zone) ? zone : 'UTC';
  const leadTimes = record(root.leadTimes);
  const inputsDue = whole(leadTimes.inputsDueDaysBeforeMeeting);
  const packageSent = whole(leadTimes.packageSentDaysBeforeMeeting);
  const reminderEvery = whole(leadTimes.inputReminderEveryDays);
  const now = clock.now();
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + SCHEDULE_HORIZON_YEARS);

  if (inputsDue !== undefined && packageSent !== undefined && packageSent >= inputsDue) {
    issues.push({
      path: ['leadTimes', 'packageSentDaysBeforeMeeting'],
      message:
        `${packageSent} is not fewer than inputsDueDaysBeforeMeeting (${inputsDue}); the package is compiled ` +
        'from the inputs, so it must go after they are due: expected a smaller number',
    });
  }

  const types = new Map<string, number>();
  const openingDays = new Map<string, number>();
  list(record(root.schedule).reviews).forEach((entry, index) => {
    const review = record(entry);
    const type = text(review.type);
    if (type !== undefined) {
      const first = types.get(type);
      if (first !== undefined) {
        issues.push({
          path: ['schedule', 'reviews', index, 'type'],
          message: `${quote(type)} is listed twice (also schedule.reviews[${first}]); give each review type one entry`,
        });
      } else types.set(type, index);
    }

    const meetingAfter = whole(review.meetingAfterDays);
    if (meetingAfter !== undefined && inputsDue !== undefined && meetingAfter <= inputsDue) {
      issues.push({
        path: ['schedule', 'reviews', index, 'meetingAfterDays'],
        message:
          `${meetingAfter} is not more than leadTimes.inputsDueDaysBeforeMeeting (${inputsDue}); inputs would be ` +
          `due before the cycle opens: expected at least ${inputsDue + 1}`,
      });
    } else if (meetingAfter !== undefined && inputsDue !== undefined && reminderEvery !== undefined) {
      const window = meetingAfter - inputsDue;
      if (reminderEvery >= window) {
        issues.push({
          path: ['leadTimes', 'inputReminderEveryDays'],
          message:
            `${reminderEvery} leaves no reminder before inputs are due: schedule.reviews[${index}] gives owners ` +
            `${window} day(s) to answer; expected fewer than ${window}`,
        });
      }
    }

    const cronText = text(review.cron);
    if (cronText === undefined) return;
    let cron: CronExpression;
    try {
      cron = parseCron(cronText);
    } catch (error) {
      if (error instanceof InvalidCron) return; // reported by the schema
      throw error;
    }
    const upcoming = nextOccurrences(cron, timeZone, now, 64).filter((at) => at <= horizon);
    if (upcoming.length === 0) {
      issues.push({
        path: ['schedule', 'reviews', index, 'cron'],
        message:
          `${quote(cronText)} never fires in the next ${SCHEDULE_HORIZON_YEARS} years (from ` +
          `${now.toISOString().slice(0, 10)}); expected a schedule with real dates, e.g. cron(0 9 1 1,4,7,10 ? *)`,
      });
      return;
    }
    for (const at of upcoming) {
      const day = at.toLocaleDateString('en-CA', { timeZone });
      const other = openingDays.get(day);
      if (other !== undefined && other !== index) {
        issues.push({
          path: ['schedule', 'reviews', index, 'cron'],
          message:
            `${quote(cronText)} opens a cycle on ${day}, the same day as schedule.reviews[${other}]; ` +
            'expected one review per date (e.g. leave that month out of the other review)',
        });
        break;
      }
      openingDays.set(day, index);
    }
  });
}

function escalation(root: Raw, issues: RuleIssue[]): void {
  const ladder = record(root.escalation);
  const overdue = whole(ladder.overdueNoticeAfterDays ?? ESCALATION_DEFAULTS.overdueNoticeAfterDays);
  const manager = whole(ladder.ismsManagerAfterDays ?? ESCALATION_DEFAULTS.ismsManagerAfterDays);
  const top = whole(ladder.topManagementAfterDays ?? ESCALATION_DEFAULTS.topManagementAfterDays);
  if (overdue !== undefined && manager !== undefined && manager < overdue) {
    issues.push({
      path: ['escalation', 'ismsManagerAfterDays'],
      message: `${manager} is before overdueNoticeAfterDays (${overdue}); the owner is told first: expected at least ${overdue}`,
    });
  }
  if (manager !== undefined && top !== undefined && top <= manager) {
    issues.push({
      path: ['escalation', 'topManagementAfterDays'],
      message: `${top} is not after ismsManagerAfterDays (${manager}); the ISMS manager gets a chance first: expected at least ${manager + 1}`,
    });
  }
  const seen = new Set<number>();
  list(ladder.actionReminderDaysBeforeDue).forEach((value, index) => {
    const days = whole(value);
    if (days === undefined) return;
    if (seen.has(days)) {
      issues.push({
        path: ['escalation', 'actionReminderDaysBeforeDue', index],
        message: `${days} is listed twice; expected each number of days once`,
      });
    }
    seen.add(days);
  });
}
