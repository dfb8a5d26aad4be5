/**
 * The action commands people write on the first line of a reply: DONE, PROGRESS, EXTEND for an
 * owner; APPROVE, REFUSE for the chair; CONFIRM, REOPEN for the ISMS manager (or the chair) asked
 * to confirm a corrective action's closure; PASS, FAIL for an effectiveness check; RESCHEDULE,
 * REASSIGN, ACCEPT RISK for top management. Their help text is rendered here and read back here.
 */
import * as z from 'zod';
import { CalendarDate, NonEmptyText } from '#shared/model/common.ts';
import { InvalidTemplateInput, plainSpaces, structural } from './reply-text.ts';

export const ACTION_COMMAND_KINDS = [
  'done',
  'progress',
  'extend',
  'approve',
  'refuse',
  'pass',
  'fail',
  'confirm',
  'reopen',
  'reschedule',
  'reassign',
  'accept-risk',
  'changes',
  'object',
] as const;
export type ActionCommandKind = (typeof ACTION_COMMAND_KINDS)[number];
/** What an action owner may send. */
export const OWNER_COMMANDS: readonly ActionCommandKind[] = ['done', 'progress', 'extend'];
/** What the chair may send. */
export const CHAIR_COMMANDS: readonly ActionCommandKind[] = ['approve', 'refuse'];
/** What the person checking a corrective action's effectiveness may send. */
export const CHECK_COMMANDS: readonly ActionCommandKind[] = ['pass', 'fail'];
/** What the person asked to confirm a corrective action's closure may send. */
export const CONFIRM_COMMANDS: readonly ActionCommandKind[] = ['confirm', 'reopen'];
/** What top management may decide on an escalated action. */
export const MANAGEMENT_COMMANDS: readonly ActionCommandKind[] = ['reschedule', 'reassign', 'accept-risk'];
/** What the ISMS manager may answer to a package awaiting approval (clause 7.5.2 c). */
export const PACKAGE_APPROVAL_COMMANDS: readonly ActionCommandKind[] = ['approve', 'changes'];
/** What the chair may answer to minutes awaiting approval. */
export const MINUTES_APPROVAL_COMMANDS: readonly ActionCommandKind[] = ['approve', 'object'];

export const ActionCommand = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('done'), evidence: NonEmptyText }),
  z.strictObject({ kind: z.literal('progress'), note: NonEmptyText }),
  z.strictObject({ kind: z.literal('extend'), until: CalendarDate, reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('approve'), comment: z.optional(NonEmptyText) }),
  z.strictObject({ kind: z.literal('refuse'), reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('pass'), rationale: NonEmptyText }),
  z.strictObject({ kind: z.literal('fail'), finding: NonEmptyText }),
  z.strictObject({ kind: z.literal('confirm'), note: z.optional(NonEmptyText) }),
  z.strictObject({ kind: z.literal('reopen'), reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('reschedule'), until: CalendarDate, reason: NonEmptyText }),
  z.strictObject({
    kind: z.literal('reassign'),
    to: NonEmptyText,
    until: z.optional(CalendarDate),
    reason: NonEmptyText,
  }),
  z.strictObject({ kind: z.literal('accept-risk'), reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('changes'), what: NonEmptyText }),
  z.strictObject({ kind: z.literal('object'), what: NonEmptyText }),
]);
export type ActionCommand = z.infer<typeof ActionCommand>;

export type ActionCommandResult =
  { readonly ok: true; readonly command: ActionCommand } | { readonly ok: false; readonly error: string };

const COMMAND_HELP: Record<ActionCommandKind, string> = {
  done: 'DONE <what was done> <a link to where it can be seen, or attach the document>',
  progress: 'PROGRESS <where it stands>',
  extend: 'EXTEND <new due date yyyy-mm-dd> <reason>',
  approve: 'APPROVE',
  refuse: 'REFUSE <reason>',
  pass: 'PASS <what you looked at and what it showed>',
  fail: 'FAIL <what you found>',
  confirm: 'CONFIRM',
  reopen: 'REOPEN <what is missing>',
  reschedule: 'RESCHEDULE <new due date yyyy-mm-dd> <reason>',
  reassign: "REASSIGN <new owner's id or email> <new due date yyyy-mm-dd> <reason>",
  'accept-risk': 'ACCEPT RISK <why the risk is accepted>',
  changes: 'CHANGES <what must change before it goes to top management>',
  object: 'OBJECT <what the minutes get wrong or leave out>',
};

const COMMAND_WORDS: Record<string, ActionCommandKind> = {
  done: 'done',
  progress: 'progress',
  extend: 'extend',
  approve: 'approve',
  approved: 'approve',
  refuse: 'refuse',
  refused: 'refuse',
  pass: 'pass',
  passed: 'pass',
  fail: 'fail',
  failed: 'fail',
  confirm: 'confirm',
  confirmed: 'confirm',
  reopen: 'reopen',
  reschedule: 'reschedule',
  reassign: 'reassign',
  accept: 'accept-risk',
  changes: 'changes',
  change: 'changes',
  object: 'object',
  objection: 'object',
};

