/**
 * HTML for the web app's pages: a tagged template that escapes every value put into it (text and
 * attribute alike), so no user text ever reaches a page unescaped; `raw` marks HTML built here.
 */
import { escapeHtml } from '#shared/mail/html.ts';

/** HTML that is already safe (built by `html`). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v: Value) => render(v)).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: every interpolation escaped unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

/** Trusted markup (only for strings built here, never user text). */
export const raw = (markup: string): Html => new Html(markup);
