import { DateTime } from 'luxon';
import { z } from 'zod';
import { CYCLE_TYPES, CycleId, cycleIdFor, type CycleType } from '#shared/model/ids.ts';
import type { Programme, Review } from '#shared/programme/schema.ts';
import { cycleDates, plannedCycles } from '#shared/programme/schedule.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import {
  BACKEND_HELP,
  backendOptions,
  requireSetting,
  resolveBackend,
  resolveProgrammeId,
  type Backend,
} from '../backend.ts';
import { dynamoDbClient, openRepository, sfnClient } from '../clients.ts';
import {
  cycleListView,
  cycleView,
  formatCycle,
  formatCycleList,
  programmeInfo,
  UTC_INFO,
} from '../cycle-view.ts';
import { ExitCode, UsageError } from '../output.ts';
import { localTime, parseLocalDateTime, utcTime } from '../time.ts';
import type { Command } from './types.ts';
import { loadProgramme } from '#shared/cycle/start.ts';

/** The programme has no stored version yet. */
/** What `cycle start` hands to the state machine as the execution input. */
export interface StartCycleInput {
  readonly programmeId: string;
  readonly type: CycleType;
  readonly comprehensive: boolean;
  /** The meeting, when given on the command line (UTC ISO); otherwise the schedule's. */
  readonly meetingAt?: string;
  readonly requestedBy: 'cli';
  /** When the cycle opens (UTC ISO): the time its id is made from, as a scheduled start gives it. */
  readonly scheduledTime: string;
}

/** The parts of a start's execution input that `cycle start` reports (a held period's own input). */
const StartCycleInput = z.looseObject({
  type: z.enum(CYCLE_TYPES),
  comprehensive: z.boolean().default(false),
  meetingAt: z.optional(z.string()),
  scheduledTime: z.string(),
});

async function withRepository<T>(
  backend: Backend,
  use: (repository: ReviewRepository) => Promise<T>,
): Promise<T> {
  const { repository, close } = await openRepository(backend);
  try {
    return await use(repository);
  } finally {
    close();
  }
}

function typeOption(value: string | boolean | undefined): CycleType | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (CYCLE_TYPES as readonly string[]).includes(value))
    return value as CycleType;
  throw new UsageError(`--type must be one of ${CYCLE_TYPES.join(', ')}, not "${String(value)}".`);
}

/** The review to start: the given type, or the programme's next scheduled one. */
export function chooseReview(programme: Programme, type: CycleType | undefined, now: Date): Review {
  const reviews = programme.schedule.reviews;
  if (type !== undefined) {
    const review = reviews.find((candidate) => candidate.type === type);
    if (!review) {
      throw new UsageError(
        `The programme schedules no ${type} review; it schedules: ${reviews.map((r) => r.type).join(', ')}.`,
      );
    }
    return review;
  }
  const next = plannedCycles(programme, now, 1)[0];
  const review = next && reviews[next.reviewIndex];
  if (!review) throw new UsageError('The programme schedules no further review: give --type.');
  return review;
}

/** The meeting from --meeting (org zone), checked to leave room for the input deadline. */
export function meetingOption(
  value: string | boolean | undefined,
  programme: Programme,
  now: Date,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new UsageError('--meeting needs a date, e.g. --meeting 2026-10-29T14:00.');
  const zone = programme.organisation.timeZone;
  const meetingAt = parseLocalDateTime(value, zone);
  const days = programme.leadTimes.inputsDueDaysBeforeMeeting;
  const inputsDue = DateTime.fromISO(meetingAt, { zone }).minus({ days });
  if (inputsDue.toMillis() <= now.getTime()) {
    const earliest = DateTime.fromJSDate(now, { zone }).plus({ days, hours: 1 }).startOf('hour');
    throw new UsageError(
      `--meeting ${value} (${zone}) leaves no time for inputs: they are due ${days} days before the meeting. ` +
        `The earliest meeting is ${earliest.toFormat('yyyy-MM-dd HH:mm')} ${zone}.`,
    );
  }
  return meetingAt;
}

