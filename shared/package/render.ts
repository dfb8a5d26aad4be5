/**
 * From a package model to its frozen forms: the charts (PNG), the HTML email body (charts by
 * cid:), a stand-alone HTML file (charts as data: URIs), the text alternative and the PDF, all
 * from one outline and all carrying the content hash (SHA-256 of the model's canonical JSON).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalHash } from '../model/canonical-json.ts';
import { renderCharts } from './charts.ts';
import { packageHtml } from './html.ts';
import { chartCid, type PackageModel, type RenderedPackage } from './model.ts';
import { packageOutline } from './outline.ts';
import { packagePdf } from './pdf.ts';
import { packageText } from './text.ts';
import { BlobNotFound, type BlobStore } from '../store/blob-store.ts';

/** The content hash: what every form's footer shows and the cycle records. */
export const contentHashOf = (model: PackageModel): string => canonicalHash(model);

export async function renderPackage(model: PackageModel): Promise<RenderedPackage> {
  const contentHash = contentHashOf(model);
  const outline = packageOutline(model, contentHash);
  const charts = await renderCharts(model.trends.charts);
  const pngs = new Map(charts.map((c) => [c.spec.id, c.png]));
  const dataUri = (id: string) => `data:image/png;base64,${pngs.get(id)?.toString('base64') ?? ''}`;
  return {
    model,
    contentHash,
    emailHtml: packageHtml(outline, (id) => `cid:${chartCid(id)}`),
    html: packageHtml(outline, dataUri),
    text: packageText(outline),
    pdf: await packagePdf(outline, pngs, { createdAt: new Date(model.builtAt) }),
    charts,
  };
}

/**
 * Writes a rendered package as files (package.html with embedded charts, package.pdf,
 * package.txt, and the charts as PNG) into `dir`, e.g. demo-output/. Returns the paths written.
 */
export async function writePackageFiles(
  rendered: RenderedPackage,
  dir: string,
): Promise<{ html: string; pdf: string; text: string; charts: string[] }> {
  await mkdir(dir, { recursive: true });
  const paths = {
    html: join(dir, 'package.html'),
    pdf: join(dir, 'package.pdf'),
    text: join(dir, 'package.txt'),
    charts: rendered.charts.map((c) => join(dir, `${c.spec.id}.png`)),
  };
  await writeFile(paths.html, rendered.html, 'utf8');
  await writeFile(paths.pdf, rendered.pdf);
  await writeFile(paths.text, rendered.text, 'utf8');
  await Promise.all(rendered.charts.map((c, i) => writeFile(paths.charts[i]!, c.png)));
  return paths;
}

/**
 * Copies a frozen package (the newest version, or `version`) from the evidence store into `dir`:
 * package.html, package.pdf, package.txt, the chart PNGs and manifest.json. Returns the version
 * and the content hash its manifest records (the hash every page footer shows).
 */
export async function writeFrozenPackage(args: {
  blobs: BlobStore;
  cycleId: string;
  dir: string;
  version?: number;
}): Promise<{ version: number; contentHash: string; files: string[] }> {
  let version = args.version;
  if (version === undefined) {
    for (let v = 1; ; v += 1) {
      try {
        await args.blobs.get(`cycles/${args.cycleId}/package/v${v}/manifest.json`);
        version = v;
      } catch (error) {
        if (error instanceof BlobNotFound || (error as Error).name === 'NoSuchKey') break;
        throw error;
      }
    }
    if (version === undefined) throw new BlobNotFound(`cycle ${args.cycleId} has no frozen package yet`);
  }
  const base = `cycles/${args.cycleId}/package/v${version}`;
  const manifest = JSON.parse((await args.blobs.get(`${base}/manifest.json`)).toString('utf8')) as {
    contentHash: string;
    files: Record<string, unknown>;
  };
  await mkdir(args.dir, { recursive: true });
  const names = [
    'manifest.json',
    ...Object.keys(manifest.files).filter((name) => name !== 'email.html' && name !== 'model.json'),
  ];
  for (const name of names) await writeFile(join(args.dir, name), await args.blobs.get(`${base}/${name}`));
  return { version, contentHash: manifest.contentHash, files: names.map((name) => join(args.dir, name)) };
}
