/**
 * The font files the package and the minutes are drawn with. Lambda has no system fonts, so the
 * functions that render documents ship the DejaVu font package beside their bundle: the same
 * glyphs locally and on AWS, covering Latin (with its extensions), Greek and Cyrillic.
 *
 * PDF_FONT_FILES (colon-separated TrueType or OpenType files, e.g. a Noto Sans CJK .otf on a Lambda
 * layer) adds fonts the PDF falls back to for text DejaVu cannot draw.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The font package shipped with the functions that draw charts or PDFs. */
export const FONT_PACKAGE = 'dejavu-fonts-ttf';

/** The environment variable naming extra fonts for the PDFs. */
export const PDF_FONT_FILES = 'PDF_FONT_FILES';

export class PdfFontMissing extends Error {
  override name = 'PdfFontMissing' as const;
}

/** A file of FONT_PACKAGE's ttf/ folder, when the package is installed; undefined otherwise. */
export function fontPackageFile(file: string): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/package.json`);
    const path = join(dirname(manifest), 'ttf', file);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

export interface PdfFontFiles {
  readonly regular: string;
  readonly bold: string;
  /** Fallbacks, in order, for text the two above cannot draw. */
  readonly extra: readonly string[];
}

/** DejaVu Sans and DejaVu Sans Bold, plus the files PDF_FONT_FILES names; each must exist. */
export function pdfFontFiles(env: Readonly<Record<string, string | undefined>> = process.env): PdfFontFiles {
  const regular = fontPackageFile('DejaVuSans.ttf');
  const bold = fontPackageFile('DejaVuSans-Bold.ttf');
  if (!regular || !bold)
    throw new PdfFontMissing(
      `DejaVu Sans was not found: the function that writes PDFs must ship the ${FONT_PACKAGE} package ` +
        'beside its bundle (NodejsFunction bundling.nodeModules)',
    );
  const extra = (env[PDF_FONT_FILES] ?? '').split(':').filter((file) => file.trim() !== '');
  for (const file of extra)
    if (!existsSync(file))
      throw new PdfFontMissing(`${PDF_FONT_FILES} names ${file}, which does not exist on this machine`);
  return { regular, bold, extra };
}
