/**
 * What the PDF can draw of a piece of text, and with which font. The PDFs embed TrueType fonts
 * (DejaVu Sans, plus any PDF_FONT_FILES): each piece of text is drawn with the first font that has a
 * glyph for all of it, or else the one that lacks the fewest. A character no font has is drawn as a
 * visible replacement (U+FFFD) and reported, so the document can say once what it could not show:
 * a missing glyph would otherwise print as an empty box nobody notices, and PDF/A forbids it.
 *
 * Right-to-left scripts are replaced too: the PDF writer lays text out left to right only, so
 * Hebrew or Arabic words would come out in the wrong order, which is worse than saying so.
 */
import { clean } from '../mail/templates/document.ts';

export const REPLACEMENT = '\uFFFD';

/** A font's glyph table (a fontkit font, as pdfkit loads it). */
export interface GlyphTable {
  readonly familyName: string;
  hasGlyphForCodePoint(codePoint: number): boolean;
}

export interface FittedText {
  /** The text to draw: cleaned, NFC, each character no font has replaced. */
  readonly text: string;
  /** Index of the font to draw it with. */
  readonly font: number;
  /** The characters (grapheme clusters) that were replaced because no font has them. */
  readonly missing: readonly string[];
  /** Whether right-to-left text was replaced. */
  readonly rightToLeft: boolean;
}

const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Mende_Kikakui}\p{Script=Yezidi}]/u;
/** Characters that draw nothing (joiners, variation selectors): dropped when the font lacks them. */
const INVISIBLE = /[\p{Cf}\p{Variation_Selector}]/u;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

const isBreak = (cluster: string) => cluster === ' ' || cluster === '\n';

/** The cluster as the font draws it, or undefined when the font lacks a visible character of it. */
function drawn(cluster: string, font: GlyphTable): string | undefined {
  let out = '';
  for (const char of cluster) {
    if (font.hasGlyphForCodePoint(char.codePointAt(0)!)) out += char;
    else if (!INVISIBLE.test(char)) return undefined;
  }
  return out;
}

/** Fits `text` to the first of `fonts` that draws all of it, else to the one that lacks the fewest. */
export function fitText(text: string, fonts: readonly GlyphTable[]): FittedText {
  const prepared = clean(text).normalize('NFC').replace(/\t/g, ' ');
  // Most text is plain ASCII: no clusters to find when the first font has all of it.
  if (
    /^[\x20-\x7e\n]*$/.test(prepared) &&
    [...new Set(prepared.replace(/[ \n]/g, ''))].every((char) =>
      fonts[0]!.hasGlyphForCodePoint(char.charCodeAt(0)),
    )
  )
    return { text: prepared, font: 0, missing: [], rightToLeft: false };
  const clusters = Array.from(segmenter.segment(prepared), (s) => s.segment);
  const toDraw = clusters.filter((c) => !isBreak(c) && !RIGHT_TO_LEFT.test(c));
  let best = 0;
  let fewest = Number.POSITIVE_INFINITY;
  for (const [index, font] of fonts.entries()) {
    const lacking = toDraw.filter((c) => drawn(c, font) === undefined).length;
    if (lacking < fewest) [best, fewest] = [index, lacking];
    if (lacking === 0) break;
  }
  const font = fonts[best]!;
  const replacement = font.hasGlyphForCodePoint(REPLACEMENT.codePointAt(0)!) ? REPLACEMENT : '?';
  const missing: string[] = [];
  let rightToLeft = false;
  let out = '';
  for (const cluster of clusters) {
    if (isBreak(cluster)) {
      out += cluster;
      continue;
    }
    if (RIGHT_TO_LEFT.test(cluster)) {
      rightToLeft = true;
      out += replacement;
      continue;
    }
    const glyphs = drawn(cluster, font);
    if (glyphs !== undefined) out += glyphs;
    else if (/^\s+$/u.test(cluster)) out += ' ';
    else {
      missing.push(cluster);
      out += replacement;
    }
  }
  return { text: out, font: best, missing, rightToLeft };
}

const codePoints = (cluster: string) =>
  Array.from(cluster)
    .filter((char) => !INVISIBLE.test(char))
    .map((char) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
    .join(' ');

/** The note a PDF ends with when it replaced characters; undefined when it drew everything. */
export function replacementNote(
  missing: ReadonlySet<string>,
  rightToLeft: boolean,
  fontNames: readonly string[],
  setting: string,
): string | undefined {
  if (missing.size === 0 && !rightToLeft) return undefined;
  const parts: string[] = [];
  if (missing.size > 0) {
    const listed = [...missing].slice(0, 10).map(codePoints);
    const more = missing.size > listed.length ? ` and ${missing.size - listed.length} more` : '';
    parts.push(
      `Some characters could not be drawn with the fonts of this PDF (${fontNames.join(', ')}) and are ` +
        `shown as ${REPLACEMENT}: ${listed.join(', ')}${more}. A font that covers them can be configured ` +
        `(the ${setting} setting of the functions that write the PDFs).`,
    );
  }
  if (rightToLeft)
    parts.push(
      `Right-to-left text (such as Hebrew or Arabic) is not laid out in this PDF and is shown as ${REPLACEMENT}.`,
    );
  parts.push('The HTML version of this document shows the original text.');
  return parts.join(' ');
}
