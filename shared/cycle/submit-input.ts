/**
 * An input answered from the command line (`isms-review input submit`) or the web app's answer form,
 * for owners who prefer not to use mail. The same rules as a reply by email: the same answer block and parser
 * (shared/mail/reply-format.ts), the owner or a registered delegate only, the same
 * `input.submitted` event (its source names the CLI and the file, or the web, instead of a Message-ID), and the
 * same resume of the waiting workflow when the last input arrives.
 *
 * Idempotent: the same answer submitted again by the same person is recognised as a repeat and
 * records nothing; a different answer supersedes the earlier one (both are kept).
 */
import { isDeepStrictEqual } from 'node:util';
import {
  INPUT_TEMPLATE_HELP,
  parseInputReply,
  renderInputAnswer,
  renderInputBlocks,
  type ParsedInput,
} from '../mail/reply-format.ts';
import { CYCLE_PHASES } from '../model/cycle.ts';
import { newSubmissionId } from '../model/ids.ts';
import { statusAfter, type InputRequest, type InputSubmission } from '../model/input.ts';
import { mayAnswerFor, personByEmail } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import { ConcurrentUpdate } from '../store/repository.ts';
import type { WaitingDeps } from './ports.ts';
import { allInputsAnswered, resumeWaiting } from './service.ts';
import { programmeOf } from './cycle-state.ts';
import { checkInputQuality, previousCycleAnswers, thinInputEvent } from './input-quality.ts';

/** The cycle named does not exist. */
export class CycleNotFound extends Error {
  override name = 'CycleNotFound' as const;
}

/** The cycle takes no more inputs (closed or failed). */
export class CycleNotTakingInputs extends Error {
  override name = 'CycleNotTakingInputs' as const;
}

/** The input is not asked in that cycle, or is filled automatically. */
export class InputNotRequested extends Error {
  override name = 'InputNotRequested' as const;
}

/** The person named is not in the programme. */
export class UnknownSubmitter extends Error {
  override name = 'UnknownSubmitter' as const;
}

/** The person named is neither the input's owner nor a delegate registered for them. */
export class NotOwnerOrDelegate extends Error {
  override name = 'NotOwnerOrDelegate' as const;
}

export interface SubmitInputRequest {
  readonly cycleId: string;
  readonly inputKey: string;
  /** The answer: the same `[input <key>] ... [end]` block as a reply by email. */
  readonly text: string;
  /** The file it came from, for the record. */
  readonly fileName?: string;
  /** Who submits (an email address of the programme); absent: the input's owner. */
  readonly as?: string;
  /** Where the answer was given: the CLI (default) or the web app's form. */
  readonly channel?: 'cli' | 'web';
}

export interface InputProblem {
  readonly where?: string;
  readonly problem: string;
}

export type SubmitInputResult =
  | {
      readonly ok: true;
      readonly submission: InputSubmission;
      readonly request: InputRequest;
      /** The same answer was recorded before: nothing changed. */
      readonly repeated: boolean;
      /** It arrived after the package was compiled (recorded, not in that package). */
      readonly late: boolean;
      /** The answer as recorded, in the reply format. */
      readonly echo: string;
      /** Inputs of the cycle still awaiting an answer. */
      readonly stillOpen: number;
      /** This answer was the last one awaited, and the workflow goes on. */
      readonly resumed: boolean;
      /** Why the answer, accepted, is thin (recorded as an `input.thin` event); empty when it is not. */
      readonly thin: readonly string[];
    }
  | {
      readonly ok: false;
      readonly problems: InputProblem[];
      /** The block to fill in, with how to. */
      readonly template: string;
    };

/** Tries for a write that loses optimistic-lock races (another answer at the same moment). */
const ATTEMPTS = 20;

const sameAnswer = (earlier: InputSubmission, next: InputSubmission): boolean =>
  earlier.source.channel === next.source.channel &&
  earlier.submitterId === next.submitterId &&
  earlier.kind === next.kind &&
  earlier.summary === next.summary &&
  earlier.decisionNeeded === next.decisionNeeded &&
  isDeepStrictEqual(earlier.decisionOptions, next.decisionOptions) &&
  earlier.recommendation === next.recommendation &&
  earlier.decisionCost === next.decisionCost &&
  earlier.riskIfNotDecided === next.riskIfNotDecided &&
  isDeepStrictEqual(earlier.periodCovered, next.periodCovered) &&
  isDeepStrictEqual(earlier.metrics, next.metrics);

