/**
 * The witness line: the fingerprint of the key that signs the cycle's evidence anchors, put in the
 * package and minutes emails to top management. Their inboxes then hold, outside the evidence
 * bucket and the table, the fingerprint an auditor compares with the one the evidence check trusted.
 */
import { escapeHtml } from '../html.ts';

/** The sentence as plain text; `fingerprint` is formatted, e.g. `SHA256:ab12 cd34 …`. */
export function evidenceKeyText(fingerprint: string): string {
  return (
    `The evidence of this review is signed by the key ${fingerprint}. ` +
    // Top management reads this: the auditor's command is in docs/evidence.md, not in their mail.
    'Keep this email: an auditor compares this fingerprint with the one the evidence check of the review reports.'
  );
}

/** Appends the witness line to a text body. */
export function withEvidenceKeyText(text: string, fingerprint: string | undefined): string {
  return fingerprint ? `${text.trimEnd()}\n\n--\n${evidenceKeyText(fingerprint)}\n` : text;
}

/** Inserts the witness line at the end of an HTML body (before </body> when there is one). */
export function withEvidenceKeyHtml(html: string, fingerprint: string | undefined): string {
  if (!fingerprint) return html;
  const block =
    '<p style="font-family:Arial,Helvetica,sans-serif;font-size:12px;color:#555;margin:16px 0 0">' +
    `${escapeHtml(evidenceKeyText(fingerprint))}</p>`;
  const end = html.toLowerCase().lastIndexOf('</body>');
  return end === -1 ? `${html}${block}` : `${html.slice(0, end)}${block}${html.slice(end)}`;
}
