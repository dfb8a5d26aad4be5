/**
 * The frozen review package in the evidence bundle: every version the event log says was built,
 * each with the files its own manifest lists, tied to the hashes the `package.built` event recorded.
 */
import type { CycleEvent } from '../model/event.ts';
import { BlobNotFound } from '../store/blob-store.ts';
import { safeName } from './bundle.ts';
import { PackageModelView, type PackageIndex } from './bundle-index.ts';
import { committed, type BundleWriter } from './bundle-writer.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';

/** Adds every package version built in the cycle; returns the newest (undefined: none was built). */
export async function addPackages(
  out: BundleWriter,
  source: EvidenceSource,
  events: readonly CycleEvent[],
  progress: ExportProgress,
): Promise<PackageIndex | undefined> {
  const built = events.filter((e) => e.type === 'package.built');
  progress(`adding ${built.length} package version(s)`);
  let newest: PackageIndex | undefined;
  for (const event of built) {
    const { version, folder, files } = await addPackage(out, source, event);
    const model = out.files.get(`${folder}/model.json`);
    let view: PackageModelView | undefined;
    try {
      const parsed = model ? PackageModelView.safeParse(JSON.parse(model.body.toString('utf8'))) : undefined;
      view = parsed?.success ? parsed.data : undefined;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (!newest || version >= newest.version) {
      newest = { version, folder, files, ...(view ? { model: view } : {}) };
    }
  }
  return newest;
}

const PACKAGE_FILES: Record<string, string> = {
  'package.html': 'The review package as a stand-alone HTML document (charts embedded), frozen.',
  'email.html': 'The package as the HTML body of the email sent to top management.',
  'package.txt': 'The plain-text part of the package email.',
  'package.pdf': 'The review package as PDF, frozen.',
  'model.json':
    'Everything the package shows, as canonical JSON; its SHA-256 is the content hash printed in every form of the package.',
  'manifest.json': "The package's own list of its files with their SHA-256, written when it was frozen.",
};

/**
 * One package version: every file its own manifest lists (or, for a package without one, the
 * files its event names). The event committed the content hash, which is the SHA-256 of
 * model.json; a package without model.json committed the hash of its HTML.
 */
async function addPackage(
  out: BundleWriter,
  source: EvidenceSource,
  event: CycleEvent,
): Promise<{ version: number; folder: string; files: string[] }> {
  const added: string[] = [];
  const data = event.data;
  const version = typeof data.version === 'number' ? data.version : event.seq;
  const base = `package/v${version}`;
  const htmlKey = typeof data.htmlKey === 'string' ? data.htmlKey : undefined;
  const folder = htmlKey?.includes('/') ? htmlKey.slice(0, htmlKey.lastIndexOf('/')) : undefined;
  const describe = (name: string) =>
    `${PACKAGE_FILES[name] ?? (name.endsWith('.png') ? 'A chart of the package.' : 'A file of the package.')} Version ${version}.`;
  let names: string[] | undefined;
  if (folder) {
    try {
      const manifest = JSON.parse(
        (await source.evidence.get(`${folder}/manifest.json`)).toString('utf8'),
      ) as {
        files?: Record<string, unknown>;
      };
      names = [...Object.keys(manifest.files ?? {}), 'manifest.json'];
    } catch (error) {
      if (!(error instanceof BlobNotFound) && !(error instanceof SyntaxError)) throw error;
    }
  }
  if (folder && names) {
    for (const name of names) {
      const commitment =
        name === 'model.json'
          ? committed(event, 'sha256')
          : name === 'manifest.json'
            ? committed(event, 'manifestSha256')
            : undefined;
      const path = await out.addBlob(
        source.evidence,
        `${folder}/${name}`,
        `${base}/${safeName(name)}`,
        describe(name),
        commitment,
      );
      if (path) added.push(path);
    }
    return { version, folder: base, files: added };
  }
  const keyed: [string, string, string | undefined][] = [
    ['htmlKey', 'package.html', 'sha256'],
    ['emailHtmlKey', 'email.html', undefined],
    ['textKey', 'package.txt', undefined],
    ['pdfKey', 'package.pdf', undefined],
  ];
  for (const [field, name, hashField] of keyed) {
    const key = data[field];
    if (typeof key !== 'string') continue;
    const path = await out.addBlob(
      source.evidence,
      key,
      `${base}/${name}`,
      describe(name),
      hashField ? committed(event, hashField) : undefined,
    );
    if (path) added.push(path);
  }
  return { version, folder: base, files: added };
}