/** The lines that explain the commands, for the body of a reminder or an approval request. */
export function renderActionCommandHelp(kinds: readonly ActionCommandKind[] = OWNER_COMMANDS): string {
  return [
    'Reply with one of these on the first line of your reply:',
    ...renderActionCommandLines(kinds)
      .split('\n')
      .map((line) => `  ${line}`),
  ].join('\n');
}

/** The commands alone, one per line, e.g. for a block to copy into a reply. */
export function renderActionCommandLines(kinds: readonly ActionCommandKind[]): string {
  if (kinds.length === 0) throw new InvalidTemplateInput('name at least one command');
  return kinds.map((kind) => COMMAND_HELP[kind]).join('\n');
}

const COMMAND_LINE = /^[*_]{0,2}[ \t]{0,8}([A-Za-z]+)[*_]{0,2}(?=$|[\s:.,;!-])[\s:.,;!\-*_]*(.*)$/;
const GREETING =
  /^(hi|hello|hey|dear|hallo|guten (morgen|tag)|bonjour|good (morning|afternoon|evening))\b.{0,60}$/i;

function helpFor(kinds: readonly ActionCommandKind[]): string {
  return kinds.map((kind) => COMMAND_HELP[kind]).join(', or ');
}

/** `<yyyy-mm-dd> <reason>` after a command word (EXTEND, RESCHEDULE, REASSIGN's optional date). */
function dateThenReason(
  kind: ActionCommandKind,
  argument: string,
  example: string,
): { ok: true; date: string; reason: string } | { ok: false; error: string } {
  const word = COMMAND_HELP[kind].split(' ')[0];
  const dated = /^(?:(?:to|until|till|on)\s+)?(\S+)[\s:.,;\-–—]*([\s\S]*)$/i.exec(structural(argument));
  const date = dated?.[1]?.replace(/[.,;:]$/, '') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    return {
      ok: false,
      error: `${word} needs the new due date as yyyy-mm-dd, then the reason: write ${COMMAND_HELP[kind]}, e.g. ${example}`,
    };
  }
  if (!CalendarDate.safeParse(date).success) {
    return {
      ok: false,
      error: `${word}: ${date} is not a date in the calendar; write the new due date as yyyy-mm-dd`,
    };
  }
  const reason = argument
    .slice(argument.indexOf(date) + date.length)
    .replace(/^[\s:.,;\-–—*_]+/, '')
    .trim();
  if (reason === '') {
    return { ok: false, error: `${word} needs a reason after the date: write ${COMMAND_HELP[kind]}` };
  }
  return { ok: true, date, reason };
}

/** What a command's argument reads as: the command to check, or the sentence saying what to fix. */
type ArgumentReading =
  { readonly ok: true; readonly candidate: unknown } | { readonly ok: false; readonly error: string };

/** A command whose argument is one required text, e.g. DONE <evidence>. */
function requiredText(
  kind: ActionCommandKind,
  field: string,
  missing: string,
): (argument: string) => ArgumentReading {
  return (argument) =>
    argument === '' ? { ok: false, error: missing } : { ok: true, candidate: { kind, [field]: argument } };
}

/** EXTEND and RESCHEDULE: `<yyyy-mm-dd> <reason>`. */
function newDueDate(kind: 'extend' | 'reschedule', word: string): (argument: string) => ArgumentReading {
  return (argument) => {
    const dated = dateThenReason(kind, argument, `${word} 2026-12-15 the supplier delivers in December`);
    return dated.ok ? { ok: true, candidate: { kind, until: dated.date, reason: dated.reason } } : dated;
  };
}

/** REASSIGN: `<new owner> [<yyyy-mm-dd>] <reason>`. */
function reassign(argument: string): ArgumentReading {
  const kind = 'reassign';
  const [, to = '', rest = ''] = /^(\S+)[\s:.,;\-–—]*([\s\S]*)$/.exec(structural(argument)) ?? [];
  if (to === '' || /^\d{4}-\d{2}-\d{2}/.test(to)) {
    return {
      ok: false,
      error: `REASSIGN needs the new owner first: write ${COMMAND_HELP.reassign}, e.g. REASSIGN bob@example.com 2027-02-15 Bob runs the supplier now`,
    };
  }
  const owner = to.replace(/[.,;:]$/, '');
  if (/^\d{4}-\d{2}-\d{2}\b/.test(rest)) {
    const dated = dateThenReason(kind, rest, `REASSIGN ${owner} 2027-02-15 Bob runs the supplier now`);
    if (!dated.ok) return dated;
    return { ok: true, candidate: { kind, to: owner, until: dated.date, reason: dated.reason } };
  }
  const reasonText = rest.replace(/^[\s:.,;\-–—*_]+/, '').trim();
  if (reasonText === '') {
    return {
      ok: false,
      error: `REASSIGN needs a reason after the owner: write ${COMMAND_HELP.reassign}`,
    };
  }
  return { ok: true, candidate: { kind, to: owner, reason: reasonText } };
}

