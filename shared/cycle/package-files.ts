/**
 * A cycle's package rendered to files straight from a repository, for tools: the model is built as
 * the package phase builds it (package-phase.ts), the files are written by package/render.ts.
 */
import type { ReviewRepository } from '../store/repository.ts';
import type { RenderedPackage } from '../package/model.ts';
import { renderPackage, writePackageFiles } from '../package/render.ts';
import { buildPackageModel } from './package-phase.ts';

/**
 * Renders a cycle's package from a repository, without freezing anything, and writes its files
 * into `dir` (see writePackageFiles). For the frozen package as distributed, use
 * writeFrozenPackage: its footer hash is the one recorded on the cycle.
 */
export async function renderPackageFiles(args: {
  repo: ReviewRepository;
  cycleId: string;
  now: Date;
  dir: string;
}): Promise<{ rendered: RenderedPackage; paths: Awaited<ReturnType<typeof writePackageFiles>> }> {
  const rendered = await renderPackage(await buildPackageModel(args.repo, args.cycleId, args.now));
  return { rendered, paths: await writePackageFiles(rendered, args.dir) };
}
