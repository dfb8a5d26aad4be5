/**
 * Accepted minutes archived beside the cycle's package, under `cycles/<cycleId>/minutes/v<n>/`:
 * minutes.html and minutes.pdf, rendered from the stored record (shared/minutes/render.ts); and the
 * frozen files read back (blob-package-files.ts). No package renderer is loaded.
 */
import type { ArchivedMinutes, MinutesArchivePort } from '../cycle/ports.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { MinutesRenderContext } from '../minutes/render.ts';
import { BlobPackageFiles } from './blob-package-files.ts';

export class BlobMinutesArchive extends BlobPackageFiles implements MinutesArchivePort {
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
}
