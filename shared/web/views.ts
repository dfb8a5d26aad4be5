/**
 * What the web pages show, as plain data read through the store ports (no HTML here): the start
 * page of each role, a cycle's page and the action register with its filters. Every list is a key
 * or index query of the programme (no Scan).
 */
import { DateTime } from 'luxon';
import type { Action } from '../model/action.ts';
import { PersonId } from '../model/common.ts';
import { DecisionId } from '../model/ids.ts';
import { ACTION_STATUSES } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { CycleEvent } from '../model/event.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import { plannedCycles, type PlannedCycle } from '../programme/schedule.ts';
import type { Programme } from '../programme/schema.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { Viewer } from './viewer.ts';

export type ViewRepo = Pick<
  ReviewRepository,
  | 'listCycles'
  | 'getCycle'
  | 'getCycleRecords'
  | 'listInputRequests'
  | 'listActionsOfCycle'
  | 'listActionsByOwner'
  | 'listActionsNeedingFollowUp'
  | 'listPendingInputRequests'
>;

/** How many cycles the pages list, newest meeting first. */
export const CYCLES_SHOWN = 40;

/** The organisation's day of `now` (yyyy-mm-dd): what "overdue" is measured against. */
export function todayIn(programme: Programme, now: Date): string {
  return DateTime.fromJSDate(now, { zone: programme.organisation.timeZone }).toISODate() ?? '';
}

const OPEN_WORK: readonly Action['status'][] = ['open', 'in_progress'];

export const isOverdue = (action: Action, today: string): boolean =>
  OPEN_WORK.includes(action.status) && action.dueDate < today;

/** Someone the review is waiting on, and for what. */
export interface Waiting {
  readonly who: string;
  readonly on: string;
  readonly what: string;
  readonly since?: string;
  readonly cycleId?: string;
}

/** How many upcoming reviews the calendar shows. */
export const UPCOMING_SHOWN = 4;

export interface ManagerStart {
  readonly cycles: Cycle[];
  /** The next reviews the schedules will open, in order. */
  readonly upcoming: PlannedCycle[];
  readonly lateInputs: InputRequest[];
  readonly overdueActions: Action[];
  readonly waiting: Waiting[];
}

export interface PackageVersion {
  readonly version: number;
  readonly sha256: string;
  readonly builtAt: string;
}

export interface DecisionItem {
  readonly cycleId: string;
  readonly inputKey: string;
  readonly title: string;
  readonly text: string;
}

/** The package versions a cycle's log records (every frozen version, oldest first). */
export function packageVersions(events: readonly CycleEvent[]): PackageVersion[] {
  return events
    .filter((e) => e.type === 'package.built')
    .flatMap((e) =>
      typeof e.data.version === 'number' && typeof e.data.sha256 === 'string'
        ? [{ version: e.data.version, sha256: e.data.sha256, builtAt: e.at }]
        : [],
    );
}

/** Items management is asked to decide: answers that ask for a decision, and inputs not provided. */
export function decisionItems(
  requests: readonly InputRequest[],
  submissions: readonly InputSubmission[],
): DecisionItem[] {
  const byId = new Map(submissions.map((s) => [s.id, s]));
  return requests.flatMap((request) => {
    if (request.status === 'NOT_PROVIDED') {
      return [
        {
          cycleId: request.cycleId,
          inputKey: request.inputKey,
          title: request.title,
          text: 'Not provided by the deadline: decide how to obtain it.',
        },
      ];
    }
    const current = request.submissionId ? byId.get(request.submissionId) : undefined;
    return current?.decisionNeeded
      ? [
          {
            cycleId: request.cycleId,
            inputKey: request.inputKey,
            title: request.title,
            text: current.decisionNeeded,
          },
        ]
      : [];
  });
}

export async function listCycles(repo: ViewRepo, programmeId: string): Promise<Cycle[]> {
  return repo.listCycles(programmeId, { newestFirst: true, limit: CYCLES_SHOWN });
}

