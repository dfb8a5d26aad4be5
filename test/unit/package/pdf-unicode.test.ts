/**
 * The package PDF in any script: names in Polish, Czech, Greek and Cyrillic are drawn with the
 * embedded DejaVu fonts and copy back out intact; what no font has (CJK here) is replaced visibly
 * and named once in a note; a font named in PDF_FONT_FILES draws what DejaVu lacks; the file is
 * PDF/A-2b with every font embedded.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { packageModel } from '#shared/package/content.ts';
import { fontPackageFile, PdfFontMissing } from '#shared/package/fonts.ts';
import { packageOutline } from '#shared/package/outline.ts';
import { packagePdf } from '#shared/package/pdf.ts';
import { fitText, REPLACEMENT, type GlyphTable } from '#shared/package/pdf-glyphs.ts';
import { packageSources } from './fixtures.ts';
import { flat, pdfObjects, pdfPages } from './pdf-text.ts';

/** One name per script, given to people who own inputs or actions in the package. */
const NAMES: Record<string, string> = {
  alice: 'Małgorzata Wiśniewska',
  ciso: 'Jiří Dvořák',
  auditor: 'Γιώργος Παπαδόπουλος',
  'risk-owner': 'Олена Коваленко',
  cto: 'Łukasz Šťastný',
};

async function packageWith(names: Record<string, string>): Promise<Buffer> {
  const sources = packageSources();
  const people = sources.programme.people.map((p) => (names[p.id] ? { ...p, name: names[p.id]! } : p));
  const model = packageModel({ ...sources, programme: { ...sources.programme, people } });
  return packagePdf(packageOutline(model, 'c'.repeat(64)), new Map(), { createdAt: new Date(model.builtAt) });
}

const textOf = (pdf: Buffer) => pdfPages(pdf).map(flat).join('\n');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the package PDF', () => {
  it('draws Polish, Czech, Greek and Cyrillic names as text that copies out intact', async () => {
    const text = textOf(await packageWith(NAMES));
    for (const name of Object.values(NAMES)) expect(text).toContain(name);
    expect(text).not.toContain(REPLACEMENT);
    expect(text).not.toContain('About this PDF');
    // No text refers to the font's empty glyph (.notdef, which PDF/A forbids).
    expect(text).not.toContain('\u0000');
  }, 30_000);

  it('is PDF/A-2b, with every font embedded as a subset of DejaVu Sans', async () => {
    const pdf = await packageWith(NAMES);
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const objects = [...pdfObjects(pdf).values()];
    const xmp = objects.find((o) => /\/Subtype \/XML/.test(o.dict))?.stream?.toString('utf8') ?? '';
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(xmp).toContain('Management review package');
    expect(
      objects.some((o) => /\/S \/GTS_PDFA1/.test(o.dict) && /\/DestOutputProfile \d+ 0 R/.test(o.dict)),
    ).toBe(true);
    const fonts = objects.filter((o) => /\/Type \/Font\b/.test(o.dict));
    const baseFonts = fonts.map((o) => /\/BaseFont \/(\S+)/.exec(o.dict)?.[1]);
    expect(new Set(baseFonts.map((name) => name?.replace(/^[A-Z]{6}\+/, '')))).toEqual(
      new Set(['DejaVuSans', 'DejaVuSans-Bold']),
    );
    const descriptors = objects.filter((o) => /\/Type \/FontDescriptor/.test(o.dict));
    expect(descriptors.length).toBe(2);
    for (const descriptor of descriptors) expect(descriptor.dict).toMatch(/\/FontFile2 \d+ 0 R/);
  }, 30_000);

  it('replaces a CJK name visibly and says once which characters it could not draw', async () => {
    const text = textOf(await packageWith({ ...NAMES, 'customer-lead': '山田太郎' }));
    expect(text).toContain(`Owner: ${REPLACEMENT.repeat(4)}`);
    expect(text).not.toContain('山田');
    expect(text.match(/About this PDF/g)).toHaveLength(1);
    expect(text).toContain('U+5C71, U+7530, U+592A, U+90CE');
    expect(text).toContain('A font that covers them can be configured (the PDF_FONT_FILES setting');
    // The other scripts are unaffected.
    for (const name of Object.values(NAMES)) expect(text).toContain(name);
  }, 30_000);

  it('draws text DejaVu Sans lacks with a font named in PDF_FONT_FILES', async () => {
    // DejaVu Math TeX Gyre has the mathematical script capitals; DejaVu Sans has not.
    vi.stubEnv('PDF_FONT_FILES', fontPackageFile('DejaVuMathTeXGyre.ttf')!);
    const pdf = await packageWith({ ...NAMES, 'customer-lead': '𝒜da Lovelace' });
    const text = textOf(pdf);
    expect(text).toContain('𝒜da Lovelace');
    expect(text).not.toContain('About this PDF');
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuMathTeXGyre-Regular/);
  }, 30_000);

  it('refuses a PDF_FONT_FILES entry that is not there', async () => {
    vi.stubEnv('PDF_FONT_FILES', '/nowhere/NotoSansCJK-Regular.otf');
    await expect(packageWith(NAMES)).rejects.toThrow(PdfFontMissing);
    await expect(packageWith(NAMES)).rejects.toThrow(
      'PDF_FONT_FILES names /nowhere/NotoSansCJK-Regular.otf, which does not exist on this machine',
    );
  });
});

describe('fitting text to the fonts', () => {
  // Stand-in glyph tables, to show the choices on known coverage.
  const latin: GlyphTable = {
    familyName: 'Latin',
    hasGlyphForCodePoint: (cp) => cp < 0x250 || cp === 0xfffd || cp === 0x05e9,
  };
  const greek: GlyphTable = {
    familyName: 'Greek',
    hasGlyphForCodePoint: (cp) => cp < 0x80 || (cp >= 0x370 && cp < 0x400),
  };

  it('composes decomposed letters, so a name typed as letter + accent is drawn as one glyph', () => {
    expect(fitText('Dvor\u030Cák', [latin])).toEqual({
      text: 'Dvořák',
      font: 0,
      missing: [],
      rightToLeft: false,
    });
  });

  it('replaces each character a reader sees once, an emoji sequence included, and drops controls', () => {
    const fitted = fitText('Risk 👩‍💻👍🏽\tok\u202E', [latin]);
    expect(fitted.text).toBe(`Risk ${REPLACEMENT}${REPLACEMENT} ok`);
    expect(fitted.missing).toEqual(['👩‍💻', '👍🏽']);
  });

  it('draws a piece of text with the first font that has all of it, else the one lacking least', () => {
    expect(fitText('Γιώργος', [latin, greek]).font).toBe(1);
    expect(fitText('Dvořák', [latin, greek]).font).toBe(0);
    const mixed = fitText('Łukasz Γιώργος', [latin, greek]);
    expect(mixed.font).toBe(1);
    expect(mixed.text).toBe(`?ukasz Γιώργος`);
  });

  it('replaces right-to-left text even where the font has its letters', () => {
    const fitted = fitText('שש ok', [latin]);
    expect(fitted).toEqual({
      text: `${REPLACEMENT}${REPLACEMENT} ok`,
      font: 0,
      missing: [],
      rightToLeft: true,
    });
  });
});
