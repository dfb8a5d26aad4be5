import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CycleId } from '#shared/model/ids.ts';
import { BACKEND_HELP, backendOptions, resolveBackend } from '../backend.ts';
import { openRepository, sfnClient } from '../clients.ts';
import { ExitCode, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** The minutes file could not be read. */
export class UnreadableMinutesFile extends Error {
  override name = 'UnreadableMinutesFile' as const;
}

export const minutesSubmit: Command = {
  words: ['minutes', 'submit'],
  usage: 'minutes submit <cycleId> --file <minutes.yaml> [--by <person id>]',
  summary: 'Record the minutes of a review from a YAML file (the same checks as an emailed reply).',
  help: [
    'The file is the minutes template the ISMS manager received with the minutes request, filled in.',
    'Every problem is listed at once, with its line, and nothing is recorded until all are fixed.',
    'Accepted minutes create their actions and let the waiting workflow go on (once, however often',
    'the same minutes are sent). --by names who submits them (default: the ISMS manager).',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, file: { type: 'string' }, by: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [cycleId, ...extra] = positionals;
    if (cycleId === undefined || extra.length > 0) throw new UsageError('Give exactly one cycle id.');
    if (!CycleId.safeParse(cycleId).success) {
      throw new UsageError(
        `"${cycleId}" is not a cycle id; expected one like C-20261001T0800Z-Q (see \`isms-review cycle list\`).`,
      );
    }
    const file = values.file;
    if (typeof file !== 'string' || file.trim() === '') {
      throw new UsageError('Give the minutes file: --file <minutes.yaml>.');
    }
    const by = values.by;
    if (by !== undefined && (typeof by !== 'string' || by.trim() === '')) {
      throw new UsageError('--by needs a person id from the programme, e.g. --by alice.');
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UnreadableMinutesFile(`cannot read ${file}: ${(error as Error).message}`);
    }
    const backend = await resolveBackend(values, env);
    const { repository, close } = await openRepository(backend);
    try {
      const { submitMinutes } = await import('#shared/minutes/submit.ts');
      const { SfnWorkflow } = await import('#shared/adapters/sfn-workflow.ts');
      const workflow = new SfnWorkflow(await sfnClient(backend));
      const result = await submitMinutes(
        // Accepted minutes are a milestone: the workflow's anchoring step anchors the chain head
        // once it has resumed (functions/anchor-chain.ts).
        { repo: repository, clock, workflow },
        {
          cycleId,
          text,
          fileName: basename(file),
          ...(typeof by === 'string' ? { submittedBy: by.trim() } : {}),
        },
      );
      if (!result.ok) {
        out.error(`The minutes were not recorded: ${result.problems.length} problem(s) to fix in ${file}:`);
        for (const problem of result.problems) out.error(`  - ${problem}`);
        out.result({ ok: false, problems: result.problems });
        return ExitCode.failed;
      }
      out.say(
        result.repeated
          ? `These minutes were already recorded as version ${result.minutes.version}; nothing changed.`
          : `Minutes recorded as version ${result.minutes.version} for ${cycleId}.`,
      );
      for (const action of result.actions) {
        out.say(`  ${action.id}  due ${action.dueDate}  ${action.ownerId}  ${action.title}`);
      }
      if (result.resumed)
        out.say('The workflow goes on: the minutes are distributed and the actions followed up.');
      out.result({
        ok: true,
        cycleId,
        version: result.minutes.version,
        repeated: result.repeated,
        resumed: result.resumed ?? false,
        actions: result.actions.map((a) => ({
          id: a.id,
          title: a.title,
          owner: a.ownerId,
          dueDate: a.dueDate,
        })),
      });
      return ExitCode.ok;
    } catch (error) {
      const name = (error as Error).name;
      if (
        [
          'CycleNotAwaitingMinutes',
          'MinutesAlreadyAccepted',
          'NotFound',
          'UnknownPerson',
          'InvalidData',
        ].includes(name)
      ) {
        out.error((error as Error).message);
        out.result({ ok: false, error: (error as Error).message });
        return ExitCode.failed;
      }
      throw error;
    } finally {
      close();
    }
  },
};
