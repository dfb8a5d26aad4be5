/** Programme versions: every applied programme, kept whole; the latest is current. */
import type { ProgrammeVersion } from '../model/programme-ref.ts';

export interface ProgrammeStore {
  /** Stores the next version (1, or current + 1) and makes it current. AlreadyExists / ConcurrentUpdate. */
  saveProgrammeVersion(version: ProgrammeVersion): Promise<ProgrammeVersion>;
  getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined>;
  getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined>;
  listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]>;
}
