import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DateTime } from 'luxon';
import { daysOverdue } from '#shared/actions/escalation-policy.ts';
import type { ActionCommand } from '#shared/actions/register.ts';
import {
  ACTION_STATUSES,
  awaitingConfirmation,
  type Action,
  type ActionStatus,
} from '#shared/model/action.ts';
import { ActionId } from '#shared/model/ids.ts';
import { personByEmail } from '#shared/programme/queries.ts';
import { findPerson } from '#shared/programme/people.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { BACKEND_HELP, backendOptions, resolveBackend, resolveProgrammeId } from '../backend.ts';
import { openRepository } from '../clients.ts';
import { columns, ExitCode, UsageError } from '../output.ts';
import type { Command } from './types.ts';
import { currentProgramme } from '#shared/store/stored-programme.ts';

function text(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} needs a value.`);
  return value.trim();
}

export interface ActionRow {
  id: string;
  cycleId: string;
  title: string;
  owner: string;
  status: ActionStatus;
  dueDate: string;
  daysOverdue: number;
  escalationLevel: number;
  corrective: boolean;
  extensionRequested?: string;
  /** A done corrective action waiting for the ISMS manager (or the chair) to confirm its closure. */
  awaitingConfirmation?: boolean;
}

export function actionRow(action: Action, timeZone: string, now: Date): ActionRow {
  const open = action.status === 'open' || action.status === 'in_progress';
  return {
    id: action.id,
    cycleId: action.cycleId,
    title: action.title,
    owner: action.ownerId,
    status: action.status,
    dueDate: action.dueDate,
    daysOverdue: open ? daysOverdue(action.dueDate, timeZone, now) : 0,
    escalationLevel: action.escalationLevel,
    corrective: action.corrective,
    ...(action.extensionRequest ? { extensionRequested: action.extensionRequest.dueDate } : {}),
    ...(awaitingConfirmation(action) ? { awaitingConfirmation: true } : {}),
  };
}

export const actionsList: Command = {
  words: ['actions', 'list'],
  usage: 'actions list [--overdue] [--owner <email>] [--all] [--programme <id>]',
  summary: 'List the actions that still need follow-up (or all of an owner with --all), by due date.',
  help: [
    'Without options: every action still open, in progress, or done and awaiting its effectiveness',
    'check, from every review of the programme. --overdue keeps the open ones past their due date;',
    "--owner keeps one owner's (by email address); --all with --owner lists that owner's closed",
    "actions too. Due dates are calendar dates in the organisation's time zone.",
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    programme: { type: 'string' },
    overdue: { type: 'boolean' },
    owner: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run({ positionals, values, out, clock, env }) {
    if (positionals.length > 0)
      throw new UsageError(`actions list takes options only, not "${positionals.join(' ')}".`);
    const ownerEmail = text(values, 'owner');
    if (values.all && !ownerEmail)
      throw new UsageError("--all lists one owner's actions: give --owner <email> too.");
    const backend = await resolveBackend(values, env);
    const programmeId = await resolveProgrammeId(backend, values, env);
    const { repository, close } = await openRepository(backend);
    try {
      const { programme } = await currentProgramme(repository, programmeId);
      const zone = programme.organisation.timeZone;
      const now = clock.now();
      let actions: Action[];
      if (ownerEmail) {
        const owner = personByEmail(programme, ownerEmail);
        if (!owner) {
          throw new UsageError(
            `--owner ${ownerEmail} is nobody in programme ${programmeId}; people: ${programme.people.map((p) => p.email).join(', ')}.`,
          );
        }
        actions = await repository.listActionsByOwner(programmeId, owner.id);
        if (!values.all) {
          const followed = new Set(
            (await repository.listActionsNeedingFollowUp(programmeId)).map((a) => a.id),
          );
          actions = actions.filter((a) => followed.has(a.id));
        }
      } else if (values.overdue) {
        const yesterday = DateTime.fromJSDate(now, { zone }).minus({ days: 1 }).toISODate()!;
        actions = await repository.listActionsNeedingFollowUp(programmeId, yesterday);
      } else {
        actions = await repository.listActionsNeedingFollowUp(programmeId);
      }
      let rows = actions
        .map((a) => actionRow(a, zone, now))
        .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
      if (values.overdue) rows = rows.filter((r) => r.daysOverdue > 0);
      if (rows.length === 0) out.say('No actions match.');
      else {
        for (const line of columns([
          ['ACTION', 'STATUS', 'DUE', 'OVERDUE', 'OWNER', 'TITLE'],
          ...rows.map((r) => [
            r.id,
            r.status.replace('_', ' ') +
              (r.extensionRequested ? ` (extension to ${r.extensionRequested} asked)` : '') +
              (r.awaitingConfirmation ? ' (closure to confirm)' : ''),
            r.dueDate,
            r.daysOverdue > 0 ? `${r.daysOverdue} d` : '',
            r.owner,
            r.title,
          ]),
        ]))
          out.say(line);
      }
      out.result({ programmeId, actions: rows });
      return ExitCode.ok;
    } finally {
      close();
    }
  },
};

const STATUS_COMMAND: Record<ActionStatus, string> = {
  open: 'reopen',
  in_progress: 'progress',
  done: 'done',
  verified: 'verify',
  cancelled: 'cancel',
};

/** The register command for `--status`, with what each status needs. */
export function commandFor(
  status: string,
  values: { note?: string; evidence?: string; evidenceUrl?: string; checker?: string; fail?: boolean },
): ActionCommand {
  if (!(ACTION_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${ACTION_STATUSES.join(', ')}, not "${status}".`);
  }
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`--status ${status} needs ${what}.`);
    return value;
  };
  switch (STATUS_COMMAND[status as ActionStatus]) {
    case 'reopen':
      return { kind: 'reopen', note: need(values.note, '--note saying why it is reopened') };
    case 'progress':
      return { kind: 'progress', note: need(values.note, '--note saying where it stands') };
    case 'done':
      return {
        kind: 'done',
        evidence: need(
          values.evidence ?? values.note,
          '--evidence saying what was done and where it can be seen',
        ),
        ...(values.evidenceUrl ? { links: [values.evidenceUrl] } : {}),
        ...(values.checker ? { checkerId: values.checker } : {}),
      };
    case 'verify':
      return { kind: 'verify', note: need(values.note, '--note saying how it was confirmed') };
    default:
      return { kind: 'cancel', reason: need(values.note, '--note giving the reason for cancelling') };
  }
}

