/**
 * Line handling shared by the reply formats (input blocks and action commands): odd spaces, smart
 * quotes and emphasis markers made plain, quoted lines recognised, and the error a renderer throws.
 */

/** A renderer was given something that cannot become a valid template. */
export class InvalidTemplateInput extends Error {
  override name = 'InvalidTemplateInput' as const;
}

const ODD_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

/** Odd spaces become plain spaces, character for character (positions stay the same). */
export function plainSpaces(line: string): string {
  return line.replace(ODD_SPACES, ' ');
}

/** For structured values: plain spaces and quotes, no emphasis markers, single spaces, trimmed. */
export function structural(value: string): string {
  return plainSpaces(value)
    .replace(/[\u2018\u2019\u201a\u201b]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f]/g, '"')
    .replace(/[*_]{1,2}(?=\S)|(?<=\S)[*_]{1,2}/g, (marker, offset: number, whole: string) =>
      // Keep underscores inside words (file_name), drop emphasis markers at word edges.
      marker.startsWith('_') &&
      /\w/.test(whole[offset - 1] ?? '') &&
      /\w/.test(whole[offset + marker.length] ?? '')
        ? marker
        : '',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

export function isQuotedLine(line: string): boolean {
  return /^\s*>/.test(plainSpaces(line));
}

/** The text on one line with single plain spaces, e.g. a title in a template. */
export function oneLine(text: string): string {
  return plainSpaces(text).replace(/\s+/g, ' ').trim();
}
