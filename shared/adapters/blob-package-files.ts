/**
 * The review's documents as frozen in the evidence bucket (blob-package-store.ts writes them), read
 * back to send: the package's email body, text and attachments, and the archived minutes' PDF. No
 * renderer is loaded: a function that only sends what was frozen bundles this alone.
 */
import type { ArchivedMinutes, LoadedPackage, PackageFiles, StoredPackage } from '../cycle/ports.ts';
import type { BlobStore } from '../store/blob-store.ts';

export class BlobPackageFiles implements PackageFiles {
  constructor(protected readonly blobs: BlobStore) {}

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