export const actionUpdate: Command = {
  words: ['action', 'update'],
  usage:
    'action update <actionId> --status <status> [--note <text>] [--evidence <text>] [--evidence-url <https://...>] [--evidence-file <file>] [--checker <person id>] [--by <person id>]',
  summary:
    'Change an action: progress, done, verified, reopened or cancelled, recorded with who and from where.',
  help: [
    `Statuses: ${ACTION_STATUSES.join(', ')}.`,
    '  in_progress --note <where it stands>        done --evidence <what was done, where to see it>',
    '  verified --note <how it was confirmed>       open --note <why it is reopened>',
    '  cancelled --note <reason>',
    'Done needs evidence someone else can look at: --evidence-url <https://...> (or a link in the',
    '--evidence text), or --evidence-file <file> (a PDF, CSV or XLSX, checked as an email attachment',
    'is, kept in the evidence bucket under its SHA-256).',
    'A done corrective action waits for the ISMS manager (the chair when the ISMS manager owns it)',
    'to confirm its closure (`action confirm`, or CONFIRM by reply); its effectiveness check, by',
    '--checker (default: the ISMS manager, or the chair when the ISMS manager owns it), starts then:',
    'the checker is asked by email to answer PASS or FAIL. --status open on a corrective action',
    'awaiting confirmation sends it back to its owner (in progress), who is told --note.',
    'Verifying a corrective action records its effectiveness check as passed: --by must not be its',
    'owner. --by names who makes the change (default: the ISMS manager).',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    status: { type: 'string' },
    note: { type: 'string' },
    evidence: { type: 'string' },
    'evidence-url': { type: 'string' },
    'evidence-file': { type: 'string' },
    checker: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ positionals, values, out, clock, env }) {
    const id = oneActionId(positionals);
    const status = text(values, 'status');
    if (!status) throw new UsageError(`Give the new status: --status <${ACTION_STATUSES.join('|')}>.`);
    const note = text(values, 'note');
    const evidence = text(values, 'evidence');
    const checker = text(values, 'checker');
    const evidenceUrl = text(values, 'evidence-url');
    const evidenceFile = text(values, 'evidence-file');
    if ((evidenceUrl || evidenceFile) && status !== 'done') {
      throw new UsageError('--evidence-url and --evidence-file go with --status done.');
    }
    const command = commandFor(status, {
      ...(note ? { note } : {}),
      ...(evidence ? { evidence } : {}),
      ...(evidenceUrl ? { evidenceUrl } : {}),
      ...(checker ? { checker } : {}),
    });
    return applyChange({
      id,
      command,
      ...(evidenceFile ? { evidenceFile } : {}),
      values,
      out,
      clock,
      env,
      by: (programme) => programme.roles.ismsManager,
    });
  },
};

