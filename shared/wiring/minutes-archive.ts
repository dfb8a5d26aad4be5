/**
 * The minutes archive: renders accepted minutes into the evidence bucket on first use and reads the
 * frozen files back. For the functions that attach the minutes; no package renderer (package-store.ts).
 */
import { BlobMinutesArchive } from '../adapters/blob-minutes-archive.ts';
import { evidenceBucket } from './buckets.ts';
import type { MinutesArchivePort } from '../cycle/ports.ts';
import { partView } from './wiring.ts';

export const minutesArchive = partView<'packages', MinutesArchivePort>(
  'packages',
  async (wiring) => new BlobMinutesArchive(await wiring.get(evidenceBucket)),
);
