/**
 * The package as a PDF (pdfkit): the same outline as the email, the charts embedded as PNG (small),
 * page one the decision sheet, and on every page a footer with the page number and the review's
 * name; the content hash and the cycle id are in "About this document" at the end.
 *
 * Text is drawn with embedded TrueType fonts (fonts.ts), so names in Polish, Czech, Greek or
 * Cyrillic print and copy out as written; what no font can draw is replaced visibly and named in a
 * note at the end (pdf-glyphs.ts). The file is PDF/A-2b, for the archive. Submitted text is only
 * ever drawn as text (PDF has no markup to inject), and a table row too tall for a page is written
 * as paragraphs, so a 5,000-character word wraps across lines and pages instead of overflowing.
 */
import type { OutlineBlock, PackageOutline, Tone } from './outline.ts';
import { clean } from '../mail/templates/document.ts';
import { PDF_FONT_FILES, PdfFontMissing, pdfFontFiles, type PdfFontFiles } from './fonts.ts';
import { fitText, replacementNote, type GlyphTable } from './pdf-glyphs.ts';
import { loadRenderer } from './renderers.ts';
import type PDFKitDocument from 'pdfkit';

type Doc = PDFKit.PDFDocument;
type Style = 'regular' | 'bold';

const MARGIN = 50;
const FOOTER_SPACE = 40;
const ALERT = '#b42318';
const MUTED = '#52606d';
const TEXT = '#1f2933';
const BORDER = '#d9e2ec';
const AMBER = '#8a5300';
const GREEN = '#1e6b34';

interface Face {
  /** The name the font is registered under in the document. */
  readonly key: string;
  readonly glyphs: GlyphTable;
}

/**
 * The document with its fonts: picks the font for each piece of text and remembers what no font
 * could draw, for the note at the end.
 */
class Writer {
  private readonly missing = new Set<string>();
  private rightToLeft = false;

  constructor(
    readonly doc: Doc,
    private readonly faces: Readonly<Record<Style, readonly Face[]>>,
  ) {}

  /** The text as it will be drawn, and the registered font to draw it with. */
  fit(text: string, style: Style): { readonly text: string; readonly font: string } {
    const chain = this.faces[style];
    const fitted = fitText(
      text,
      chain.map((face) => face.glyphs),
    );
    for (const cluster of fitted.missing) this.missing.add(cluster);
    if (fitted.rightToLeft) this.rightToLeft = true;
    return { text: fitted.text, font: chain[fitted.font]!.key };
  }

  note(): string | undefined {
    const names = [
      ...new Set(Object.values(this.faces).flatMap((chain) => chain.map((f) => f.glyphs.familyName))),
    ];
    return replacementNote(this.missing, this.rightToLeft, names, PDF_FONT_FILES);
  }
}

/** The glyph table of the font pdfkit has selected (pdfkit is pinned; see package.json). */
function selectedGlyphs(doc: Doc, file: string): GlyphTable {
  const font = (doc as unknown as { _font?: { font?: Partial<GlyphTable> } })._font?.font;
  if (typeof font?.hasGlyphForCodePoint !== 'function' || typeof font.familyName !== 'string')
    throw new PdfFontMissing(`${file} was not loaded as an embeddable TrueType or OpenType font`);
  return font as GlyphTable;
}

/**
 * Fonts already read, by file: pdfkit takes a loaded font as a source too, and reading DejaVu's
 * layout tables costs more than drawing a whole package, so a warm function reads them once.
 */
const loaded = new Map<string, GlyphTable>();
const fontSource = (file: string) => (loaded.get(file) ?? file) as string;

/** Registers the font files with the document: DejaVu Sans (regular, bold), then the fallbacks. */
function loadFaces(doc: Doc, files: PdfFontFiles): Record<Style, Face[]> {
  const face = (key: string, file: string): Face => {
    try {
      doc.registerFont(key, fontSource(file)).font(key);
    } catch (error) {
      throw new PdfFontMissing(`${file} could not be read as a font: ${(error as Error).message}`);
    }
    const glyphs = selectedGlyphs(doc, file);
    loaded.set(file, glyphs);
    return { key, glyphs };
  };
  const extra = files.extra.map((file, i) => face(`extra-${i + 1}`, file));
  return { regular: [face('regular', files.regular), ...extra], bold: [face('bold', files.bold), ...extra] };
}

/**
 * Document metadata: PDF/A keeps it twice (the info dictionary and XMP), and pdfkit writes the
 * XMP copy without escaping, so XML's special characters are left out of both.
 */
const metadataText = (text: string) =>
  clean(text).replace(/&/g, ' and ').replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN - FOOTER_SPACE;
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

function toneColour(tone: Tone | undefined): string {
  return tone === 'alert'
    ? ALERT
    : tone === 'warn'
      ? AMBER
      : tone === 'good'
        ? GREEN
        : tone === 'note'
          ? MUTED
          : TEXT;
}

function paragraph(
  w: Writer,
  text: string,
  options: { style?: Style; size?: number; colour?: string; indent?: number; gap?: number } = {},
) {
  const { doc } = w;
  const width = doc.page.width - 2 * MARGIN - (options.indent ?? 0);
  const fitted = w.fit(text, options.style ?? 'regular');
  doc
    .font(fitted.font)
    .fontSize(options.size ?? 10)
    .fillColor(options.colour ?? TEXT);
  ensureSpace(doc, Math.min(doc.heightOfString(fitted.text, { width }), 40));
  doc.text(fitted.text, MARGIN + (options.indent ?? 0), doc.y, { width });
  doc.moveDown(options.gap ?? 0.4);
}