function oneActionId(positionals: readonly string[]): string {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('Give exactly one action id.');
  if (!ActionId.safeParse(id).success) {
    throw new UsageError(
      `"${id}" is not an action id; expected one like A-20261001T0800Z-Q-001 (see \`isms-review actions list\`).`,
    );
  }
  return id;
}

/**
 * Applies one change to an action through the register (shared/actions/register.ts), with the
 * notifier wired so that what the change calls for is emailed, and prints the result.
 */
async function applyChange({
  id,
  command,
  values,
  out,
  clock,
  env,
  by: defaultBy,
  evidenceFile,
}: Pick<Parameters<Command['run']>[0], 'values' | 'out' | 'clock' | 'env'> & {
  id: string;
  command: ActionCommand;
  /** A file to keep as the DONE's evidence (checked and stored as an email attachment is). */
  evidenceFile?: string;
  /** Who makes the change when --by is not given. */
  by: (programme: Programme, action: Action) => string;
}): Promise<ExitCode> {
  const backend = await resolveBackend(values, env);
  const { repository, close } = await openRepository(backend);
  try {
    const { changeAction, actionContext, ActionNotFound, InvalidActionChange, ActionClosed } =
      await import('#shared/actions/register.ts');
    const known = await repository.getAction(id);
    if (!known) throw new ActionNotFound(id);
    const { programme } = await actionContext(repository, known);
    const named = text(values, 'by');
    const by = named ? (findPerson(programme, named)?.id ?? named) : defaultBy(programme, known);
    const [{ Wiring, wire }, { notifier: notifierPart }, { workflow: workflowPart }] = await Promise.all([
      import('#shared/wiring/wiring.ts'),
      import('#shared/wiring/notifier.ts'),
      import('#shared/wiring/workflow.ts'),
    ]);
    // Action messages name no anchoring key: the notifier without it, on this command's store and clock.
    // The workflow wakes the sleeping follow-up after the change.
    const { notifier, workflow } = await wire({ notifier: notifierPart, workflow: workflowPart })(
      new Wiring({ env: process.env, overrides: { repo: repository, clock } }),
    );
    try {
      let change = command;
      if (evidenceFile && change.kind === 'done') {
        const [{ evidenceBucket }, { keepEvidenceFile }] = await Promise.all([
          import('#shared/wiring/buckets.ts'),
          import('#shared/actions/closure-evidence.ts'),
        ]);
        const { evidence } = await wire({ evidence: evidenceBucket })(
          new Wiring({ env: process.env, overrides: { repo: repository, clock } }),
        );
        let content: Buffer;
        try {
          content = await readFile(evidenceFile);
        } catch (error) {
          throw new UsageError(`cannot read --evidence-file ${evidenceFile}: ${(error as Error).message}`);
        }
        const attachment = await keepEvidenceFile(evidence, {
          cycleId: known.cycleId,
          actionId: known.id,
          name: basename(evidenceFile),
          content,
        });
        change = { ...change, attachments: [...(change.attachments ?? []), attachment] };
      }
      const { action } = await changeAction(
        { repo: repository, clock, notifier, workflow },
        { actionId: id, by, source: { channel: 'cli' }, command: change },
      );
      out.say(
        `${action.id} is now ${action.status.replace('_', ' ')} (due ${action.dueDate}, owner ${action.ownerId}).`,
      );
      out.say(`  recorded: ${action.history.at(-1)?.change ?? ''}`);
      for (const line of evidenceLines(action)) out.say(`  ${line}`);
      if (awaitingConfirmation(action)) {
        const { closureConfirmer } = await import('#shared/actions/register.ts');
        out.say(
          `  closure: awaiting confirmation by ${closureConfirmer(programme, action.ownerId)} (asked by email); the effectiveness check starts then`,
        );
      } else if (action.effectivenessCheck && action.status === 'done') {
        out.say(
          `  effectiveness check: ${action.effectivenessCheck.assigneeId}, due ${action.effectivenessCheck.dueDate} (asked by email)`,
        );
      }
      out.result({
        ok: true,
        action: actionRow(action, programme.organisation.timeZone, clock.now()),
        history: action.history,
      });
      return ExitCode.ok;
    } catch (error) {
      if (
        error instanceof InvalidActionChange ||
        error instanceof ActionClosed ||
        (error as Error).name === 'UnknownPerson' ||
        (error as Error).name === 'EvidenceFileRefused'
      ) {
        out.error((error as Error).message);
        out.result({ ok: false, error: (error as Error).message });
        return ExitCode.failed;
      }
      throw error;
    }
  } finally {
    close();
  }
}

