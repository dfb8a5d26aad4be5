/**
 * The package as an HTML email: the common email layout (centred table at most 640px wide, inline
 * styles only, since Outlook and Gmail drop <style>), tables for layout and data, charts as PNG
 * images with alt text. Every string from the outline is escaped by the `html` tag, and long words
 * wrap (`overflow-wrap:anywhere`), so nothing a sender wrote can run, restyle the package or widen it.
 *
 * `imageSrc` says where a chart's PNG is: `cid:` in the email (the image travels as an inline
 * part), a data: URI in the stand-alone file.
 */
import { emailLayout, html, join, raw, STYLE, type SafeHtml } from '../mail/html.ts';
import { clean } from '../mail/templates/document.ts';
import type { OutlineBlock, PackageOutline, Tone } from './outline.ts';
import { CHART_WIDTH } from './charts.ts';

const P = 'margin:0 0 10px 0;';
const CELL = `padding:4px 6px;border:1px solid ${STYLE.border};vertical-align:top;text-align:left;${STYLE.wrap}`;

const AMBER = 'color:#7a4b00;background-color:#fff4e0;';
const GREEN = 'color:#1e5631;background-color:#ecf7ee;';

const toneStyle = (tone: Tone | undefined) =>
  tone === 'alert'
    ? `color:${STYLE.alert};background-color:${STYLE.alertBackground};`
    : tone === 'warn'
      ? AMBER
      : tone === 'good'
        ? GREEN
        : tone === 'note'
          ? 'color:#334e68;'
          : '';

/** Escaped text with its line breaks kept. */
const lines = (text: string): SafeHtml => join(clean(text).split('\n'), raw('<br>'));

function flag(text: string, tone: Tone | undefined): SafeHtml {
  const colours =
    tone === 'note'
      ? 'background-color:#f0f4f8;color:#334e68;'
      : tone === 'warn'
        ? AMBER
        : tone === 'good'
          ? GREEN
          : `background-color:${STYLE.alertBackground};color:${STYLE.alert};`;
  return html` <span
    style="display:inline-block;padding:0 6px;border-radius:3px;${raw(colours)}font-size:12px;font-weight:700;"
    >${clean(text)}</span
  >`;
}

function block(b: OutlineBlock, imageSrc: (chartId: string) => string): SafeHtml {
  switch (b.kind) {
    case 'p':
      return html`<p style="${raw(P + toneStyle(b.tone) + (b.tone === 'alert' ? 'padding:6px 8px;' : ''))}">
        ${b.strong ? html`<strong>${lines(b.text)}</strong>` : lines(b.text)}
      </p>`;
    case 'subheading':
      return html`<h3
        style="margin:14px 0 6px 0;font-size:15px;line-height:1.3;color:#102a43;${raw(STYLE.wrap)}"
      >
        ${clean(b.text)}${b.flag ? flag(b.flag, b.tone) : ''}
      </h3>`;
    case 'list':
      return html`<ul style="${raw(P)}padding-left:20px;">
        ${b.items.map((item) => html`<li style="margin:0 0 4px 0;${raw(STYLE.wrap)}">${lines(item)}</li>`)}
      </ul>`;
    case 'facts':
      return html`<table
        role="presentation"
        cellpadding="0"
        cellspacing="0"
        border="0"
        width="100%"
        style="${raw(P)}border-collapse:collapse;table-layout:fixed;"
      >
        ${b.rows.map(
          ([label, value]) =>
            html`<tr>
              <td valign="top" width="30%" style="padding:2px 8px 2px 0;${raw(STYLE.muted + STYLE.wrap)}">
                ${clean(label)}
              </td>
              <td valign="top" style="padding:2px 0;${raw(STYLE.wrap)}">${lines(value)}</td>
            </tr>`,
        )}
      </table>`;
    case 'table':
      return html`<table
        cellpadding="0"
        cellspacing="0"
        border="0"
        width="100%"
        style="${raw(P)}border-collapse:collapse;table-layout:fixed;font-size:13px;"
      >
        <tr>
          ${b.columns.map(
            (column, i) =>
              html`<th
                width="${String(b.widths[i] ?? '')}%"
                style="${raw(CELL)}background-color:#f0f4f8;font-weight:600;"
              >
                ${clean(column)}
              </th>`,
          )}
        </tr>
        ${b.rows.map(
          (row) =>
            html`<tr>
              ${row.cells.map((cell) => html`<td style="${raw(CELL + toneStyle(row.tone))}">${lines(cell)}</td>`)}
            </tr>`,
        )}
      </table>`;
    case 'chart':
      return html`<table
        role="presentation"
        cellpadding="0"
        cellspacing="0"
        border="0"
        width="100%"
        style="${raw(P)}"
      >
        <tr>
          <td align="left">
            <img
              src="${raw(imageSrc(b.chartId))}"
              width="${String(CHART_WIDTH)}"
              alt="${clean(b.alt)}"
              style="display:block;width:100%;max-width:${String(CHART_WIDTH)}px;height:auto;border:0;"
            />
          </td>
        </tr>
      </table>`;
    case 'quote':
      return html`<blockquote
        style="margin:0 0 10px 0;padding:6px 10px;border-left:3px solid ${raw(STYLE.border)};color:#243b53;${raw(STYLE.wrap)}"
      >
        ${lines(b.text)}
      </blockquote>`;
  }
}

export function packageHtml(outline: PackageOutline, imageSrc: (chartId: string) => string): string {
  const body = join([
    html`<p style="${raw(P + STYLE.muted)}">${clean(outline.subtitle)}</p>`,
    ...outline.sections.map(
      (section) =>
        html`<h2
            id="${section.id}"
            style="margin:22px 0 8px 0;padding-bottom:4px;border-bottom:2px solid ${raw(STYLE.border)};font-size:17px;line-height:1.3;color:#102a43;${raw(STYLE.wrap)}"
          >
            ${clean(section.title)}
          </h2>
          ${section.blocks.map((b) => block(b, imageSrc))}`,
    ),
  ]);
  return emailLayout({
    title: outline.title,
    preheader: outline.sections[0]?.blocks
      .filter((b) => b.kind === 'facts')
      .flatMap((b) => b.rows.map(([label, value]) => `${label}: ${value}`))
      .join(' · '),
    heading: outline.title,
    body,
    footer: html`<p style="margin:0;">${clean(outline.footer)}</p>`,
  });
}
