/**
 * Step 8: what an authenticated reply means, by the purpose of its token. Each handler either
 * records something and says what (a confirmation), or records nothing and says why (problems).
 *
 * Every write here is idempotent by the inbound Message-ID, so a message processed again after a
 * crash records nothing twice: a submission that already carries the Message-ID is reused, an
 * action whose history already names it is left alone, and the same minutes text is a repeat.
 */
import type { InboundAttachment, InboundMessage } from '../mail/inbound.ts';
import {
  CHAIR_COMMANDS,
  CHECK_COMMANDS,
  CONFIRM_COMMANDS,
  MANAGEMENT_COMMANDS,
  OWNER_COMMANDS,
  parseActionCommand,
  type ActionCommand as ParsedActionCommand,
  parseInputReply,
  INPUT_TEMPLATE_HELP,
  renderInputAnswer,
  renderInputBlocks,
  type ParsedInput,
} from '../mail/reply-format.ts';
import { splitReply } from '../mail/strip-quotes.ts';
import { acceptMinutes } from '../minutes/accept.ts';
import type { ActionNotifierPort } from '../actions/ports.ts';
import {
  ActionClosed,
  changeAction,
  closureConfirmer,
  InvalidActionChange,
  type ActionCommand as RegisterCommand,
} from '../actions/register.ts';
import { awaitingConfirmation, type Action } from '../model/action.ts';
import { CYCLE_PHASES, type Cycle } from '../model/cycle.ts';
import { newSubmissionId } from '../model/ids.ts';
import { statusAfter, type Attachment, type InputRequest, type InputSubmission } from '../model/input.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import { personById, programmeCatalogue, UnknownPerson } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import { sha256Of, type BlobStore } from '../store/blob-store.ts';
import { attachmentEvidenceKey } from '../store/inbound-keys.ts';
import { ConcurrentUpdate, type ReviewRepository } from '../store/repository.ts';
import type { Clock } from '../clock.ts';
import type { WorkflowPort } from '../store/workflow.ts';
import type { WaitPurpose } from '../cycle/await-people.ts';
import type { IngestProblem } from '../mail/templates/ingest-rejection.ts';
import type { Confirmation } from './answer.ts';
import { toProblem } from './answer.ts';
import { checkInputQuality, previousCycleAnswers, thinInputEvent } from '../cycle/input-quality.ts';

export interface PurposeContext {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  readonly evidence: BlobStore;
  readonly cycle: Cycle;
  readonly programme: Programme;
  readonly token: ReplyTokenRecord;
  readonly msg: InboundMessage;
  readonly messageKey: string;
  /** The cycle's input requests as read with the cycle, when they were (saves reading them again). */
  readonly requests?: readonly InputRequest[];
  readonly rawS3Key: string;
  readonly receivedAt: string;
  readonly senderId: string;
  readonly onBehalfOf: string | undefined;
  /** Sends what an action change calls for (the chair's extension request, the answer, the check). */
  readonly notifier?: ActionNotifierPort;
  /** Wakes the sleeping action follow-up after an action changed (actions/follow-up-wake.ts). */
  readonly workflow?: WorkflowPort;
}

export type PurposeResult =
  | {
      readonly ok: true;
      readonly confirmation: Confirmation;
      /** What was recorded, for the caller's outcome. */
      readonly recorded: Record<string, unknown>;
      /** The workflow waits for this and may now go on. */
      readonly resume?: WaitPurpose;
      /** The cycle and its input requests as read after recording (inputs only). */
      readonly after?: { readonly cycle: Cycle; readonly requests: readonly InputRequest[] };
    }
  | { readonly ok: false; readonly problems: IngestProblem[]; readonly replyTemplate?: string };

/** Tries for a write that loses optimistic-lock races (many owners answering one input at once). */
const ATTEMPTS = 40;

/** A few milliseconds of jitter before retry n, so racing writers spread out. */
function jitter(attempt: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, Math.random() * Math.min(50, 5 * attempt)));
}

/** The reply's own text: quoted history and signature removed. */
function ownText(msg: InboundMessage): string {
  return splitReply(msg.text).text;
}

