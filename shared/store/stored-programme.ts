/**
 * Reading an applied programme back: the current version (to start a cycle or sweep actions) or
 * the very version a cycle runs on. One error for "not applied" and one parse, for every caller
 * (workflow steps, ingest, the CLI and the scheduled functions).
 */
import { parseWith } from '../model/common.ts';
import type { ProgrammeVersion } from '../model/programme-ref.ts';
import { ProgrammeSchema, type Programme } from '../programme/schema.ts';
import type { ProgrammeStore } from './programmes.ts';

/** The programme (or the version of it a cycle names) is not stored. */
export class ProgrammeNotApplied extends Error {
  override name = 'ProgrammeNotApplied' as const;
  constructor(
    readonly programmeId: string,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `programme ${programmeId} has not been applied: run \`isms-review programme apply <file>\` first`
        : `programme ${programmeId} version ${version} is not stored; the cycle cannot be run without the version it was opened on`,
    );
  }
}

/**
 * Versions already read and parsed, per store: a stored version never changes (it is written once,
 * shared/store/programmes.ts), so a process reads and parses each at most once per store. Callers
 * share the object and must not change it.
 */
const parsedVersions = new WeakMap<object, Map<string, Programme>>();
const PARSED_VERSIONS_PER_STORE = 20;

/** The current version of a programme, checked (ProgrammeNotApplied; InvalidData when it no longer parses). */
export async function currentProgramme(
  repo: Pick<ProgrammeStore, 'getCurrentProgramme'>,
  programmeId: string,
): Promise<{ stored: ProgrammeVersion; programme: Programme }> {
  const current = await repo.getCurrentProgramme(programmeId);
  if (!current) throw new ProgrammeNotApplied(programmeId);
  const programme =
    parsedVersions.get(repo)?.get(`${programmeId}#${current.version}`) ??
    parseWith(
      ProgrammeSchema,
      current.document,
      `stored programme ${programmeId} version ${current.version}`,
    );
  return { stored: current, programme };
}

/** The version of a programme a cycle runs on, checked (ProgrammeNotApplied; InvalidData). */
export async function programmeVersion(
  repo: Pick<ProgrammeStore, 'getProgrammeVersion'>,
  ref: { readonly programmeId: string; readonly version: number },
): Promise<Programme> {
  const key = `${ref.programmeId}#${ref.version}`;
  const known = parsedVersions.get(repo)?.get(key);
  if (known) return known;
  const stored = await repo.getProgrammeVersion(ref.programmeId, ref.version);
  if (!stored) throw new ProgrammeNotApplied(ref.programmeId, ref.version);
  const programme = parseWith(
    ProgrammeSchema,
    stored.document,
    `stored programme ${ref.programmeId} version ${ref.version}`,
  );
  const versions = parsedVersions.get(repo) ?? new Map<string, Programme>();
  parsedVersions.set(repo, versions);
  versions.set(key, programme);
  if (versions.size > PARSED_VERSIONS_PER_STORE) versions.delete(versions.keys().next().value!);
  return programme;
}
