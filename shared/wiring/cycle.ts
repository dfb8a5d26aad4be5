/**
 * Every dependency of the review cycle's use cases together (CycleDeps), for whoever runs several
 * of them: the CLI, the demo, the benchmarks, the tests. A Lambda function never imports this
 * module: it names only the parts its handler uses (functions/*.ts), so that its bundle carries
 * only their SDK clients.
 */
import type { CycleDeps } from '../cycle/ports.ts';
import { clock } from './clock.ts';
import { packageStore } from './package-store.ts';
import { repository } from './repository.ts';
import { witnessingNotifier } from './witnessing-notifier.ts';
import { workflow } from './workflow.ts';
import { wire, Wiring, type WiringOptions } from './wiring.ts';

export const cycleParts = {
  repo: repository,
  clock,
  workflow,
  packages: packageStore,
  notifier: witnessingNotifier,
} as const;

/** The cycle's dependencies in this process (or `wiring`'s), each built once. */
export const cycleDeps: (wiring?: Wiring) => Promise<CycleDeps> = wire(cycleParts);

/**
 * The cycle's dependencies on a wiring of their own: built from `env` (default process.env), with
 * `overrides` given instead of built, e.g. `wireCycle({ env, overrides: { clock, workflow } })`.
 */
export function wireCycle(options: WiringOptions = {}): Promise<CycleDeps> {
  return cycleDeps(new Wiring(options));
}
