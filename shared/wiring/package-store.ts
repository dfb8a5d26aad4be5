/** The package store: renders and freezes the review's documents in the evidence bucket. */
import { BlobPackageStore } from '../adapters/blob-package-store.ts';
import { evidenceBucket } from './buckets.ts';
import { part } from './wiring.ts';

export const packageStore = part(
  'packages',
  async (wiring) => new BlobPackageStore(await wiring.get(evidenceBucket)),
);
