/**
 * The package store: renders and freezes the review's documents in the evidence bucket. For the
 * function that builds the package; the others read what was frozen (package-files.ts,
 * minutes-archive.ts) and bundle no package renderer.
 */
import { BlobPackageStore } from '../adapters/blob-package-store.ts';
import { evidenceBucket } from './buckets.ts';
import { part } from './wiring.ts';

export const packageStore = part(
  'packages',
  async (wiring) => new BlobPackageStore(await wiring.get(evidenceBucket)),
);