/** The ISMS manager's start page: every cycle, what is late, who waits on whom. */
export async function managerStart(repo: ViewRepo, programme: Programme, now: Date): Promise<ManagerStart> {
  const programmeId = programme.organisation.id;
  const today = todayIn(programme, now);
  const cycles = await listCycles(repo, programmeId);
  // Automatic inputs (27001 a, from the action register) wait on nobody.
  const lateInputs = (await repo.listPendingInputRequests(programmeId, now.toISOString())).filter(
    (r) => !r.automatic && r.ownerId,
  );
  const followUp = await repo.listActionsNeedingFollowUp(programmeId, today);
  const overdueActions = followUp.filter((a) => isOverdue(a, today));
  const nameOf = (id: string | undefined) => programme.people.find((p) => p.id === id)?.name ?? id ?? '';
  const manager = nameOf(programme.roles.ismsManager);
  const chair = nameOf(programme.roles.topManagement.chair);
  const waiting: Waiting[] = [
    ...(await repo.listPendingInputRequests(programmeId))
      .filter((r) => !r.automatic && r.ownerId)
      .map((r) => ({
        who: manager,
        on: nameOf(r.ownerId),
        what: `input ${r.inputKey} (${r.title})`,
        since: r.requestedAt,
        cycleId: r.cycleId,
      })),
    ...overdueActions.map((a) => ({
      who: manager,
      on: nameOf(a.ownerId),
      what: `overdue action ${a.id} (${a.title})`,
      cycleId: a.cycleId,
    })),
    ...followUp
      .filter((a) => a.extensionRequest)
      .map((a) => ({
        who: nameOf(a.ownerId),
        on: chair,
        what: `a decision on extending action ${a.id} to ${a.extensionRequest!.dueDate}`,
        since: a.extensionRequest!.requestedAt,
        cycleId: a.cycleId,
      })),
    ...cycles
      .filter((c) => c.phase === 'AWAITING_MINUTES')
      .map((c) => ({ who: 'The review', on: manager, what: `the minutes of cycle ${c.id}`, cycleId: c.id })),
  ];
  return {
    cycles,
    upcoming: plannedCycles(programme, now, UPCOMING_SHOWN),
    lateInputs,
    overdueActions,
    waiting,
  };
}

export interface TopManagementStart {
  readonly cycle?: Cycle;
  readonly decisions: DecisionItem[];
  readonly packages: PackageVersion[];
  readonly minutes?: MinutesRecord;
  readonly actions: Action[];
}

/** The open cycle: the active one with the earliest meeting, else none. */
export function openCycleOf(cycles: readonly Cycle[]): Cycle | undefined {
  return [...cycles]
    .filter((c) => c.status === 'active')
    .sort((a, b) => a.plannedMeetingAt.localeCompare(b.plannedMeetingAt))[0];
}

/** Top management's start page: the open cycle's items for decision, package versions, minutes, own actions. */
export async function topManagementStart(
  repo: ViewRepo,
  programme: Programme,
  viewer: Viewer,
): Promise<TopManagementStart> {
  const cycles = await listCycles(repo, programme.organisation.id);
  const cycle = openCycleOf(cycles);
  const actions = await repo.listActionsByOwner(programme.organisation.id, viewer.person.id);
  if (!cycle) return { decisions: [], packages: [], actions };
  const records = await repo.getCycleRecords(cycle.id);
  return {
    cycle,
    decisions: decisionItems(records?.inputRequests ?? [], records?.submissions ?? []),
    packages: packageVersions(records?.events ?? []),
    ...(records?.minutes?.length ? { minutes: records.minutes.at(-1)! } : {}),
    actions,
  };
}

export interface OwnerStart {
  readonly requests: { cycle: Cycle; request: InputRequest }[];
  readonly actions: Action[];
}

