/**
 * Reads the text back out of a PDF the package wrote, as a PDF reader copying text would: pdfkit
 * writes Flate-compressed content streams, one per page, with text as hex glyph ids in TJ arrays,
 * and for each embedded font a ToUnicode CMap from glyph id to characters; this helper follows the
 * pages in order, the font each text operator selects, and that font's map. Only for our own PDFs
 * (pdfkit's layout of objects), so that no PDF tool needs installing.
 */
import { inflateSync } from 'node:zlib';

interface PdfObject {
  readonly dict: string;
  readonly stream?: Buffer;
}

/** Every object of the file by number, with its stream inflated when it is compressed. */
export function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const match of raw.matchAll(/(?:^|\n)(\d+) 0 obj\n/g)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('\nendobj', start);
    const body = raw.slice(start, end);
    const streamAt = body.indexOf('\nstream\n');
    if (streamAt < 0) {
      objects.set(Number(match[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, streamAt);
    const bytes = pdf.subarray(start + streamAt + 8, start + body.lastIndexOf('\nendstream'));
    objects.set(Number(match[1]), {
      dict,
      stream: /\/Filter \/FlateDecode/.test(dict) ? inflateSync(bytes) : bytes,
    });
  }
  return objects;
}

const ref = (dict: string, key: string): number | undefined => {
  const match = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
  return match ? Number(match[1]) : undefined;
};

const utf16 = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex').swap16().toString('utf16le');

/** Glyph id to text, from a ToUnicode CMap (pdfkit writes bfrange arrays). */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const [, from, , list] of cmap.matchAll(/<([0-9a-f]+)> <([0-9a-f]+)> \[([^\]]*)\]/gi)) {
    [...list!.matchAll(/<([0-9a-f ]*)>/gi)].forEach((entry, i) =>
      map.set(parseInt(from!, 16) + i, utf16(entry[1]!)),
    );
  }
  for (const [, code, text] of cmap.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>(?!\s*<)/gi))
    if (!map.has(parseInt(code!, 16))) map.set(parseInt(code!, 16), utf16(text!));
  return map;
}

/** The resource name (F1, F2 ...) of each font of a page, with its decoder. */
function pageFonts(objects: Map<number, PdfObject>, page: string): Map<string, (hex: string) => string> {
  const resourcesRef = ref(page, 'Resources');
  const resources = resourcesRef === undefined ? page : (objects.get(resourcesRef)?.dict ?? '');
  const fonts = new Map<string, (hex: string) => string>();
  const fontDict = /\/Font <<([^>]*)>>/.exec(resources)?.[1] ?? '';
  for (const [, name, number] of fontDict.matchAll(/\/(\S+) (\d+) 0 R/g)) {
    const font = objects.get(Number(number))?.dict ?? '';
    const cmapRef = ref(font, 'ToUnicode');
    if (cmapRef === undefined) {
      fonts.set(name!, (hex) => Buffer.from(hex, 'hex').toString('latin1'));
      continue;
    }
    const map = toUnicode(objects.get(cmapRef)?.stream?.toString('latin1') ?? '');
    fonts.set(name!, (hex) =>
      (hex.match(/[0-9a-f]{4}/gi) ?? []).map((code) => map.get(parseInt(code, 16)) ?? '\u0000').join(''),
    );
  }
  return fonts;
}

/** The text of each page, in order; one line per text-showing operator. */
export function pdfPages(pdf: Buffer): string[] {
  const objects = pdfObjects(pdf);
  const catalog = [...objects.values()].find((o) => /\/Type \/Catalog/.test(o.dict))!;
  const kids = /\/Kids \[([^\]]*)\]/.exec(objects.get(ref(catalog.dict, 'Pages')!)!.dict)![1]!;
  return [...kids.matchAll(/(\d+) 0 R/g)].map(([, number]) => {
    const page = objects.get(Number(number))!.dict;
    const fonts = pageFonts(objects, page);
    const content = objects.get(ref(page, 'Contents')!)?.stream?.toString('latin1') ?? '';
    const lines: string[] = [];
    let decode = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
    for (const op of content.matchAll(/\/(\S+) [\d.]+ Tf|\[((?:<[0-9a-f]*>|\s|-?[\d.]+)*)\]\s*TJ/g)) {
      if (op[1] !== undefined) {
        decode = fonts.get(op[1]) ?? decode;
        continue;
      }
      lines.push([...op[2]!.matchAll(/<([0-9a-f]*)>/g)].map((m) => decode(m[1]!)).join(''));
    }
    return lines.join('\n');
  });
}

/** Text lines wrap: the page's text with line breaks removed, to find a phrase that wrapped. */
export const flat = (page: string): string => page.replace(/\n/g, ' ').replace(/\s+/g, ' ');