export const cycleStart: Command = {
  words: ['cycle', 'start'],
  usage: 'cycle start [options]',
  summary: 'Start a review cycle now (the state machine execution is named by the cycle id).',
  help: [
    'Options:',
    "  --type quarterly|semiannual|annual   default: the programme's next scheduled review",
    "  --meeting <yyyy-mm-dd[Thh:mm]>       the meeting, local time in the organisation's zone",
    '                                       (09:00 when no time is given); default: from the schedule',
    '  --programme <id>                     default: ISMS_PROGRAMME_ID, or locally the one applied last',
    '',
    'One cycle per programme, type and period: the period is the stretch of the schedule between two',
    "occurrences of the type's cron that the time now falls in. The first start in a period makes the",
    'cycle (its id from the type and the time now, to the minute); any later start in the same period,',
    'from here or from the schedule, is reported as "already started" with that cycle and exits 0.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    type: { type: 'string' },
    meeting: { type: 'string' },
    programme: { type: 'string' },
  },
  async run({ positionals, values, out, clock, env }) {
    if (positionals.length > 0)
      throw new UsageError(`cycle start takes options only, not "${positionals.join(' ')}".`);
    const type = typeOption(values.type);
    const backend = await resolveBackend(values, env);
    const programmeId = await resolveProgrammeId(backend, values, env);
    const programme = await withRepository(backend, (repository) => loadProgramme(repository, programmeId));
    const now = clock.now();
    const review = chooseReview(programme, type, now);
    const meetingAt = meetingOption(values.meeting, programme, now);
    const stateMachineArn = requireSetting(backend, 'STATE_MACHINE_ARN');

    const input: StartCycleInput = {
      programmeId,
      type: review.type,
      comprehensive: review.comprehensive,
      ...(meetingAt === undefined ? {} : { meetingAt }),
      requestedBy: 'cli',
      scheduledTime: now.toISOString(),
    };
    const [{ startCycle }, { DynamoDbRepository }, { SfnWorkflow }] = await Promise.all([
      import('#shared/cycle/start.ts'),
      import('#shared/adapters/dynamodb-repository.ts'),
      import('#shared/adapters/sfn-workflow.ts'),
    ]);
    const dynamo = await dynamoDbClient(backend);
    const client = await sfnClient(backend);
    try {
      // The period decides: a second start in the same period returns the cycle that holds it.
      const result = await startCycle(
        {
          starter: new SfnWorkflow(client),
          periods: new DynamoDbRepository({
            client: dynamo,
            tableName: requireSetting(backend, 'TABLE_NAME'),
          }),
          now: () => clock.now(),
        },
        stateMachineArn,
        { ...input },
        programme,
      );
      const cycleId = result.cycleId;
      const held = StartCycleInput.safeParse(result.input);
      const startedAs = held.success ? held.data : input;
      const heldReview = programme.schedule.reviews.find((r) => r.type === startedAs.type) ?? review;
      const meeting =
        startedAs.meetingAt ?? cycleDates(programme, heldReview, new Date(startedAs.scheduledTime)).meetingAt;
      const zone = programme.organisation.timeZone;
      const meetingText = `${localTime(meeting, zone)} ${zone}${startedAs.meetingAt === undefined ? ' (from the schedule)' : ''}`;
      const summary = {
        cycleId,
        programmeId,
        type: startedAs.type,
        comprehensive: startedAs.comprehensive,
        ...(result.period ? { period: result.period } : {}),
        meeting: {
          utc: utcTime(meeting),
          local: localTime(meeting, zone),
          timeZone: zone,
          fromSchedule: !startedAs.meetingAt,
        },
      };
      if (result.existing || !result.started) {
        out.say(`cycle ${cycleId} already started; \`isms-review cycle show ${cycleId}\` shows it.`);
        if (cycleId !== cycleIdFor(review.type, now)) {
          out.say(
            `It holds this ${startedAs.type} period of the schedule, which opened ${localTime(
              reviewPeriodOpening(result.period),
              zone,
            )} ${zone}: one cycle per period, so no second one was started.`,
          );
        }
        out.result({ ...summary, alreadyStarted: true });
        return ExitCode.ok;
      }
      out.say(
        `Started cycle ${cycleId}: ${review.type}${review.comprehensive ? ' (comprehensive)' : ''} review of ` +
          `${programmeId}, meeting ${meetingText}.`,
      );
      out.say(`\`isms-review cycle show ${cycleId}\` shows its progress.`);
      out.result({ ...summary, alreadyStarted: false, executionArn: result.executionArn });
      return ExitCode.ok;
    } finally {
      client.destroy();
      dynamo.destroy();
    }
  },
};

/** The opening occurrence named by a period key (`<programme>#<type>#<yyyyMMddTHHmmZ>`), as UTC ISO. */
function reviewPeriodOpening(period: string | undefined): string {
  const stamp = /#(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(period ?? '');
  if (!stamp) return '';
  return `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:00Z`;
}

export const cycleList: Command = {
  words: ['cycle', 'list'],
  usage: 'cycle list [--programme <id>]',
  summary: "List the programme's cycles by meeting date: phase, status, meeting time.",
  help: ["Times are shown in the organisation's time zone.", '', BACKEND_HELP].join('\n'),
  options: { ...backendOptions, programme: { type: 'string' } },
  async run({ positionals, values, out, env }) {
    if (positionals.length > 0)
      throw new UsageError(`cycle list takes options only, not "${positionals.join(' ')}".`);
    const backend = await resolveBackend(values, env);
    const programmeId = await resolveProgrammeId(backend, values, env);
    const view = await withRepository(backend, async (repository) => {
      const [cycles, current] = await Promise.all([
        repository.listCycles(programmeId),
        repository.getCurrentProgramme(programmeId),
      ]);
      return cycleListView(programmeId, cycles, (current && programmeInfo(current.document)) ?? UTC_INFO);
    });
    for (const line of formatCycleList(view)) out.say(line);
    out.result(view);
    return ExitCode.ok;
  },
};

