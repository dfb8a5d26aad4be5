/** What every ProgrammeStore does: versions kept whole, in order, the latest current. */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { AlreadyExists, ConcurrentUpdate } from '#shared/store/repository.ts';
import { aProgrammeVersion, rejection, type MakeRepository } from './records.ts';

export function programmeStoreContract(name: string, makeRepo: MakeRepository): void {
  describe(`ProgrammeStore contract: ${name}`, () => {
    it('refuses a version that does not match the schema, and stores nothing', async () => {
      const repo = await makeRepo();
      const error = await rejection(
        repo.saveProgrammeVersion({ ...aProgrammeVersion(1), savedAt: 'yesterday' }),
      );
      expect(error).toBeInstanceOf(InvalidData);
      expect(error.message).toContain('programme example-ltd version 1 is not valid: savedAt:');
      expect(await rejection(repo.saveProgrammeVersion(aProgrammeVersion(0)))).toBeInstanceOf(InvalidData);
      expect(await repo.getCurrentProgramme('example-ltd')).toBeUndefined();
      expect(await repo.listProgrammeVersions('example-ltd')).toEqual([]);
    });

    it('saves versions in order; a taken or skipped version is refused', async () => {
      const repo = await makeRepo();
      await repo.saveProgrammeVersion(aProgrammeVersion(1));
      const v2 = await repo.saveProgrammeVersion(aProgrammeVersion(2));
      expect(await repo.getCurrentProgramme('example-ltd')).toEqual(v2);
      const taken = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(2, { note: 'again' })));
      expect(taken).toBeInstanceOf(AlreadyExists);
      const skipped = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(4)));
      expect(skipped).toBeInstanceOf(ConcurrentUpdate);
      expect(skipped.message).toBe(
        'programme version example-ltd was changed by someone else (expected version 3, found 2); reload and retry',
      );
      expect((await repo.listProgrammeVersions('example-ltd')).map((version) => version.version)).toEqual([
        1, 2,
      ]);
      expect(await repo.getProgrammeVersion('example-ltd', 1)).toEqual(aProgrammeVersion(1));
    });

    it('names the taken version, and leaves the current one as it was', async () => {
      const repo = await makeRepo();
      await repo.saveProgrammeVersion(aProgrammeVersion(1));
      await repo.saveProgrammeVersion(aProgrammeVersion(2));
      const again = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(1, { note: 'a restart' })));
      expect(again).toBeInstanceOf(AlreadyExists);
      expect(again.message).toBe(
        'programme version example-ltd v1 already exists: that version number is taken; save as the next version',
      );
      expect(await repo.getCurrentProgramme('example-ltd')).toEqual(aProgrammeVersion(2));
      expect(await repo.getProgrammeVersion('example-ltd', 1)).toEqual(aProgrammeVersion(1));
    });

    it('refuses a first save at a version above 1: the programme has no version to follow', async () => {
      const repo = await makeRepo();
      const error = await rejection(repo.saveProgrammeVersion(aProgrammeVersion(2)));
      expect(error).toBeInstanceOf(ConcurrentUpdate);
      expect(error.message).toBe(
        'programme version example-ltd was changed by someone else (expected version 1, found none); reload and retry',
      );
      expect(await repo.getProgrammeVersion('example-ltd', 2)).toBeUndefined();
    });

    it('keeps programmes apart, and answers what was never saved with undefined', async () => {
      const repo = await makeRepo();
      await repo.saveProgrammeVersion(aProgrammeVersion(1));
      const other = aProgrammeVersion(1, { programmeId: 'other-org' });
      await repo.saveProgrammeVersion(other);
      expect(await repo.getCurrentProgramme('other-org')).toEqual(other);
      expect(await repo.listProgrammeVersions('example-ltd')).toEqual([aProgrammeVersion(1)]);
      expect(await repo.getProgrammeVersion('example-ltd', 2)).toBeUndefined();
      expect(await repo.getCurrentProgramme('nobody')).toBeUndefined();
    });

    it('hands out copies: changing a returned version changes nothing stored', async () => {
      const repo = await makeRepo();
      const saved = await repo.saveProgrammeVersion(aProgrammeVersion(1));
      (saved.document.organisation as { name: string }).name = 'Changed by the caller';
      const read = (await repo.getCurrentProgramme('example-ltd'))!;
      (read.document.organisation as { name: string }).name = 'Changed again';
      expect(await repo.getCurrentProgramme('example-ltd')).toEqual(aProgrammeVersion(1));
      expect(await repo.listProgrammeVersions('example-ltd')).toEqual([aProgrammeVersion(1)]);
    });
  });
}
