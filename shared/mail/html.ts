/**
 * HTML for email, with every piece of text escaped.
 *
 * `html\`<p>${name}</p>\`` escapes each interpolated value; only values made by `html` itself or
 * by `raw()` pass through unescaped, so user text can never become markup. A value placed in an
 * `href` or `src` attribute is also checked as a URL: anything but http(s) or mailto becomes `#`
 * (a `javascript:` link must not survive even when escaped).
 *
 * Bidirectional control characters (U+202A–U+202E, U+2066–U+2069) are removed from escaped
 * text: they make text display in another order than it is stored (`invoice‮fdp.exe` shows as
 * `invoiceexe.pdf`), which has no place in a notice someone may show to an auditor.
 *
 * `emailLayout` wraps a body in the one layout every notice uses: a centred table at most 640px
 * wide with inline styles (Outlook ignores <style> and most CSS), readable on a phone, and
 * `word-break: break-word` so a 5,000-character word wraps instead of widening the page.
 */

/** Markup that is already safe: made by `html`, or declared safe with `raw()`. */
export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/** Declares a string to be trusted markup. Use for constant markup only, never for user text. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Removes bidirectional control characters (see the module note). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return stripBidiControls(text).replace(/[&<>"'`]/g, (char) => ENTITIES[char] as string);
}

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * The URL if it is an absolute http, https or mailto URL, else `#`. Control characters and
 * spaces are removed first, as browsers do before reading the scheme (`java\tscript:`).
 */
export function safeUrl(url: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = stripBidiControls(url).replace(/[\u0000-\u0020\u007F]/g, '');
  let parsed: URL;
  try {
    parsed = new URL(cleaned);
  } catch {
    return '#';
  }
  return SAFE_SCHEMES.has(parsed.protocol) ? cleaned : '#';
}

/** True when the literal before an interpolation opens a URL attribute: `href="` or `src='`. */
const URL_ATTRIBUTE = /\s(?:href|src|action|background|formaction)\s*=\s*["']?$/i;

function render(value: unknown, inUrl: boolean): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map((item) => render(item, inUrl)).join('');
  const text = String(value);
  return escapeHtml(inUrl ? safeUrl(text) : text);
}

/**
 * Tagged template for markup: every interpolation is escaped unless it is SafeHtml; arrays are
 * rendered item by item and joined; null, undefined and false render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    // The literal just before the value says whether it stands in a URL attribute.
    out += render(value, URL_ATTRIBUTE.test(strings[index] ?? ''));
    out += strings[index + 1] ?? '';
  });
  return new SafeHtml(out);
}

/** Joins fragments with a separator (which is escaped unless it is SafeHtml). */
export function join(parts: readonly unknown[], separator: unknown = ''): SafeHtml {
  const sep = render(separator, false);
  return new SafeHtml(parts.map((part) => render(part, false)).join(sep));
}

// ------------------------------------------------------------------ layout

/** The palette and fonts of the layout, inline everywhere. */
export const STYLE = {
  font: "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;",
  mono: "font-family:Consolas,'Courier New',monospace;",
  text: 'color:#1f2933;font-size:15px;line-height:1.5;',
  muted: 'color:#52606d;font-size:13px;line-height:1.5;',
  wrap: 'word-break:break-word;overflow-wrap:anywhere;',
  alert: '#b42318',
  alertBackground: '#fef3f2',
  border: '#d9e2ec',
} as const;

export interface EmailLayout {
  /** The document title (most clients show the subject instead; some screen readers read it). */
  title: string;
  /** A short line shown by mail clients beside the subject in the inbox list. */
  preheader?: string;
  /** The heading at the top of the message. */
  heading: string;
  body: SafeHtml;
  /** Small print under the body: who sent this and why. */
  footer?: SafeHtml;
}

/** A complete HTML document for an email body (see the module note). */
export function emailLayout(layout: EmailLayout): string {
  const page = html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="x-apple-disable-message-reformatting" />
        <title>${layout.title}</title>
      </head>
      <body style="margin:0;padding:0;background-color:#f5f7fa;">
        ${layout.preheader ? html`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${layout.preheader}</div>` : ''}
        <table
          role="presentation"
          width="100%"
          cellpadding="0"
          cellspacing="0"
          border="0"
          style="background-color:#f5f7fa;"
        >
          <tr>
            <td align="center" style="padding:16px 8px;">
              <!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
              <table
                role="presentation"
                width="100%"
                cellpadding="0"
                cellspacing="0"
                border="0"
                style="max-width:640px;width:100%;background-color:#ffffff;border:1px solid ${raw(STYLE.border)};border-radius:4px;"
              >
                <tr>
                  <td style="padding:24px;${raw(STYLE.font + STYLE.text + STYLE.wrap)}">
                    <h1
                      style="margin:0 0 16px 0;font-size:20px;line-height:1.3;font-weight:600;color:#102a43;${raw(STYLE.wrap)}"
                    >
                      ${layout.heading}
                    </h1>
                    ${layout.body}
                  </td>
                </tr>
                ${
                  layout.footer
                    ? html`<tr>
                        <td
                          style="padding:16px 24px;border-top:1px solid ${raw(STYLE.border)};${raw(STYLE.font + STYLE.muted + STYLE.wrap)}"
                        >
                          ${layout.footer}
                        </td>
                      </tr>`
                    : ''
                }
              </table>
              <!--[if mso]></td></tr></table><![endif]-->
            </td>
          </tr>
        </table>
      </body>
    </html> `;
  return page.toString();
}