export const actionConfirm: Command = {
  words: ['action', 'confirm'],
  usage: 'action confirm <actionId> [--note <text>] | --reopen <what is missing> [--by <person>]',
  summary:
    "Confirm a done corrective action's closure on its evidence (its effectiveness check starts), or send it back.",
  help: [
    'A corrective action reported done waits for the ISMS manager (the chair when the ISMS manager',
    'owns it) to look at its evidence (`action show` lists its links and files) and confirm it, as',
    'CONFIRM by reply does. Confirming starts its effectiveness check: the checker is asked by email',
    'to answer PASS or FAIL. --reopen sends it back to in progress, as REOPEN by reply does, and the',
    'owner is told what is missing. Recorded in the name of --by (default: the ISMS manager, or the',
    'chair when the ISMS manager owns the action); nobody confirms their own work.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    note: { type: 'string' },
    reopen: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ positionals, values, out, clock, env }) {
    const id = oneActionId(positionals);
    const note = text(values, 'note');
    const reopen = text(values, 'reopen');
    if (note && reopen)
      throw new UsageError('Give --note to confirm or --reopen <what is missing>, not both.');
    const command: ActionCommand = reopen
      ? { kind: 'reopen', note: reopen }
      : { kind: 'confirm', ...(note ? { note } : {}) };
    const { closureConfirmer } = await import('#shared/actions/register.ts');
    return applyChange({
      id,
      command,
      values,
      out,
      clock,
      env,
      by: (programme, action) => closureConfirmer(programme, action.ownerId),
    });
  },
};

export const actionDecide: Command = {
  words: ['action', 'decide'],
  usage:
    'action decide <actionId> (--reschedule <yyyy-mm-dd> | --reassign <person> [--due <yyyy-mm-dd>] | --accept-risk) --reason <text> [--by <member of top management>]',
  summary:
    "Record top management's decision on an escalated action: a new due date, a new owner, or the risk accepted.",
  help: [
    'The escalation to top management asks for one of these decisions; members of top management',
    'may also reply to it by email. Each is recorded in the name of the member who decided (--by,',
    'default: the chair) and the owner is told by email (when reassigned, the new owner, with the',
    'previous one copied).',
    '  --reschedule <date>            a new due date; reminders start again for it',
    '  --reassign <id or email>       a new owner; --due gives a new date (needed when overdue)',
    '  --accept-risk                  the action is not carried out: closed as cancelled, risk accepted',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    reschedule: { type: 'string' },
    reassign: { type: 'string' },
    due: { type: 'string' },
    'accept-risk': { type: 'boolean' },
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ positionals, values, out, clock, env }) {
    const id = oneActionId(positionals);
    const reschedule = text(values, 'reschedule');
    const reassign = text(values, 'reassign');
    const due = text(values, 'due');
    const acceptRisk = values['accept-risk'] === true;
    const chosen = [reschedule, reassign, acceptRisk || undefined].filter((v) => v !== undefined);
    if (chosen.length !== 1) {
      throw new UsageError(
        'Give exactly one decision: --reschedule <date>, --reassign <person> or --accept-risk.',
      );
    }
    const reason = text(values, 'reason');
    if (!reason)
      throw new UsageError('Give the reason for the decision: --reason <text>; auditors will read it.');
    for (const [name, date] of [
      ['reschedule', reschedule],
      ['due', due],
    ] as const) {
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        throw new UsageError(`--${name} takes a date as yyyy-mm-dd, not "${date}".`);
      }
    }
    if (due && !reassign)
      throw new UsageError('--due goes with --reassign; to move the date alone use --reschedule.');
    const command: ActionCommand = reschedule
      ? { kind: 'reschedule', until: reschedule, reason }
      : reassign
        ? { kind: 'reassign', to: reassign, ...(due ? { until: due } : {}), reason }
        : { kind: 'accept-risk', reason };
    return applyChange({
      id,
      command,
      values,
      out,
      clock,
      env,
      by: (programme) => programme.roles.topManagement.chair,
    });
  },
};