/** Files the sender meant to send (not the images of a signature). */
function sentFiles(msg: InboundMessage): InboundAttachment[] {
  return msg.attachments.filter((a) => !(a.inline && a.contentType.startsWith('image/')));
}

/**
 * Keeps the files in the evidence bucket under the receiving server's message id and their SHA-256
 * (shared/store/inbound-keys.ts), written once: a reused Message-ID or a redelivery overwrites
 * nothing. Returns their records, each with the hash its submission event records.
 */
async function keepAttachments(ctx: PurposeContext): Promise<Attachment[]> {
  const files = sentFiles(ctx.msg);
  const out: Attachment[] = [];
  for (const [index, file] of files.entries()) {
    const name = file.filename?.trim() || `attachment-${index + 1}`;
    const s3Key = attachmentEvidenceKey(ctx.cycle.id, ctx.rawS3Key, sha256Of(file.content));
    const stored = await ctx.evidence.putIfAbsent(s3Key, file.content, file.contentType);
    out.push({ name, sha256: stored.sha256, size: stored.size, s3Key });
  }
  return out;
}

function isLate(cycle: Cycle): boolean {
  return CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_INPUTS');
}

// ---------------------------------------------------------------------------------------------
// inputs

async function recordOne(
  ctx: PurposeContext,
  parsed: ParsedInput,
  attachments: Attachment[],
  late: boolean,
  known: InputRequest | undefined,
  others: readonly InputRequest[] | undefined,
): Promise<{ submission: InputSubmission; request: InputRequest; repeated: boolean; checked: boolean }> {
  const { repo, cycle, msg } = ctx;
  const messageId = ctx.messageKey;
  const requestId = `${cycle.id}/${parsed.key}`;
  // The request as read with the cycle on the first try; after a lost race, as it is now.
  let reuse = known;
  for (let attempt = 1; ; attempt += 1) {
    const request = reuse ?? (await repo.getInputRequest(cycle.id, parsed.key));
    reuse = undefined;
    if (!request) throw new Error(`input ${parsed.key} is not requested in cycle ${cycle.id}`);
    // A request that never had a submission has none from this message either (a crash after
    // recording one left it pointing there): nothing to read.
    const submissions = request.submissionId ? await repo.listSubmissions(cycle.id, parsed.key) : [];
    const earlier = submissions.find((s) => s.source.channel === 'email' && s.source.messageId === messageId);
    if (earlier) return { submission: earlier, request, repeated: true, checked: false };
    // A newer answer wins by receipt time, not by the order messages are processed: an answer
    // received before the current one is kept on record but does not replace it.
    const current = request.submissionId
      ? (submissions.find((s) => s.id === request.submissionId) ??
        (await repo.getSubmission(cycle.id, parsed.key, request.submissionId)))
      : undefined;
    const olderThanCurrent =
      current !== undefined && Date.parse(current.receivedAt) > Date.parse(ctx.receivedAt);
    const submission: InputSubmission = {
      id: newSubmissionId(new Date(ctx.receivedAt)),
      cycleId: cycle.id,
      programmeId: cycle.programmeId,
      inputKey: parsed.key,
      submitterId: ctx.senderId,
      ...(ctx.onBehalfOf ? { onBehalfOf: ctx.onBehalfOf } : {}),
      kind: parsed.kind,
      periodCovered: parsed.period,
      receivedAt: ctx.receivedAt,
      summary: parsed.kind === 'report' ? parsed.summary : parsed.nothingToReport,
      metrics: parsed.metrics,
      attachments,
      ...(parsed.decisionNeeded ? { decisionNeeded: parsed.decisionNeeded } : {}),
      ...(parsed.decisionOptions ? { decisionOptions: parsed.decisionOptions } : {}),
      ...(parsed.recommendation ? { recommendation: parsed.recommendation } : {}),
      ...(parsed.decisionCost ? { decisionCost: parsed.decisionCost } : {}),
      ...(parsed.riskIfNotDecided ? { riskIfNotDecided: parsed.riskIfNotDecided } : {}),
      source: { channel: 'email', messageId, rawS3Key: ctx.rawS3Key },
      ...(request.submissionId && !olderThanCurrent ? { supersedes: request.submissionId } : {}),
    };
    const updated: InputRequest = olderThanCurrent
      ? request
      : { ...request, status: statusAfter(submission), submissionId: submission.id };
    // On the first try, the other requests as read with the cycle are checked unchanged by the same
    // write: when it succeeds, every request of the cycle is known as it is now.
    const unchanged = attempt === 1 && known && others ? others : undefined;
    try {
      const stored = await repo.recordSubmission(submission, updated, {
        ...(unchanged ? { unchanged } : {}),
        event: {
          // Recorded now: when the answer arrived is the submission's receivedAt, kept in the data.
          type: 'input.submitted',
          at: ctx.clock.now().toISOString(),
          actor: ctx.senderId,
          sourceMessageId: messageId,
          data: {
            inputKey: parsed.key,
            receivedAt: ctx.receivedAt,
            submissionId: submission.id,
            kind: submission.kind,
            messageId,
            rawSha256: msg.sha256,
            rawS3Key: ctx.rawS3Key,
            // Each attachment's hash, chained: the evidence bundle checks every stored file against it.
            attachments: attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
            onBehalfOf: ctx.onBehalfOf ?? null,
            supersedes: submission.supersedes ?? null,
            // Received before the answer already current: on record, not current.
            ...(olderThanCurrent ? { supersededBy: request.submissionId } : {}),
            late,
          },
        },
      });
      return {
        submission: stored.submission,
        request: stored.request,
        repeated: false,
        checked: unchanged !== undefined,
      };
    } catch (error) {
      if (unchanged && error instanceof ConcurrentUpdate && error.id !== requestId && attempt < ATTEMPTS) {
        // Another input changed, not this one: it is tried again as read, without the check.
        reuse = request;
        continue;
      }
      if (
        (error instanceof ConcurrentUpdate || (error as Error).name === 'ChainConflict') &&
        attempt < ATTEMPTS
      ) {
        await jitter(attempt);
        continue;
      }
      throw error;
    }
  }
}

