/**
 * Reads the text back out of a PDF the package wrote (pdfkit: Flate-compressed content streams,
 * one per page, text as hex strings in TJ arrays with the standard fonts' WinAnsi encoding), so a
 * test can check what each page says, its footer included. Only for our own PDFs.
 */
import { inflateSync } from 'node:zlib';

/** The text of each page content stream, in order; one line per text-showing operator. */
export function pdfPages(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const pages: string[] = [];
  const marker = /stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = marker.exec(raw))) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // an image or font stream
    }
    if (!/\bTJ\b/.test(content)) continue;
    const lines: string[] = [];
    for (const array of content.matchAll(/\[((?:<[0-9a-f]*>|\s|-?[\d.]+)*)\]\s*TJ/g)) {
      const hex = [...array[1]!.matchAll(/<([0-9a-f]*)>/g)].map((m) => m[1]).join('');
      lines.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
    pages.push(lines.join('\n'));
  }
  return pages;
}

/** Text lines wrap: the page's text with line breaks removed, to find a phrase that wrapped. */
export const flat = (page: string): string => page.replace(/\n/g, ' ').replace(/\s+/g, ' ');