/** Who submits: the person `as` names (owner or delegate), or the owner. */
function submitter(
  programme: Programme,
  request: InputRequest,
  as: string | undefined,
): { senderId: string; onBehalfOf?: string } {
  const ownerId = request.ownerId;
  // An input someone answers always has an owner (the schema requires it when not automatic).
  if (ownerId === undefined) throw new InputNotRequested(`input ${request.inputKey} has no owner`);
  if (as === undefined) return { senderId: ownerId };
  const person = personByEmail(programme, as);
  if (!person) {
    throw new UnknownSubmitter(
      `${as} is not a person of the review programme; --as takes the email address of the input's owner or of a delegate registered for them`,
    );
  }
  if (!mayAnswerFor(programme, person.id, ownerId)) {
    const owner = programme.people.find((p) => p.id === ownerId);
    throw new NotOwnerOrDelegate(
      `input ${request.inputKey} is owned by ${owner ? `${owner.name} <${owner.email}>` : ownerId}; ` +
        `${person.name} <${person.email}> is neither its owner nor a delegate registered for them (ask the ISMS manager to register one)`,
    );
  }
  return person.id === ownerId ? { senderId: person.id } : { senderId: person.id, onBehalfOf: ownerId };
}

export async function submitInput(deps: WaitingDeps, input: SubmitInputRequest): Promise<SubmitInputResult> {
  const cycle = await deps.repo.getCycle(input.cycleId);
  if (!cycle)
    throw new CycleNotFound(`no cycle ${input.cycleId}; \`isms-review cycle list\` shows the cycles`);
  if (cycle.status !== 'active') {
    throw new CycleNotTakingInputs(`cycle ${cycle.id} is ${cycle.status}: it takes no more inputs`);
  }
  const key = input.inputKey.trim().toLowerCase();
  const requests = await deps.repo.listInputRequests(cycle.id);
  const request = requests.find((r) => r.inputKey === key);
  if (!request || request.automatic) {
    const asked = requests.filter((r) => !r.automatic).map((r) => r.inputKey);
    throw new InputNotRequested(
      request
        ? `input ${key} of cycle ${cycle.id} is filled automatically; nobody submits it`
        : `input ${key} is not asked in cycle ${cycle.id}; it asks: ${asked.join(', ')}`,
    );
  }
  const programme = await programmeOf(deps, cycle);
  const who = submitter(programme, request, input.as);

  const template = [
    ...INPUT_TEMPLATE_HELP.slice(1),
    '',
    renderInputBlocks([{ key: request.inputKey, title: request.title, period: request.periodCovered }]),
  ].join('\n');
  const reply = parseInputReply(input.text, [{ key: request.inputKey, period: request.periodCovered }]);
  const problems: InputProblem[] = reply.problems.map((problem) => {
    const where = problem.key ? `input ${problem.key}` : undefined;
    const text =
      where && problem.message.startsWith(`${where}: `)
        ? problem.message.slice(where.length + 2)
        : problem.message;
    return { ...(where ? { where } : {}), problem: text };
  });
  const read: ParsedInput | undefined = reply.inputs.find((i) => i.key === request.inputKey);
  const receivedAt = deps.clock.now().toISOString();
  // Substance (input-quality.ts): the same rules as a reply by email; a file brings no attachment.
  const verdict = read
    ? checkInputQuality(read, {
        attachments: 0,
        previous: await previousCycleAnswers(deps.repo, cycle, request.inputKey),
        receivedAt,
        dueAt: request.dueAt,
      })
    : undefined;
  for (const problem of verdict?.problems ?? []) {
    problems.push({ where: `input ${problem.key}`, problem: problem.message });
  }
  const parsed = verdict?.input;
  if (!parsed && problems.length === 0) {
    problems.push({
      problem: `no answer block was found; the file must hold the block for input ${request.inputKey} (from "[input ${request.inputKey}]" to "[end]"), filled in`,
    });
  }
  if (problems.length > 0 || !parsed) return { ok: false, problems, template };

  const late = CYCLE_PHASES.indexOf(cycle.phase) > CYCLE_PHASES.indexOf('AWAITING_INPUTS');
  let recorded: { submission: InputSubmission; request: InputRequest; repeated: boolean } | undefined;
  for (let attempt = 1; !recorded; attempt += 1) {
    const current = (await deps.repo.getInputRequest(cycle.id, request.inputKey)) ?? request;
    const submission: InputSubmission = {
      id: newSubmissionId(new Date(receivedAt)),
      cycleId: cycle.id,
      programmeId: cycle.programmeId,
      inputKey: request.inputKey,
      submitterId: who.senderId,
      ...(who.onBehalfOf ? { onBehalfOf: who.onBehalfOf } : {}),
      kind: parsed.kind,
      periodCovered: parsed.period,
      receivedAt,
      summary: parsed.kind === 'report' ? parsed.summary : parsed.nothingToReport,
      metrics: parsed.metrics,
      attachments: [],
      ...(parsed.decisionNeeded ? { decisionNeeded: parsed.decisionNeeded } : {}),
      ...(parsed.decisionOptions ? { decisionOptions: parsed.decisionOptions } : {}),
      ...(parsed.recommendation ? { recommendation: parsed.recommendation } : {}),
      ...(parsed.decisionCost ? { decisionCost: parsed.decisionCost } : {}),
      ...(parsed.riskIfNotDecided ? { riskIfNotDecided: parsed.riskIfNotDecided } : {}),
      source:
        input.channel === 'web'
          ? { channel: 'web' }
          : { channel: 'cli', ...(input.fileName ? { fileName: input.fileName } : {}) },
      ...(current.submissionId ? { supersedes: current.submissionId } : {}),
    };
    const earlier = current.submissionId
      ? await deps.repo.getSubmission(cycle.id, request.inputKey, current.submissionId)
      : undefined;
    if (earlier && sameAnswer(earlier, submission)) {
      recorded = { submission: earlier, request: current, repeated: true };
      break;
    }
    try {
      const stored = await deps.repo.recordSubmission(
        submission,
        { ...current, status: statusAfter(submission), submissionId: submission.id },
        {
          event: {
            type: 'input.submitted',
            at: receivedAt,
            actor: who.senderId,
            data: {
              inputKey: request.inputKey,
              submissionId: submission.id,
              kind: submission.kind,
              source: input.channel ?? 'cli',
              fileName: input.fileName ?? null,
              attachments: [],
              onBehalfOf: who.onBehalfOf ?? null,
              supersedes: submission.supersedes ?? null,
              late,
            },
          },
        },
      );
      recorded = { submission: stored.submission, request: stored.request, repeated: false };
    } catch (error) {
      const lost = error instanceof ConcurrentUpdate || (error as Error).name === 'ChainConflict';
      if (!lost || attempt >= ATTEMPTS) throw error;
    }
  }

  const thin = verdict?.thin ?? [];
  if (thin.length > 0 && !recorded.repeated) {
    // Shown to the ISMS manager before the package is frozen (`isms-review cycle show`).
    await deps.repo.appendEvent(
      cycle.id,
      thinInputEvent({ submission: recorded.submission, thin, at: receivedAt, actor: who.senderId }),
    );
  }
  const after = await deps.repo.listInputRequests(cycle.id);
  let resumed = false;
  if (!late && allInputsAnswered(after)) {
    const now = await deps.repo.getCycle(cycle.id);
    if (now && CYCLE_PHASES.indexOf(now.phase) <= CYCLE_PHASES.indexOf('AWAITING_INPUTS')) {
      resumed = await resumeWaiting(deps, cycle.id, 'inputs');
    }
  }
  return {
    ok: true,
    ...recorded,
    late,
    echo: renderInputAnswer(parsed, request.title),
    stillOpen: after.filter((r) => !r.automatic && r.status === 'REQUESTED').length,
    resumed,
    thin: thin.map((reason) => reason.message),
  };
}