/** ACCEPT RISK: `RISK <reason>` after the word ACCEPT. */
function acceptRisk(argument: string): ArgumentReading {
  const risk = /^risk\b[\s:.,;\-–—*_]*([\s\S]*)$/i.exec(argument);
  if (!risk) {
    return {
      ok: false,
      error: `ACCEPT must be followed by RISK and the reason: write ${COMMAND_HELP['accept-risk']}`,
    };
  }
  const reasonText = (risk[1] ?? '').trim();
  if (reasonText === '') {
    return {
      ok: false,
      error: `ACCEPT RISK needs the reason the risk is accepted, which auditors will read: write ${COMMAND_HELP['accept-risk']}`,
    };
  }
  return { ok: true, candidate: { kind: 'accept-risk', reason: reasonText } };
}

/** How each command reads the text after its word. */
const ARGUMENT_READERS: Record<ActionCommandKind, (argument: string) => ArgumentReading> = {
  done: requiredText(
    'done',
    'evidence',
    `DONE needs evidence: write ${COMMAND_HELP.done}, e.g. DONE policy v2 published at https://intranet.example.com/policies/v2`,
  ),
  progress: requiredText('progress', 'note', `PROGRESS needs a note: write ${COMMAND_HELP.progress}`),
  extend: newDueDate('extend', 'EXTEND'),
  reschedule: newDueDate('reschedule', 'RESCHEDULE'),
  reassign,
  'accept-risk': acceptRisk,
  approve: (argument) => ({
    ok: true,
    candidate: argument === '' ? { kind: 'approve' } : { kind: 'approve', comment: argument },
  }),
  refuse: requiredText('refuse', 'reason', `REFUSE needs a reason: write ${COMMAND_HELP.refuse}`),
  pass: requiredText('pass', 'rationale', `PASS needs the rationale: write ${COMMAND_HELP.pass}`),
  fail: requiredText('fail', 'finding', `FAIL needs what you found: write ${COMMAND_HELP.fail}`),
  confirm: (argument) => ({
    ok: true,
    candidate: argument === '' ? { kind: 'confirm' } : { kind: 'confirm', note: argument },
  }),
  reopen: requiredText(
    'reopen',
    'reason',
    `REOPEN needs what is missing, which the owner is told: write ${COMMAND_HELP.reopen}, e.g. REOPEN the ticket is still open; attach the closed ticket`,
  ),
  changes: requiredText(
    'changes',
    'what',
    `CHANGES needs what must change: write ${COMMAND_HELP.changes}, e.g. CHANGES input d3 should include the October audit`,
  ),
  object: requiredText(
    'object',
    'what',
    `OBJECT needs what is wrong: write ${COMMAND_HELP.object}, e.g. OBJECT D2 was deferred, not approved`,
  ),
};

/**
 * Reads the command on the first line of a reply (a greeting line before it is skipped).
 * `allowed` limits what this message accepts (an owner's reminder or the chair's approval).
 */
export function parseActionCommand(
  text: string,
  options: { allowed?: readonly ActionCommandKind[] } = {},
): ActionCommandResult {
  const allowed = options.allowed ?? OWNER_COMMANDS;
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => plainSpaces(line).trim());
  let i = 0;
  const skipBlank = (): void => {
    while (i < lines.length && (lines[i] as string).trim() === '') i += 1;
  };
  skipBlank();
  const firstLine = lines[i] ?? '';
  const firstWord = COMMAND_LINE.exec(firstLine)?.[1]?.toLowerCase();
  if (firstWord === undefined || COMMAND_WORDS[firstWord] === undefined) {
    const plain = structural(firstLine);
    if (GREETING.test(plain) || (/[,!]$/.test(plain) && plain.length <= 40)) {
      i += 1;
      skipBlank();
    }
  }
  const commandLine = lines[i] ?? '';
  const match = COMMAND_LINE.exec(commandLine);
  const kind = match ? COMMAND_WORDS[(match[1] as string).toLowerCase()] : undefined;
  if (!match || !kind) {
    return {
      ok: false,
      error: `no command was found at the start of the reply; write one of ${helpFor(allowed)} on the first line`,
    };
  }
  if (!allowed.includes(kind)) {
    return {
      ok: false,
      error: `${kind.toUpperCase()} is not a command for this message; write one of ${helpFor(allowed)}`,
    };
  }
  const argumentLines = [match[2] ?? ''];
  for (let k = i + 1; k < lines.length && (lines[k] as string).trim() !== ''; k += 1) {
    argumentLines.push(lines[k] as string);
  }
  const argument = argumentLines
    .map((line) => line.trim())
    .filter((line, index) => index > 0 || line !== '')
    .join('\n')
    .trim();

  const read = ARGUMENT_READERS[kind](argument);
  if (!read.ok) return read;
  const checked = ActionCommand.safeParse(read.candidate);
  return checked.success
    ? { ok: true, command: checked.data }
    : { ok: false, error: checked.error.issues.map((issue) => issue.message).join('; ') };
}
