import { readFile } from 'node:fs/promises';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { NonEmptyText, PersonId } from '#shared/model/common.ts';
import type { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import { formatIssue, parseProgramme, type Programme, type ProgrammeIssue } from '#shared/programme/load.ts';
import { BACKEND_HELP, backendOptions, rememberProgramme, resolveBackend } from '../backend.ts';
import { openRepository, sfnClient } from '../clients.ts';
import { ExitCode, UsageError, type Output } from '../output.ts';
import type { Command } from './types.ts';

async function readProgramme(positionals: string[]) {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('Give exactly one programme file.');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { file, text, parsed: parseProgramme(text, file) };
}

function reportInvalid(out: Output, file: string, errors: readonly ProgrammeIssue[]): number {
  for (const issue of errors) out.say(formatIssue(issue, file));
  out.say(`\n${errors.length} problem(s) in ${file}.`);
  out.result({ ok: false, file, errors });
  return ExitCode.failed;
}

export const programmeValidate: Command = {
  words: ['programme', 'validate'],
  usage: 'programme validate <file>',
  summary: 'Check a review programme file; print every problem with its place. Writes nothing.',
  async run({ positionals, out }) {
    const { file, parsed } = await readProgramme(positionals);
    if (!parsed.ok) return reportInvalid(out, file, parsed.errors);
    out.say(`${file} is a valid review programme for ${parsed.programme.organisation.name}.`);
    out.result({ ok: true, file, organisation: parsed.programme.organisation.name });
    return ExitCode.ok;
  },
};

function savedBy(programme: Programme, by: string | boolean | undefined): ProgrammeVersion['savedBy'] {
  if (by === undefined) return 'system';
  if (typeof by !== 'string' || !PersonId.safeParse(by).success) {
    throw new UsageError('--by needs the id of a person in the programme, e.g. --by alice.');
  }
  if (!programme.people.some((person) => person.id === by)) {
    throw new UsageError(
      `--by "${by}" is not a person in the programme; expected one of: ${programme.people.map((p) => p.id).join(', ')}.`,
    );
  }
  return by;
}

function noteOf(note: string | boolean | undefined): string | undefined {
  if (note === undefined) return undefined;
  if (typeof note !== 'string' || !NonEmptyText.safeParse(note).success) {
    throw new UsageError('--note needs text saying why the programme changed.');
  }
  return note.trim();
}

export const programmeApply: Command = {
  words: ['programme', 'apply'],
  usage: 'programme apply <file>',
  summary: 'Validate a programme file and store it as the next programme version (unless unchanged).',
  help: [
    'Options:',
    '  --by <personId>   who saved it (a person in the programme); default: system',
    '  --note <text>     why it changed',
    '',
    'An invalid file is reported as `programme validate` reports it, and nothing is written.',
    'A file whose validated content equals the current version is not stored again ("unchanged").',
    'Cycles already open keep the version they opened with; the action follow-up, which follows the',
    'current version, is woken to work out its next reminder or escalation again.',
    'The programme id is the organisation id. Locally the CLI remembers it for the cycle commands.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, by: { type: 'string' }, note: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const { file, text, parsed } = await readProgramme(positionals);
    if (!parsed.ok) return reportInvalid(out, file, parsed.errors);
    const { programme } = parsed;
    const by = savedBy(programme, values.by);
    const note = noteOf(values.note);

    const backend = await resolveBackend(values, env);
    const programmeId = programme.organisation.id;
    const hash = canonicalHash(programme);
    const { repository, close } = await openRepository(backend);
    try {
      const current = await repository.getCurrentProgramme(programmeId);
      const now = clock.now();
      if (current?.hash === hash) {
        await rememberProgramme(backend, programmeId, now);
        out.say(`${file}: programme ${programmeId} unchanged, version ${current.version}.`);
        out.result({ ok: true, file, programmeId, version: current.version, hash, unchanged: true });
        return ExitCode.ok;
      }
      const saved = await repository.saveProgrammeVersion({
        programmeId,
        version: (current?.version ?? 0) + 1,
        hash,
        savedAt: now.toISOString(),
        savedBy: by,
        document: programme as unknown as Record<string, unknown>,
        ...(text.trim() === '' ? {} : { source: text }),
        ...(note === undefined ? {} : { note }),
      });
      await rememberProgramme(backend, programmeId, now);
      // The action follow-up reads the current programme: wake it to work out its next step again.
      const [{ wakeFollowUp }, { SfnWorkflow }] = await Promise.all([
        import('#shared/actions/follow-up-wake.ts'),
        import('#shared/adapters/sfn-workflow.ts'),
      ]);
      // The Step Functions client only when a follow-up is parked (no workflow, no endpoint needed).
      let sfn: Awaited<ReturnType<typeof sfnClient>> | undefined;
      const workflow = {
        sendTaskSuccess: async (taskToken: string, output: Record<string, unknown>) =>
          new SfnWorkflow((sfn ??= await sfnClient(backend))).sendTaskSuccess(taskToken, output),
      };
      try {
        await wakeFollowUp({ repo: repository, workflow }, programmeId);
      } finally {
        sfn?.destroy();
      }
      out.say(
        `${file}: stored programme ${programmeId} version ${saved.version}` +
          (current ? ` (was version ${current.version})` : '') +
          `, hash ${hash.slice(0, 12)}.`,
      );
      out.result({ ok: true, file, programmeId, version: saved.version, hash, unchanged: false });
      return ExitCode.ok;
    } finally {
      close();
    }
  },
};
