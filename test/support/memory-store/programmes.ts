/** ProgrammeStore in memory: every version kept under VERSION#<n>, the latest copied to CURRENT. */
import { parseWith } from '#shared/model/common.ts';
import { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import { programmeKeys, SK } from '#shared/store/keys.ts';
import type { ProgrammeStore } from '#shared/store/programmes.ts';
import { AlreadyExists, ConcurrentUpdate } from '#shared/store/repository.ts';
import { newItemStep } from './items.ts';
import { numberAttribute, toRecord, type MemoryTables } from './table.ts';

export class MemoryProgrammeStore implements ProgrammeStore {
  constructor(private readonly tables: MemoryTables) {}

  async saveProgrammeVersion(input: ProgrammeVersion): Promise<ProgrammeVersion> {
    const version = parseWith(
      ProgrammeVersion,
      input,
      `programme ${input?.programmeId} version ${input?.version}`,
    );
    const id = `${version.programmeId} v${version.version}`;
    const currentKey = programmeKeys.current(version.programmeId);
    const { main } = this.tables;
    await this.tables.write([
      newItemStep(
        main,
        {
          ...programmeKeys.version(version.programmeId, version.version),
          entity: 'programme-version',
          ...version,
        },
        () =>
          new AlreadyExists(
            'programme version',
            id,
            'that version number is taken; save as the next version',
          ),
      ),
      {
        table: main,
        key: currentKey,
        // Version 1 starts the programme; every later one must follow the current version.
        condition: (current) =>
          version.version === 1 ? current === undefined : current?.version === version.version - 1,
        write: () => ({ ...currentKey, entity: 'programme-current', ...version }),
        onConditionFailed: (current) =>
          new ConcurrentUpdate(
            'programme version',
            version.programmeId,
            version.version - 1,
            numberAttribute(current, 'version'),
          ),
      },
    ]);
    return version;
  }

  async getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined> {
    const item = this.tables.main.get(programmeKeys.current(programmeId));
    return item && toRecord(ProgrammeVersion, item, `current programme ${programmeId}`);
  }

  async getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined> {
    const item = this.tables.main.get(programmeKeys.version(programmeId, version));
    return item && toRecord(ProgrammeVersion, item, `programme ${programmeId} version ${version}`);
  }

  async listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]> {
    return this.tables.main
      .query(programmeKeys.partition(programmeId), { range: { prefix: SK.programmeVersion } })
      .map((item) => toRecord(ProgrammeVersion, item, `programme ${programmeId} version`));
  }
}