function table(w: Writer, b: Extract<OutlineBlock, { kind: 'table' }>) {
  const { doc } = w;
  const total = doc.page.width - 2 * MARGIN;
  const widths = b.columns.map((_, i) => ((b.widths[i] ?? 100 / b.columns.length) / 100) * total);
  const pad = 3;
  const drawRow = (cells: readonly string[], header: boolean, tone?: Tone) => {
    const texts = cells.map((cell) => w.fit(cell, header ? 'bold' : 'regular'));
    const height =
      Math.max(
        ...texts.map((t, i) =>
          doc
            .font(t.font)
            .fontSize(8.5)
            .heightOfString(t.text, { width: widths[i]! - 2 * pad }),
        ),
      ) +
      2 * pad;
    if (height > bottom(doc) - MARGIN - 20) {
      // Too tall for any page: write the row as paragraphs instead.
      cells.forEach((cell, i) =>
        paragraph(w, `${b.columns[i] ?? ''}: ${cell}`, { size: 8.5, colour: toneColour(tone) }),
      );
      return;
    }
    ensureSpace(doc, height);
    const y = doc.y;
    let x = MARGIN;
    texts.forEach((t, i) => {
      const width = widths[i]!;
      if (header) doc.rect(x, y, width, height).fillAndStroke('#f0f4f8', BORDER);
      else doc.rect(x, y, width, height).stroke(BORDER);
      doc
        .font(t.font)
        .fontSize(8.5)
        .fillColor(header ? TEXT : toneColour(tone))
        .text(t.text, x + pad, y + pad, { width: width - 2 * pad });
      x += width;
    });
    doc.x = MARGIN;
    doc.y = y + height;
  };
  drawRow(b.columns, true);
  for (const row of b.rows) drawRow(row.cells, false, row.tone);
  doc.moveDown(0.6);
}

function block(w: Writer, b: OutlineBlock, charts: ReadonlyMap<string, Buffer>) {
  const { doc } = w;
  switch (b.kind) {
    case 'p':
      paragraph(w, b.text, { style: b.strong ? 'bold' : 'regular', colour: toneColour(b.tone) });
      return;
    case 'subheading':
      ensureSpace(doc, 40);
      paragraph(w, `${b.text}${b.flag ? `   [${b.flag}]` : ''}`, {
        style: 'bold',
        size: 10,
        gap: 0.2,
        colour: b.flag ? toneColour(b.tone ?? 'alert') : '#102a43',
      });
      return;
    case 'list':
      b.items.forEach((item, i) => paragraph(w, `${b.ordered ? `${i + 1}.` : '•'} ${item}`, { indent: 8 }));
      return;
    case 'facts':
      // Facts are compact (a proposal's options, recommendation and risk): page one holds them all.
      b.rows.forEach(([label, value], i) =>
        paragraph(w, `${label}: ${value}`, { size: 9, gap: i === b.rows.length - 1 ? 0.5 : 0.1 }),
      );
      return;
    case 'table':
      table(w, b);
      return;
    case 'chart': {
      const png = charts.get(b.chartId);
      if (!png) {
        paragraph(w, `[Chart] ${b.alt}`, { colour: MUTED });
        return;
      }
      const width = Math.min(300, doc.page.width - 2 * MARGIN);
      // PNG: width and height are the first fields of the IHDR chunk.
      const height = (png.readUInt32BE(20) / png.readUInt32BE(16)) * width;
      ensureSpace(doc, height + 10);
      doc.image(png, MARGIN, doc.y, { width });
      doc.y += height + 6;
      doc.x = MARGIN;
      return;
    }
    case 'quote':
      paragraph(w, b.text, { indent: 12, colour: '#243b53' });
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
  const fonts = pdfFontFiles();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    // PDF/A-2b: fonts embedded, an sRGB output intent and XMP metadata, for the evidence archive.
    // Not tagged: pdfkit would mark the file as structured without the text being in a structure.
    pdfVersion: '1.7',
    subset: 'PDF/A-2b',
    lang: 'en',
    displayTitle: true,
    info: {
      Title: metadataText(outline.title),
      Subject: metadataText(outline.footer),
      Creator: 'isms-review',
      CreationDate: info.createdAt,
      // No ModDate: pdfkit's XMP has no matching date, and PDF/A wants the two to agree.
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  // pdfkit starts on Helvetica; no text is drawn with it, so it is never written to the file (PDF/A
  // would want it embedded). Every text selects one of these registered fonts first.
  const w = new Writer(doc, loadFaces(doc, fonts));

  paragraph(w, outline.title, { style: 'bold', size: 16, colour: '#102a43' });
  paragraph(w, outline.subtitle, { colour: MUTED });
  outline.sections.forEach((section, index) => {
    // The decision sheet fills page one; the other sections follow from page two.
    if (index === 1) doc.addPage();
    else if (index > 1) ensureSpace(doc, 120);
    doc.moveDown(0.5);
    paragraph(w, section.title, { style: 'bold', size: 13, colour: '#102a43' });
    for (const b of section.blocks) block(w, b, charts);
  });

  // Fitted before the note, so that the note also covers what the footers could not draw.
  w.fit(outline.footer, 'regular');
  const note = w.note();
  if (note) {
    ensureSpace(doc, 80);
    doc.moveDown(1);
    paragraph(w, 'About this PDF', { style: 'bold', size: 11, colour: '#102a43' });
    paragraph(w, note, { colour: MUTED });
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const footer = w.fit(`Page ${i + 1} of ${range.count} · ${outline.footer}`, 'regular');
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(footer.font)
      .fontSize(7)
      .fillColor(MUTED)
      .text(footer.text, MARGIN, doc.page.height - MARGIN - 10, {
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