export const actionExtension: Command = {
  words: ['action', 'extension'],
  usage:
    'action extension <actionId> (--approve [--note <comment>] | --refuse --reason <text>) [--by <person>]',
  summary: "Answer an owner's request for a later due date, as the chair would by reply.",
  help: [
    'An owner asks for a later date with EXTEND in a reply; the chair is asked by email and may',
    'answer by reply, or the answer is recorded here in the name of --by (default: the chair).',
    'The owner is told the answer by email; an approved date restarts the reminders.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    approve: { type: 'boolean' },
    refuse: { type: 'boolean' },
    note: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ positionals, values, out, clock, env }) {
    const id = oneActionId(positionals);
    const approve = values.approve === true;
    const refuse = values.refuse === true;
    if (approve === refuse) throw new UsageError('Give exactly one answer: --approve or --refuse.');
    const reason = text(values, 'reason');
    const note = text(values, 'note');
    if (refuse && !reason) throw new UsageError('--refuse needs --reason <text>; the owner is told it.');
    const command: ActionCommand = refuse
      ? { kind: 'refuse', reason: reason! }
      : { kind: 'approve', ...((note ?? reason) ? { comment: (note ?? reason)! } : {}) };
    return applyChange({
      id,
      command,
      values,
      out,
      clock,
      env,
      by: (programme) => programme.roles.topManagement.chair,
    });
  },
};

/**
 * The closure evidence and its confirmation as `label: value` lines: what was done, each link, each
 * file with its size and SHA-256, and who confirmed the closure (or that it awaits confirmation).
 */
export function evidenceLines(action: Action): string[] {
  const closure = action.closureEvidence;
  if (!closure) return [];
  const lines = [`evidence: ${closure.text.replace(/\s+/g, ' ')} (${closure.by}, ${closure.at})`];
  for (const link of closure.links ?? []) lines.push(`link: ${link}`);
  for (const file of closure.attachments ?? []) {
    lines.push(`file: ${file.name}, ${file.size} bytes, sha256 ${file.sha256}`);
  }
  const confirmed = action.closureConfirmation;
  if (confirmed) {
    lines.push(
      `closure confirmed: by ${confirmed.by}, ${confirmed.at}${confirmed.note ? `: ${confirmed.note}` : ''}`,
    );
  } else if (awaitingConfirmation(action)) {
    lines.push('closure confirmed: not yet (awaiting confirmation)');
  }
  return lines;
}

const sourceOf = (entry: Action['history'][number]) =>
  entry.source?.channel === 'email'
    ? `email ${entry.source.messageId}`
    : (entry.source?.channel ?? 'not recorded');

export const actionShow: Command = {
  words: ['action', 'show'],
  usage: 'action show <actionId>',
  summary: 'Show an action and the history of every update: when, who, and from where.',
  help: [
    'Each update names who made it and where it came from: an email (its Message-ID), the command',
    'line, or the system (reminders and escalations sent).',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions },
  async run({ positionals, values, out, clock, env }) {
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('Give exactly one action id.');
    if (!ActionId.safeParse(id).success) {
      throw new UsageError(
        `"${id}" is not an action id; expected one like A-20261001T0800Z-Q-001 (see \`isms-review actions list\`).`,
      );
    }
    const backend = await resolveBackend(values, env);
    const { repository, close } = await openRepository(backend);
    try {
      const action = await repository.getAction(id);
      if (!action) {
        const message = `no action ${id}; \`isms-review actions list\` shows the open ones`;
        out.error(message);
        out.result({ ok: false, error: message });
        return ExitCode.failed;
      }
      const { actionContext } = await import('#shared/actions/register.ts');
      const { programme } = await actionContext(repository, action);
      const row = actionRow(action, programme.organisation.timeZone, clock.now());
      out.say(`${action.id}: ${action.title}`);
      for (const line of columns([
        ['owner', action.ownerId],
        ['status', action.status.replace('_', ' ')],
        ['due', `${action.dueDate}${row.daysOverdue > 0 ? ` (${row.daysOverdue} days overdue)` : ''}`],
        ['decided in', action.cycleId],
        ...(action.extensionRequest
          ? [['extension asked', `to ${action.extensionRequest.dueDate}: ${action.extensionRequest.reason}`]]
          : []),
        ...evidenceLines(action).map((line) => {
          const [label, ...rest] = line.split(': ');
          return [label ?? '', rest.join(': ')];
        }),
        ...(action.effectivenessCheck
          ? [
              [
                'effectiveness check',
                `${action.effectivenessCheck.assigneeId}, due ${action.effectivenessCheck.dueDate}` +
                  (action.effectivenessCheck.result ? `: ${action.effectivenessCheck.result}` : ''),
              ],
            ]
          : []),
      ]))
        out.say(line);
      out.say('History:');
      for (const line of columns(action.history.map((h) => [h.at, h.by, sourceOf(h), h.change])))
        out.say(line);
      out.result({
        ...row,
        ...(action.closureEvidence ? { closureEvidence: action.closureEvidence } : {}),
        ...(action.closureConfirmation ? { closureConfirmation: action.closureConfirmation } : {}),
        history: action.history,
      });
      return ExitCode.ok;
    } finally {
      close();
    }
  },
};
