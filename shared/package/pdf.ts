/**
 * The package as a PDF (pdfkit): the same outline as the email, the charts embedded as PNG, and on
 * every page a footer with the page number, the cycle id and the content hash, so a printed page
 * can be traced to the frozen package.
 *
 * Text is drawn with the PDF standard fonts (no font files to ship to Lambda): characters those
 * fonts cannot show are replaced by "?" rather than drawn as garbage. Submitted text is only ever
 * drawn as text (PDF has no markup to inject), and a table row too tall for a page is written as
 * paragraphs, so a 5,000-character word wraps across lines and pages instead of overflowing.
 */
import type { OutlineBlock, PackageOutline, Tone } from './outline.ts';
import { clean } from '../mail/templates/document.ts';
import { loadRenderer } from './renderers.ts';
import type PDFKitDocument from 'pdfkit';

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
const FOOTER_SPACE = 40;
const ALERT = '#b42318';
const MUTED = '#52606d';
const TEXT = '#1f2933';
const BORDER = '#d9e2ec';

const REPLACEMENTS: Record<string, string> = { '→': '->', '·': '·', '≤': '<=', '≥': '>=' };
/** Characters the standard fonts' WinAnsi encoding can draw (besides Latin-1). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text the standard fonts can draw: other characters become "?", control characters go. */
export function pdfSafe(text: string): string {
  let out = '';
  for (const char of clean(text)) {
    const mapped = REPLACEMENTS[char] ?? char;
    if (mapped.length > 1 && mapped !== char) {
      out += mapped;
      continue;
    }
    const code = char.codePointAt(0)!;
    if (char === '\n' || char === '\t') out += char === '\t' ? ' ' : '\n';
    else if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char))
      out += char;
    else out += '?';
  }
  return out;
}

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN - FOOTER_SPACE;
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

function toneColour(tone: Tone | undefined): string {
  return tone === 'alert' ? ALERT : tone === 'note' ? MUTED : TEXT;
}

function paragraph(
  doc: Doc,
  text: string,
  options: { font?: string; size?: number; colour?: string; indent?: number } = {},
) {
  const width = doc.page.width - 2 * MARGIN - (options.indent ?? 0);
  doc
    .font(options.font ?? 'Helvetica')
    .fontSize(options.size ?? 10)
    .fillColor(options.colour ?? TEXT);
  const safe = pdfSafe(text);
  ensureSpace(doc, Math.min(doc.heightOfString(safe, { width }), 40));
  doc.text(safe, MARGIN + (options.indent ?? 0), doc.y, { width });
  doc.moveDown(0.4);
}

function table(doc: Doc, b: Extract<OutlineBlock, { kind: 'table' }>) {
  const total = doc.page.width - 2 * MARGIN;
  const widths = b.columns.map((_, i) => ((b.widths[i] ?? 100 / b.columns.length) / 100) * total);
  const pad = 3;
  const drawRow = (cells: readonly string[], header: boolean, tone?: Tone) => {
    doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    const texts = cells.map(pdfSafe);
    const height =
      Math.max(...texts.map((t, i) => doc.heightOfString(t, { width: widths[i]! - 2 * pad }))) + 2 * pad;
    if (height > bottom(doc) - MARGIN - 20) {
      // Too tall for any page: write the row as paragraphs instead.
      texts.forEach((t, i) =>
        paragraph(doc, `${pdfSafe(b.columns[i] ?? '')}: ${t}`, { size: 8.5, colour: toneColour(tone) }),
      );
      return;
    }
    ensureSpace(doc, height);
    const y = doc.y;
    let x = MARGIN;
    texts.forEach((t, i) => {
      const w = widths[i]!;
      if (header) doc.rect(x, y, w, height).fillAndStroke('#f0f4f8', BORDER);
      else doc.rect(x, y, w, height).stroke(BORDER);
      doc.fillColor(header ? TEXT : toneColour(tone)).text(t, x + pad, y + pad, { width: w - 2 * pad });
      x += w;
    });
    doc.x = MARGIN;
    doc.y = y + height;
  };
  drawRow(b.columns, true);
  for (const row of b.rows) drawRow(row.cells, false, row.tone);
  doc.moveDown(0.6);
}

function block(doc: Doc, b: OutlineBlock, charts: ReadonlyMap<string, Buffer>) {
  switch (b.kind) {
    case 'p':
      paragraph(doc, b.text, { font: b.strong ? 'Helvetica-Bold' : 'Helvetica', colour: toneColour(b.tone) });
      return;
    case 'subheading':
      ensureSpace(doc, 40);
      paragraph(doc, `${b.text}${b.flag ? `   [${b.flag}]` : ''}`, {
        font: 'Helvetica-Bold',
        size: 11,
        colour: b.flag ? toneColour(b.tone ?? 'alert') : '#102a43',
      });
      return;
    case 'list':
      b.items.forEach((item, i) => paragraph(doc, `${b.ordered ? `${i + 1}.` : '•'} ${item}`, { indent: 8 }));
      return;
    case 'facts':
      for (const [label, value] of b.rows) paragraph(doc, `${label}: ${value}`);
      return;
    case 'table':
      table(doc, b);
      return;
    case 'chart': {
      const png = charts.get(b.chartId);
      if (!png) {
        paragraph(doc, `[Chart] ${b.alt}`, { colour: MUTED });
        return;
      }
      const width = Math.min(460, doc.page.width - 2 * MARGIN);
      // PNG: width and height are the first fields of the IHDR chunk.
      const height = (png.readUInt32BE(20) / png.readUInt32BE(16)) * width;
      ensureSpace(doc, height + 10);
      doc.image(png, MARGIN, doc.y, { width });
      doc.y += height + 6;
      doc.x = MARGIN;
      return;
    }
    case 'quote':
      paragraph(doc, b.text, { indent: 12, colour: '#243b53' });
      return;
  }
}

/** Renders the outline to PDF bytes. `charts` maps chart ids to PNG bytes. */
export async function packagePdf(
  outline: PackageOutline,
  charts: ReadonlyMap<string, Buffer>,
  info: { createdAt: Date },
): Promise<Buffer> {
  const { default: PDFDocument } = await loadRenderer<{ default: typeof PDFKitDocument }>('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: pdfSafe(outline.title),
      Subject: pdfSafe(outline.footer),
      Creator: 'isms-review',
      CreationDate: info.createdAt,
      ModDate: info.createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  paragraph(doc, outline.title, { font: 'Helvetica-Bold', size: 16, colour: '#102a43' });
  paragraph(doc, outline.subtitle, { colour: MUTED });
  outline.sections.forEach((section, index) => {
    // The executive summary fills page one; every other section starts on a new page.
    if (index === 1) doc.addPage();
    else if (index > 1) ensureSpace(doc, 120);
    doc.moveDown(0.5);
    paragraph(doc, section.title, { font: 'Helvetica-Bold', size: 13, colour: '#102a43' });
    for (const b of section.blocks) block(doc, b, charts);
  });

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const footer = pdfSafe(`Page ${i + 1} of ${range.count} · ${outline.footer}`);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(MUTED)
      .text(footer, MARGIN, doc.page.height - MARGIN - 10, {
        width: doc.page.width - 2 * MARGIN,
        align: 'center',
        lineBreak: true,
      });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
