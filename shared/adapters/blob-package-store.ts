/**
 * The package store: renders the review package and freezes it in the evidence bucket (Object
 * Lock on AWS) under `cycles/<cycleId>/package/v<n>/`: package.html (stand-alone, charts
 * embedded), email.html (the email body, charts by cid:), package.txt, package.pdf, the chart PNGs
 * and manifest.json (content hash, input versions, every file's SHA-256). A rebuild (a late input)
 * makes a new version; versions are never overwritten.
 *
 * The whole port: accepted minutes are archived beside the package (blob-minutes-archive.ts) and
 * both are read back (blob-package-files.ts). Only the function that builds the package needs this
 * one; the others take the narrower classes and bundle no package renderer.
 */
import type { PackagePort, StoredPackage } from '../cycle/ports.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { chartCid, type PackageModel } from '../package/model.ts';
import { renderPackage } from '../package/render.ts';
import { BlobNotFound } from '../store/blob-store.ts';
import { BlobMinutesArchive } from './blob-minutes-archive.ts';

export class BlobPackageStore extends BlobMinutesArchive implements PackagePort {
  /** The first version with no manifest yet (the manifest is written last: a crash leaves it absent). */
  private async nextVersion(cycleId: string): Promise<number> {
    for (let version = 1; ; version += 1) {
      try {
        await this.blobs.get(`cycles/${cycleId}/package/v${version}/manifest.json`);
      } catch (error) {
        if (error instanceof BlobNotFound || (error as Error).name === 'NoSuchKey') return version;
        throw error;
      }
    }
  }

  async freeze(model: PackageModel): Promise<StoredPackage> {
    const rendered = await renderPackage(model);
    const version = await this.nextVersion(model.cycle.id);
    const base = `cycles/${model.cycle.id}/package/v${version}`;
    const files: Record<string, { sha256: string; size: number }> = {};
    const put = async (name: string, body: Buffer, type: string) => {
      files[name] = await this.blobs.put(`${base}/${name}`, body, type);
    };
    await put('package.html', Buffer.from(rendered.html, 'utf8'), 'text/html; charset=utf-8');
    await put('email.html', Buffer.from(rendered.emailHtml, 'utf8'), 'text/html; charset=utf-8');
    await put('package.txt', Buffer.from(rendered.text, 'utf8'), 'text/plain; charset=utf-8');
    await put('package.pdf', rendered.pdf, 'application/pdf');
    for (const chart of rendered.charts) await put(`${chart.spec.id}.png`, chart.png, 'image/png');
    await put('model.json', Buffer.from(canonicalJson(model), 'utf8'), 'application/json');
    const stored: StoredPackage = {
      version,
      sha256: rendered.contentHash,
      htmlKey: `${base}/package.html`,
      emailHtmlKey: `${base}/email.html`,
      textKey: `${base}/package.txt`,
      pdfKey: `${base}/package.pdf`,
      manifestKey: `${base}/manifest.json`,
      charts: rendered.charts.map((c) => ({
        id: c.spec.id,
        key: `${base}/${c.spec.id}.png`,
        cid: chartCid(c.spec.id),
      })),
      inputVersions: { ...model.inputVersions },
    };
    const manifest = {
      cycleId: model.cycle.id,
      version,
      contentHash: rendered.contentHash,
      builtAt: model.builtAt,
      inputVersions: model.inputVersions,
      files,
    };
    const written = await this.blobs.put(
      `${base}/manifest.json`,
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'),
      'application/json',
    );
    return { ...stored, manifestSha256: written.sha256 };
  }
}
