import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CycleId } from '#shared/model/ids.ts';
import { BACKEND_HELP, backendOptions, requireSetting, resolveBackend } from '../backend.ts';
import { ExitCode, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** The answer file could not be read. */
export class UnreadableAnswerFile extends Error {
  override name = 'UnreadableAnswerFile' as const;
}

/** Refusals that are the user's to fix: printed as they are, exit 1. */
const REFUSALS = [
  'CycleNotFound',
  'CycleNotTakingInputs',
  'InputNotRequested',
  'UnknownSubmitter',
  'NotOwnerOrDelegate',
];

export const inputSubmit: Command = {
  words: ['input', 'submit'],
  usage: 'input submit <cycleId> <inputKey> --file <answer.txt> [--as <email>]',
  summary: 'Answer an input request from a file instead of by email (the same checks as a reply).',
  help: [
    'The file holds the answer block of the request email, filled in: from "[input <key>]" to "[end]",',
    'with period, summary (or "nothing to report: <reason>"), any metric lines and "decision needed".',
    'It is read by the same parser as an emailed reply; every problem is listed at once, with the',
    'block to copy, and nothing is recorded until all are fixed (exit 1).',
    '',
    "The answer is recorded as the input owner's; --as <email> names who submits it: the owner or a",
    'delegate registered for them in the programme (anyone else is refused). Sending the same answer',
    'again records nothing; a different one supersedes the earlier (both are kept). When it is the',
    'last answer the cycle waits for, the workflow goes on to compile the package.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, file: { type: 'string' }, as: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [cycleId, inputKey, ...extra] = positionals;
    if (cycleId === undefined || inputKey === undefined || extra.length > 0) {
      throw new UsageError(
        'Give a cycle id and an input key, e.g. input submit C-20261001T0800Z-Q d1 --file d1.txt.',
      );
    }
    if (!CycleId.safeParse(cycleId).success) {
      throw new UsageError(
        `"${cycleId}" is not a cycle id; expected one like C-20261001T0800Z-Q (see \`isms-review cycle list\`).`,
      );
    }
    if (!/^[a-z][a-z0-9]{0,15}$/i.test(inputKey)) {
      throw new UsageError(
        `"${inputKey}" is not an input key; expected one like d1 or b (see \`isms-review cycle show\`).`,
      );
    }
    const file = values.file;
    if (typeof file !== 'string' || file.trim() === '') {
      throw new UsageError('Give the answer file: --file <answer.txt>.');
    }
    const as = values.as;
    if (as !== undefined && (typeof as !== 'string' || !as.includes('@'))) {
      throw new UsageError(
        '--as needs the email address of the owner or a delegate, e.g. --as ann@example.com.',
      );
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UnreadableAnswerFile(`cannot read ${file}: ${(error as Error).message}`);
    }
    const backend = await resolveBackend(values, env);
    // The last answer resumes the workflow: locally, only ever through the local runtime.
    if (backend.kind === 'local') requireSetting(backend, 'AWS_ENDPOINT_URL_SFN');
    const [{ wireCycle }, { submitInput }] = await Promise.all([
      import('#shared/wiring/cycle.ts'),
      import('#shared/cycle/submit-input.ts'),
    ]);
    try {
      // Built from the contract just set for this backend (never from an earlier one in this process).
      const result = await submitInput(await wireCycle({ env: process.env, overrides: { clock } }), {
        cycleId,
        inputKey,
        text,
        fileName: basename(file),
        ...(typeof as === 'string' ? { as: as.trim() } : {}),
      });
      if (!result.ok) {
        out.error(`The answer was not recorded: ${result.problems.length} problem(s) to fix in ${file}:`);
        for (const { where, problem } of result.problems)
          out.error(`  - ${where ? `${where}: ` : ''}${problem}`);
        out.error('');
        out.error('The block to fill in:');
        for (const line of result.template.split('\n')) out.error(`  ${line}`);
        out.result({ ok: false, problems: result.problems });
        return ExitCode.failed;
      }
      const { submission } = result;
      if (result.repeated) {
        out.say(`This answer was already recorded as ${submission.id}; nothing changed.`);
      } else {
        out.say(
          `Input ${submission.inputKey} recorded for ${cycleId} as ${submission.id}` +
            `${submission.supersedes ? ` (replaces ${submission.supersedes})` : ''}` +
            `${submission.onBehalfOf ? `, by ${submission.submitterId} for ${submission.onBehalfOf}` : ''}:`,
        );
        for (const line of result.echo.split('\n')) out.say(`  ${line}`);
        if (result.thin.length > 0) out.say(`Recorded, but thin: ${result.thin.join('; ')}.`);
      }
      if (result.late)
        out.say('It arrived after the package was compiled: it is recorded, but not in that package.');
      else if (result.resumed)
        out.say('It was the last answer awaited: the workflow goes on to compile the package.');
      else out.say(`${result.stillOpen} input(s) of the cycle still awaiting an answer.`);
      out.result({
        ok: true,
        cycleId,
        inputKey: submission.inputKey,
        submissionId: submission.id,
        submittedBy: submission.submitterId,
        onBehalfOf: submission.onBehalfOf ?? null,
        supersedes: submission.supersedes ?? null,
        repeated: result.repeated,
        late: result.late,
        stillOpen: result.stillOpen,
        resumed: result.resumed,
        thin: result.thin,
      });
      return ExitCode.ok;
    } catch (error) {
      if (!REFUSALS.includes((error as Error).name)) throw error;
      out.error((error as Error).message);
      out.result({ ok: false, error: (error as Error).message });
      return ExitCode.failed;
    }
  },
};
