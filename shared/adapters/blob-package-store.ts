/**
 * The package store: renders the review package and freezes it in the evidence bucket (Object
 * Lock on AWS) under `cycles/<cycleId>/package/v<n>/`: package.html (stand-alone, charts
 * embedded), email.html (the email body, charts by cid:), package.txt, package.pdf, the chart PNGs
 * and manifest.json (content hash, input versions, every file's SHA-256). A rebuild (a late input)
 * makes a new version; versions are never overwritten.
 *
 * Accepted minutes go beside it under `cycles/<cycleId>/minutes/v<n>/`: minutes.html and
 * minutes.pdf, rendered from the stored record (shared/minutes/render.ts).
 */
import type { ArchivedMinutes, LoadedPackage, PackagePort, StoredPackage } from '../cycle/ports.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { MinutesRenderContext } from '../minutes/render.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { chartCid, type PackageModel } from '../package/model.ts';
import { renderPackage } from '../package/render.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { BlobNotFound } from '../store/blob-store.ts';

export class BlobPackageStore implements PackagePort {
  constructor(private readonly blobs: BlobStore) {}

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

  async archiveMinutes(record: MinutesRecord, context: MinutesRenderContext): Promise<ArchivedMinutes> {
    // Loaded here only: the PDF renderer is shipped beside the functions that archive minutes.
    const { minutesHtml, minutesPdf } = await import('../minutes/render.ts');
    const base = `cycles/${record.cycleId}/minutes/v${record.version}`;
    const html = await this.blobs.put(
      `${base}/minutes.html`,
      Buffer.from(minutesHtml(record, context), 'utf8'),
      'text/html; charset=utf-8',
    );
    const pdf = await this.blobs.put(
      `${base}/minutes.pdf`,
      await minutesPdf(record, context),
      'application/pdf',
    );
    return {
      version: record.version,
      htmlKey: `${base}/minutes.html`,
      htmlSha256: html.sha256,
      pdfKey: `${base}/minutes.pdf`,
      pdfSha256: pdf.sha256,
    };
  }

  loadMinutesPdf(archived: ArchivedMinutes): Promise<Buffer> {
    return this.blobs.get(archived.pdfKey);
  }

  async load(stored: StoredPackage): Promise<LoadedPackage> {
    const [html, text, pdf, ...images] = await Promise.all([
      this.blobs.get(stored.emailHtmlKey ?? stored.htmlKey),
      this.blobs.get(stored.textKey),
      stored.pdfKey ? this.blobs.get(stored.pdfKey) : Promise.resolve(undefined),
      ...(stored.charts ?? []).map((chart) => this.blobs.get(chart.key)),
    ]);
    return {
      html: html!.toString('utf8'),
      text: text!.toString('utf8'),
      ...(pdf ? { pdf } : {}),
      images: (stored.charts ?? []).map((chart, i) => ({
        cid: chart.cid,
        filename: `${chart.id}.png`,
        content: images[i]!,
      })),
    };
  }
}