export const cycleShow: Command = {
  words: ['cycle', 'show'],
  usage: 'cycle show <cycleId>',
  summary: 'Show a cycle: phase, inputs, dates, actions, the next timer and any failure.',
  help: [
    "Dates are shown in the organisation's time zone and in UTC.",
    'The next timer is what the workflow does next on its own: the input deadline, sending the',
    'package, the meeting, or (in follow-up) the earliest action due date.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions },
  async run({ positionals, values, out, clock, env }) {
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('Give exactly one cycle id.');
    if (!CycleId.safeParse(id).success) {
      throw new UsageError(
        `"${id}" is not a cycle id; expected one like C-20261001T0800Z-Q (see \`isms-review cycle list\`).`,
      );
    }
    const backend = await resolveBackend(values, env);
    const found = await withRepository(backend, async (repository) => {
      const records = await repository.getCycleRecords(id);
      if (!records) return undefined;
      const { programmeId, programme } = records.cycle;
      const used = await repository.getProgrammeVersion(programmeId, programme.version);
      const info =
        (used && programmeInfo(used.document)) ??
        programmeInfo((await repository.getCurrentProgramme(programmeId))?.document) ??
        UTC_INFO;
      return { records, info };
    });
    if (!found) {
      const message = `no cycle ${id}; \`isms-review cycle list\` shows the cycles`;
      out.error(message);
      out.result({ ok: false, error: message });
      return ExitCode.failed;
    }
    const now = clock.now();
    const view = cycleView(found.records, found.info, now);
    for (const line of formatCycle(view, now)) out.say(line);
    out.result(view);
    return ExitCode.ok;
  },
};

export const cycleMove: Command = {
  words: ['cycle', 'move'],
  usage: 'cycle move <cycleId> --meeting <yyyy-mm-dd HH:MM> [--by <personId>]',
  summary: 'Move the meeting: every attendee gets an updated invitation (same UID); the workflow follows.',
  help: [
    "The new time is in the organisation's time zone. Before the package is sent, only the record",
    'changes; after it, each attendee gets an updated calendar invitation with the same UID and a',
    'higher SEQUENCE. A meeting moved later is followed by the workflow: the minutes are asked for',
    'after the new time. A meeting that has been held cannot move.',
    '',
    'Options:',
    '  --meeting <time>   the new meeting time, e.g. 2027-02-03 14:00 (required)',
    '  --by <personId>    who moved it (a person in the programme); default: system',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, meeting: { type: 'string' }, by: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('Give exactly one cycle id.');
    if (!CycleId.safeParse(id).success) {
      throw new UsageError(
        `"${id}" is not a cycle id; expected one like C-20261001T0800Z-Q (see \`isms-review cycle list\`).`,
      );
    }
    const meeting = typeof values.meeting === 'string' ? values.meeting : undefined;
    if (!meeting) throw new UsageError('Give the new meeting time: --meeting "yyyy-mm-dd HH:MM".');
    const by = typeof values.by === 'string' && values.by.trim() !== '' ? values.by.trim() : 'system';
    const backend = await resolveBackend(values, env);
    const timeZone = await withRepository(backend, async (repository) => {
      const cycle = await repository.getCycle(id);
      if (!cycle) return undefined;
      const used = await repository.getProgrammeVersion(cycle.programmeId, cycle.programme.version);
      return (programmeInfo(used?.document) ?? UTC_INFO).timeZone;
    });
    if (timeZone === undefined) {
      const message = `no cycle ${id}; \`isms-review cycle list\` shows the cycles`;
      out.error(message);
      out.result({ ok: false, error: message });
      return ExitCode.failed;
    }
    const meetingAt = parseLocalDateTime(meeting, timeZone);
    const [{ wireCycle }, { moveMeeting, MeetingCannotMove }] = await Promise.all([
      import('#shared/wiring/cycle.ts'),
      import('#shared/cycle/meeting.ts'),
    ]);
    try {
      const moved = await moveMeeting(await wireCycle({ env: process.env, overrides: { clock } }), {
        cycleId: id,
        meetingAt,
        by,
      });
      const sent =
        moved.sequence === undefined ? '' : `; updated invitations sent (sequence ${moved.sequence})`;
      out.say(`Meeting of ${id} is now ${localTime(moved.cycle.plannedMeetingAt, timeZone)}${sent}.`);
      out.result({
        ok: true,
        cycleId: id,
        meetingAt: moved.cycle.plannedMeetingAt,
        sequence: moved.sequence ?? null,
      });
      return ExitCode.ok;
    } catch (error) {
      if (!(error instanceof MeetingCannotMove)) throw error;
      out.error(error.message);
      out.result({ ok: false, error: error.message });
      return ExitCode.failed;
    }
  },
};