/** An owner's start page: the input requests awaiting their answer, and their actions. */
export async function ownerStart(repo: ViewRepo, programme: Programme, viewer: Viewer): Promise<OwnerStart> {
  const cycles = (await listCycles(repo, programme.organisation.id)).filter((c) => c.status === 'active');
  const requests: { cycle: Cycle; request: InputRequest }[] = [];
  for (const cycle of cycles) {
    for (const request of await repo.listInputRequests(cycle.id)) {
      if (!request.automatic && request.ownerId && viewer.answersFor.has(request.ownerId)) {
        if (request.status === 'REQUESTED') requests.push({ cycle, request });
      }
    }
  }
  const actions = await repo.listActionsByOwner(programme.organisation.id, viewer.person.id);
  return { requests, actions };
}

/** The action register's filters, as read from a query string (each checked; see parseActionFilter). */
export interface ActionFilter {
  readonly owner?: string;
  readonly status?: Action['status'];
  readonly overdue?: boolean;
  /** Due within this many days from today (0: today). */
  readonly dueWithin?: number;
  /** Carries out this decision (a decision id). */
  readonly decision?: string;
}

/** A filter value that is not one the register knows. */
export class BadFilter extends Error {
  override name = 'BadFilter' as const;
}

/** Reads the register's filters; BadFilter naming the field and what it takes. */
export function parseActionFilter(query: Readonly<Record<string, string | undefined>>): ActionFilter {
  const filter: {
    owner?: string;
    status?: Action['status'];
    overdue?: boolean;
    dueWithin?: number;
    decision?: string;
  } = {};
  const value = (name: string) => {
    const raw = query[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const owner = value('owner');
  if (owner !== undefined) {
    if (owner.length > 64 || !PersonId.safeParse(owner).success)
      throw new BadFilter('owner takes the id of a person of the programme, e.g. alice');
    filter.owner = owner;
  }
  const status = value('status');
  if (status !== undefined) {
    if (!(ACTION_STATUSES as readonly string[]).includes(status)) {
      throw new BadFilter(`status takes one of ${ACTION_STATUSES.join(', ')}`);
    }
    filter.status = status as Action['status'];
  }
  const overdue = value('overdue');
  if (overdue !== undefined) {
    if (overdue !== 'yes' && overdue !== 'no') throw new BadFilter('overdue takes yes or no');
    filter.overdue = overdue === 'yes';
  }
  const within = value('due-within');
  if (within !== undefined) {
    if (!/^\d{1,4}$/.test(within)) throw new BadFilter('due-within takes a number of days from 0 to 9999');
    filter.dueWithin = Number(within);
  }
  const decision = value('decision');
  if (decision !== undefined) {
    if (decision.length > 64 || !DecisionId.safeParse(decision).success)
      throw new BadFilter('decision takes a decision id, e.g. D-20261001T0800Z-Q-01');
    filter.decision = decision;
  }
  return filter;
}

/** The register: every action of the programme (`all`) or the viewer's own, filtered, by due date. */
export async function actionRegister(
  repo: ViewRepo,
  programme: Programme,
  viewer: Viewer,
  args: { all: boolean; filter: ActionFilter; now: Date },
): Promise<Action[]> {
  const programmeId = programme.organisation.id;
  let actions: Action[];
  if (args.all) {
    actions = [];
    for (const cycle of await repo.listCycles(programmeId)) {
      actions.push(...(await repo.listActionsOfCycle(cycle.id)));
    }
  } else {
    actions = await repo.listActionsByOwner(programmeId, viewer.person.id);
  }
  const today = todayIn(programme, args.now);
  const { filter } = args;
  const horizon =
    filter.dueWithin === undefined
      ? undefined
      : DateTime.fromISO(today).plus({ days: filter.dueWithin }).toISODate();
  return actions
    .filter((a) => filter.owner === undefined || a.ownerId === filter.owner)
    .filter((a) => filter.status === undefined || a.status === filter.status)
    .filter((a) => filter.overdue === undefined || isOverdue(a, today) === filter.overdue)
    .filter(
      (a) =>
        horizon === undefined ||
        (OPEN_WORK.includes(a.status) && a.dueDate >= today && a.dueDate <= horizon!),
    )
    .filter((a) => filter.decision === undefined || a.decisionId === filter.decision)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
}