export async function handleInputs(ctx: PurposeContext): Promise<PurposeResult> {
  const all = ctx.requests ?? (await ctx.repo.listInputRequests(ctx.cycle.id));
  const requests = all.filter((r) => !r.automatic && r.ownerId === ctx.token.recipientId);
  if (requests.length === 0) {
    return {
      ok: false,
      problems: [
        toProblem(
          'no input of this review is asked of the person this request was sent to; ask the ISMS manager which inputs you own',
        ),
      ],
    };
  }
  // The rejection's copy of the blocks, with how to fill them in (its first line, "reply to this
  // email", is left out: the rejection says where to send the answer, and it is not this email).
  const template = [
    ...INPUT_TEMPLATE_HELP.slice(1),
    '',
    renderInputBlocks(requests.map((r) => ({ key: r.inputKey, title: r.title, period: r.periodCovered }))),
  ].join('\n');
  const reply = parseInputReply(
    ownText(ctx.msg),
    requests.map((r) => ({ key: r.inputKey, period: r.periodCovered })),
  );
  // The reply format names the input in each message ("input d1: ..."); the rejection names it in
  // its own column, so it is said once.
  const problems = reply.problems.map((problem) => {
    const where = problem.key ? `input ${problem.key}` : undefined;
    const message =
      where && problem.message.startsWith(`${where}: `)
        ? problem.message.slice(where.length + 2)
        : problem.message;
    return toProblem(message, where);
  });
  if (reply.inputs.length === 0 && problems.length === 0) {
    problems.push(
      toProblem(
        `no answer block was found; copy the block for each input (from "[input <key>]" to "[end]") into your reply and fill it in`,
      ),
    );
  }
  // Substance (shared/cycle/input-quality.ts): placeholders, copies of the last answer, missing figures.
  const checked = [];
  for (const input of reply.inputs) {
    const verdict = checkInputQuality(input, {
      attachments: sentFiles(ctx.msg).length,
      previous: await previousCycleAnswers(ctx.repo, ctx.cycle, input.key),
      receivedAt: ctx.receivedAt,
      dueAt: requests.find((r) => r.inputKey === input.key)?.dueAt,
    });
    for (const problem of verdict.problems) {
      problems.push({
        where: `input ${problem.key}`,
        problem: problem.problem,
        fix: problem.fix.charAt(0).toUpperCase() + problem.fix.slice(1),
      });
    }
    checked.push(verdict);
  }
  if (problems.length > 0) return { ok: false, problems, replyTemplate: template };

  const late = isLate(ctx.cycle);
  const attachments = await keepAttachments(ctx);
  const recorded: { submission: InputSubmission; input: ParsedInput; title: string; thin: string[] }[] = [];
  // Every request of the cycle as it is, while each write checked the others unchanged.
  let view: InputRequest[] | undefined = ctx.requests ? [...ctx.requests] : undefined;
  for (const { input, thin } of checked) {
    const known = (view ?? requests).find((r) => r.inputKey === input.key);
    const others = view?.filter((r) => r.inputKey !== input.key);
    const { submission, request, repeated, checked } = await recordOne(
      ctx,
      input,
      attachments,
      late,
      known,
      others,
    );
    view = checked && view ? view.map((r) => (r.inputKey === request.inputKey ? request : r)) : undefined;
    if (thin.length > 0 && !repeated) {
      // Shown to the ISMS manager before the package is frozen (`isms-review cycle show`).
      await ctx.repo.appendEvent(
        ctx.cycle.id,
        thinInputEvent({
          submission,
          thin,
          at: ctx.clock.now().toISOString(),
          actor: ctx.senderId,
          sourceMessageId: ctx.messageKey,
        }),
      );
    }
    recorded.push({ submission, input, title: request.title, thin: thin.map((reason) => reason.message) });
  }
  const thinNote = recorded
    .filter((r) => r.thin.length > 0)
    .map((r) => `input ${r.input.key}: ${r.thin.join('; ')}`)
    .join('. ');
  const keys = recorded.map((r) => r.input.key);
  const replaced = recorded.map((r) => r.submission.supersedes).filter((id): id is string => Boolean(id));
  const answered = requests.length;
  // Whether every input is now answered (the caller resumes the workflow then): known without
  // reading again while an input is still open and the writes checked the others unchanged;
  // otherwise read again, since other owners may have answered meanwhile and the phase moved on.
  const open = (requests: readonly InputRequest[]) =>
    requests.some((r) => !r.automatic && r.status === 'REQUESTED');
  const after =
    view && open(view) && !late
      ? { cycle: ctx.cycle, requests: view }
      : await ctx.repo.getCycleWithInputs(ctx.cycle.id);
  const stillOpen = (after?.requests ?? []).filter((r) => !r.automatic && r.status === 'REQUESTED').length;
  return {
    ok: true,
    confirmation: {
      recordedAs: `your input${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`,
      reference: recorded.map((r) => r.submission.id).join(', '),
      fields: recorded.map((r) => ({
        label: `Input ${r.input.key}: ${r.title}`,
        value: renderInputAnswer(r.input, r.title),
      })),
      attachments: attachments.map((a) => ({ filename: a.name, size: a.size, sha256: a.sha256 })),
      ...(replaced.length > 0 ? { replaces: replaced.join(', ') } : {}),
      ...(late
        ? {
            note: 'This answer arrived after the review package was compiled: it is recorded, but it is not in the package already compiled, and the ISMS manager was told (copied on this email).',
            copyManager: true,
          }
        : reply.missing.length > 0 || thinNote !== ''
          ? {
              note: [
                ...(thinNote === ''
                  ? []
                  : [
                      `Your answer is recorded; the ISMS manager will see before the package is compiled that it is thin (${thinNote}), and a fuller answer helps management decide.`,
                    ]),
                ...(reply.missing.length > 0 ? [`Still to answer: ${reply.missing.join(', ')}.`] : []),
              ].join(' '),
            }
          : {}),
    },
    recorded: {
      submissions: recorded.map((r) => ({ inputKey: r.input.key, submissionId: r.submission.id })),
      late,
      ownerInputs: answered,
      stillOpen,
    },
    ...(late ? {} : { resume: 'inputs' as const }),
    ...(after ? { after } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// minutes

export async function handleMinutes(ctx: PurposeContext): Promise<PurposeResult> {
  const text = ownText(ctx.msg);
  let result;
  try {
    result = await acceptMinutes(
      { repo: ctx.repo, clock: ctx.clock },
      {
        cycleId: ctx.cycle.id,
        text,
        submittedBy: ctx.senderId,
        source: { channel: 'email', messageId: ctx.messageKey, rawS3Key: ctx.rawS3Key },
        programme: ctx.programme,
        catalogueKeys: programmeCatalogue(ctx.programme).map((input) => input.key),
      },
    );
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'CycleNotAwaitingMinutes' || name === 'MinutesAlreadyAccepted' || name === 'InvalidData') {
      return { ok: false, problems: [toProblem((error as Error).message)] };
    }
    throw error;
  }
  if (!result.ok) return { ok: false, problems: result.problems.map((problem) => toProblem(problem)) };
  return {
    ok: true,
    confirmation: {
      recordedAs: `the minutes, version ${result.minutes.version}`,
      reference: `minutes v${result.minutes.version}`,
      fields: [
        { label: 'Minutes as recorded', value: result.minutes.sourceText },
        ...result.actions.map((action) => ({
          label: `Action ${action.id}`,
          value: `${action.title}; owner ${action.ownerId}; due ${action.dueDate}`,
        })),
      ],
      attachments: [],
    },
    recorded: {
      minutesVersion: result.minutes.version,
      actions: result.actions.map((a) => a.id),
      repeated: result.repeated,
    },
    resume: 'minutes',
  };
}

// ---------------------------------------------------------------------------------------------
// actions: the owner's DONE / PROGRESS / EXTEND, the chair's APPROVE / REFUSE of an extension, the
// ISMS manager's (or the chair's) CONFIRM / REOPEN of a corrective action's closure, the
// checker's PASS / FAIL of a corrective action's effectiveness, and top management's RESCHEDULE /
// REASSIGN / ACCEPT RISK of an escalated action (shared/actions/register.ts).

const ACTION_PURPOSES = {
  action: { allowed: OWNER_COMMANDS, asks: 'reminder about the action' },
  extension: { allowed: CHAIR_COMMANDS, asks: 'extension request' },
  effectiveness: { allowed: CHECK_COMMANDS, asks: 'effectiveness check request' },
  closure: { allowed: CONFIRM_COMMANDS, asks: 'request to confirm the closure' },
  decision: { allowed: MANAGEMENT_COMMANDS, asks: 'escalation to top management' },
} as const;

function registerCommand(command: ParsedActionCommand, attachments: Attachment[]): RegisterCommand {
  switch (command.kind) {
    case 'done':
      return { kind: 'done', evidence: command.evidence, attachments };
    case 'progress':
      return { kind: 'progress', note: command.note };
    case 'extend':
      return { kind: 'extend', until: command.until, reason: command.reason };
    case 'approve':
      return command.comment ? { kind: 'approve', comment: command.comment } : { kind: 'approve' };
    case 'refuse':
      return { kind: 'refuse', reason: command.reason };
    case 'pass':
      return { kind: 'check', passed: true, note: command.rationale };
    case 'fail':
      return { kind: 'check', passed: false, note: command.finding };
    case 'confirm':
      return command.note ? { kind: 'confirm', note: command.note } : { kind: 'confirm' };
    case 'reopen':
      return { kind: 'reopen', note: command.reason };
    case 'reschedule':
      return { kind: 'reschedule', until: command.until, reason: command.reason };
    case 'reassign':
      return command.until
        ? { kind: 'reassign', to: command.to, until: command.until, reason: command.reason }
        : { kind: 'reassign', to: command.to, reason: command.reason };
    case 'accept-risk':
      return { kind: 'accept-risk', reason: command.reason };
    case 'changes':
    case 'object':
      // Answers to an approval request, never allowed on an action's reply address (approvals.ts).
      throw new InvalidActionChange(
        `${command.kind.toUpperCase()} answers an approval request, not an action`,
      );
  }
}

const RECORDED_AS: Record<ParsedActionCommand['kind'], string> = {
  done: 'done',
  progress: 'progress',
  extend: 'an extension request',
  approve: 'the approval of an extension',
  refuse: 'the refusal of an extension',
  pass: 'a passed effectiveness check',
  fail: 'a failed effectiveness check',
  confirm: 'the confirmation of the closure',
  reopen: 'the closure sent back to the owner',
  reschedule: "top management's new due date",
  reassign: "top management's new owner",
  'accept-risk': "top management's acceptance of the risk",
  changes: 'a request for changes',
  object: 'an objection',
};

export async function handleAction(ctx: PurposeContext): Promise<PurposeResult> {
  const actionId = ctx.token.ref;
  const purpose =
    ACTION_PURPOSES[ctx.token.purpose as keyof typeof ACTION_PURPOSES] ?? ACTION_PURPOSES.action;
  if (!actionId) {
    return {
      ok: false,
      problems: [toProblem(`this reply address names no action; reply to the latest ${purpose.asks}`)],
    };
  }
  const parsed = parseActionCommand(ownText(ctx.msg), { allowed: purpose.allowed });
  if (!parsed.ok) return { ok: false, problems: [toProblem(parsed.error)] };
  const command = parsed.command;
  const known = await ctx.repo.getAction(actionId);
  if (!known || known.cycleId !== ctx.cycle.id) {
    return {
      ok: false,
      problems: [toProblem(`action ${actionId} does not exist any more; ask the ISMS manager`)],
    };
  }
  const attachments = command.kind === 'done' ? await keepAttachments(ctx) : [];
  let result;
  try {
    result = await changeAction(
      {
        repo: ctx.repo,
        clock: ctx.clock,
        ...(ctx.notifier ? { notifier: ctx.notifier } : {}),
        ...(ctx.workflow ? { workflow: ctx.workflow } : {}),
      },
      {
        actionId,
        by: ctx.senderId,
        source: { channel: 'email', messageId: ctx.messageKey },
        command: registerCommand(command, attachments),
      },
    );
  } catch (error) {
    if (
      error instanceof InvalidActionChange ||
      error instanceof ActionClosed ||
      error instanceof UnknownPerson
    ) {
      return { ok: false, problems: [toProblem(error.message)] };
    }
    throw error;
  }
  return {
    ok: true,
    ...actionConfirmation(result.action, RECORDED_AS[command.kind], ctx.programme),
    recorded: {
      actionId,
      command: command.kind,
      status: result.action.status,
      dueDate: result.action.dueDate,
      ...(result.repeated ? { repeated: true } : {}),
    },
  };
}

function actionConfirmation(
  action: Action,
  recordedAs: string,
  programme: Programme,
): { confirmation: Confirmation } {
  const last = action.history.at(-1);
  return {
    confirmation: {
      recordedAs: `${recordedAs} on action ${action.id}, ${action.title}`,
      reference: action.id,
      fields: [
        { label: 'Status', value: action.status.replace('_', ' ') },
        { label: 'Due', value: action.dueDate },
        ...(action.closureEvidence ? [{ label: 'Evidence', value: action.closureEvidence.text }] : []),
        ...(action.closureEvidence?.links?.length
          ? [{ label: 'Links', value: action.closureEvidence.links.join('\n') }]
          : []),
        ...(awaitingConfirmation(action)
          ? [
              {
                label: 'Closure',
                value: `awaiting confirmation by ${personById(programme, closureConfirmer(programme, action.ownerId)).name}`,
              },
            ]
          : action.closureConfirmation
            ? [{ label: 'Closure', value: `confirmed on ${action.closureConfirmation.at.slice(0, 10)}` }]
            : []),
        ...(action.extensionRequest
          ? [
              {
                label: 'Extension requested',
                value: `to ${action.extensionRequest.dueDate}, awaiting the chair`,
              },
            ]
          : []),
        ...(last ? [{ label: 'Recorded', value: last.change }] : []),
      ],
      attachments: (action.closureEvidence?.attachments ?? []).map((a) => ({
        filename: a.name,
        size: a.size,
        sha256: a.sha256,
      })),
    },
  };
}
