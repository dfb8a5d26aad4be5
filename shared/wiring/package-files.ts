/** The frozen package and minutes, read back to send: no renderer (compare package-store.ts). */
import { BlobPackageFiles } from '../adapters/blob-package-files.ts';
import { evidenceBucket } from './buckets.ts';
import type { PackageFiles } from '../cycle/ports.ts';
import { partView } from './wiring.ts';

export const packageFiles = partView<'packages', PackageFiles>(
  'packages',
  async (wiring) => new BlobPackageFiles(await wiring.get(evidenceBucket)),
);
