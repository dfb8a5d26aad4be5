/**
 * A notice is written once, as a small document of blocks (paragraphs, facts, lists, items, a
 * block to copy), and rendered twice: as plain text that stands on its own and as HTML in the
 * common layout. Every piece of text goes through `html` (escaped) on the HTML side and carries
 * no markup on the text side, so no template can forget either.
 *
 * All text is cleaned first: bidirectional controls and other control characters (but line
 * breaks and tabs) are removed, CRLF becomes LF. Subjects are folded onto one line.
 */
import { emailLayout, html, join, raw, stripBidiControls, STYLE, type SafeHtml } from '../html.ts';

/** What every template returns. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A person as a notice names them. */
export interface Person {
  name: string;
  email?: string;
  /** e.g. "Chief Information Security Officer". */
  role?: string;
}

/** The review cycle a notice belongs to. */
export interface CycleRef {
  /** e.g. C-20261001T0800Z-Q */
  id: string;
  /** e.g. "Q4 2026 management review" */
  title: string;
}

/** Who sends, and in which time zone times are shown. */
export interface MailContext {
  /** The organisation, e.g. "Example Ltd". */
  organisation: string;
  /** IANA time zone of the recipient (or of the organisation), e.g. Europe/London. */
  timeZone: string;
}

export type Inline =
  string | { strong: string } | { code: string } | { link: string; text?: string } | Inline[];

export type Fact = readonly [label: string, value: Inline];

export interface Item {
  title: Inline;
  /** A short marker shown beside the title and stressed, e.g. "NOT PROVIDED", "OVERDUE 12 days". */
  flag?: string;
  /** How the flag looks: `alert` (red, the default) for what is wrong, `note` (grey) for a plain fact. */
  flagTone?: 'alert' | 'note';
  facts?: readonly Fact[];
  /** Text shown as written, line breaks kept (e.g. an owner's earlier answer). */
  quote?: string;
}

export type Block =
  | { kind: 'p'; content: Inline }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: readonly Inline[]; ordered?: boolean }
  | { kind: 'facts'; facts: readonly Fact[] }
  | { kind: 'copy'; caption: string; content: string }
  | { kind: 'alert'; paragraphs: readonly Inline[] }
  | { kind: 'items'; items: readonly Item[] };

export interface MailDocument {
  subject: string;
  /** The line mail clients show beside the subject in the inbox. */
  preheader?: string;
  heading: string;
  greeting: string;
  blocks: readonly (Block | false | undefined)[];
  /** Small print: who sent this and why. */
  footer: readonly Inline[];
}

// ------------------------------------------------------------------ constructors

export const p = (...content: Inline[]): Block => ({ kind: 'p', content });
export const heading = (text: string): Block => ({ kind: 'heading', text });
export const list = (items: readonly Inline[], ordered = false): Block => ({ kind: 'list', items, ordered });
export const facts = (...rows: (Fact | false | undefined)[]): Block => ({
  kind: 'facts',
  facts: rows.filter((row): row is Fact => Boolean(row)),
});
export const copyBlock = (caption: string, content: string): Block => ({ kind: 'copy', caption, content });
export const alert = (...paragraphs: Inline[]): Block => ({ kind: 'alert', paragraphs });
export const items = (list: readonly Item[]): Block => ({ kind: 'items', items: list });
export const strong = (text: string): Inline => ({ strong: text });
export const code = (text: string): Inline => ({ code: text });

/** "Name <email>" in text, the name alone when there is no address. */
export function personLine(person: Person): string {
  return person.email ? `${person.name} <${person.email}>` : person.name;
}

/** A person with a link to write to them (HTML) or their address in brackets (text). */
export function contact(person: Person): Inline {
  return person.email
    ? [person.name, ' (', { link: `mailto:${person.email}`, text: person.email }, ')']
    : person.name;
}

// ------------------------------------------------------------------ cleaning

/** Removes bidi controls and control characters but LF and TAB; CRLF and CR become LF. */
export function clean(text: string): string {
  return (
    stripBidiControls(text)
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
  );
}

/** A subject on one line, at most 200 characters. */
export function subjectLine(text: string): string {
  const line = clean(text).replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

// ------------------------------------------------------------------ text

function inlineText(content: Inline): string {
  if (typeof content === 'string') return clean(content);
  if (Array.isArray(content)) return content.map(inlineText).join('');
  if ('strong' in content) return clean(content.strong);
  if ('code' in content) return clean(content.code);
  const text = clean(content.text ?? content.link);
  const link = clean(content.link);
  if (link.startsWith('mailto:') && link.slice('mailto:'.length) === text) return text;
  return text === link ? link : `${text} (${link})`;
}

/** Continuation lines of a multi-line value, indented under their first line. */
function indentRest(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'p':
      return inlineText(block.content);
    case 'heading': {
      const title = clean(block.text);
      return `${title}\n${'-'.repeat(Math.min([...title].length, 72))}`;
    }
    case 'list':
      return block.items
        .map((item, index) => {
          const bullet = block.ordered ? `${index + 1}. ` : '- ';
          return bullet + indentRest(inlineText(item), ' '.repeat(bullet.length));
        })
        .join('\n');
    case 'facts':
      return block.facts
        .map(([label, value]) => `${clean(label)}: ${indentRest(inlineText(value), '  ')}`)
        .join('\n');
    case 'copy':
      return `${clean(block.caption)}\n\n${clean(block.content).replace(/\n+$/, '')}`;
    case 'alert':
      return block.paragraphs
        .map((paragraph, index) => (index === 0 ? '>> ' : '') + inlineText(paragraph))
        .join('\n\n');
    case 'items':
      return block.items
        .map((item) => {
          const lines = [`* ${inlineText(item.title)}${item.flag ? ` [${clean(item.flag)}]` : ''}`];
          for (const [label, value] of item.facts ?? []) {
            lines.push(`    ${clean(label)}: ${indentRest(inlineText(value), '      ')}`);
          }
          if (item.quote !== undefined) lines.push(`    | ${clean(item.quote).replace(/\n/g, '\n    | ')}`);
          return lines.join('\n');
        })
        .join('\n\n');
  }
}

// ------------------------------------------------------------------ html

const P = 'margin:0 0 12px 0;';

function inlineHtml(content: Inline): SafeHtml {
  if (typeof content === 'string') return lines(content);
  if (Array.isArray(content)) return join(content.map(inlineHtml));
  if ('strong' in content) return html`<strong>${lines(content.strong)}</strong>`;
  if ('code' in content) {
    return html`<code style="${raw(STYLE.mono)}background-color:#f0f4f8;padding:0 3px;"
      >${clean(content.code)}</code
    >`;
  }
  return html`<a href="${clean(content.link)}" style="color:#0b5cad;"
    >${clean(content.text ?? content.link)}</a
  >`;
}

/** Escaped text with its line breaks kept. */
function lines(text: string): SafeHtml {
  return join(clean(text).split('\n'), raw('<br>'));
}

function factsTable(rows: readonly Fact[]): SafeHtml {
  return html`<table
    role="presentation"
    cellpadding="0"
    cellspacing="0"
    border="0"
    width="100%"
    style="${raw(P)}border-collapse:collapse;"
  >
    ${rows.map(
      ([label, value]) =>
        html`<tr>
          <td valign="top" style="padding:2px 12px 2px 0;${raw(STYLE.muted)}white-space:nowrap;">
            ${clean(label)}:
          </td>
          <td valign="top" style="padding:2px 0;${raw(STYLE.wrap)}">${inlineHtml(value)}</td>
        </tr>`,
    )}
  </table>`;
}

function flagHtml(flag: string, tone: Item['flagTone']): SafeHtml {
  const colours =
    tone === 'note'
      ? 'background-color:#f0f4f8;color:#334e68;'
      : `background-color:${STYLE.alertBackground};color:${STYLE.alert};`;
  return html` <span
    style="display:inline-block;padding:0 6px;border-radius:3px;${raw(colours)}font-size:12px;font-weight:700;"
    >${clean(flag)}</span
  >`;
}

function blockHtml(block: Block): SafeHtml {
  switch (block.kind) {
    case 'p':
      return html`<p style="${raw(P)}">${inlineHtml(block.content)}</p>`;
    case 'heading':
      return html`<h2
        style="margin:20px 0 8px 0;font-size:16px;line-height:1.3;font-weight:600;color:#102a43;"
      >
        ${clean(block.text)}
      </h2>`;
    case 'list': {
      const body = block.items.map((item) => html`<li style="margin:0 0 4px 0;">${inlineHtml(item)}</li>`);
      return block.ordered
        ? html`<ol style="${raw(P)}padding-left:24px;">
            ${body}
          </ol>`
        : html`<ul style="${raw(P)}padding-left:24px;">
            ${body}
          </ul>`;
    }
    case 'facts':
      return factsTable(block.facts);
    case 'copy':
      return html`<p style="${raw(P)}">${lines(block.caption)}</p>
        <pre
          style="margin:0 0 12px 0;padding:12px;background-color:#f0f4f8;border:1px solid ${raw(STYLE.border)};${raw(STYLE.mono)}font-size:13px;line-height:1.45;white-space:pre-wrap;${raw(STYLE.wrap)}"
        >
${clean(block.content).replace(/\n+$/, '')}</pre>`;
    case 'alert':
      return html`<table
        role="presentation"
        cellpadding="0"
        cellspacing="0"
        border="0"
        width="100%"
        style="${raw(P)}"
      >
        <tr>
          <td
            style="padding:12px;background-color:${raw(STYLE.alertBackground)};border-left:4px solid ${raw(STYLE.alert)};${raw(STYLE.wrap)}"
          >
            ${block.paragraphs.map(
              (paragraph, index) =>
                html`<p style="margin:${index === block.paragraphs.length - 1 ? '0' : '0 0 8px 0'};">
                  ${inlineHtml(paragraph)}
                </p>`,
            )}
          </td>
        </tr>
      </table>`;
    case 'items':
      return join(
        block.items.map(
          (item) =>
            html`<table
              role="presentation"
              cellpadding="0"
              cellspacing="0"
              border="0"
              width="100%"
              style="${raw(P)}border:1px solid ${raw(item.flag && item.flagTone !== 'note' ? STYLE.alert : STYLE.border)};border-radius:4px;"
            >
              <tr>
                <td style="padding:10px 12px;${raw(STYLE.wrap)}">
                  <p style="margin:0 0 6px 0;font-weight:600;">
                    ${inlineHtml(item.title)}${item.flag ? flagHtml(item.flag, item.flagTone) : ''}
                  </p>
                  ${item.facts?.length ? factsTable(item.facts) : ''}${
                    item.quote !== undefined
                      ? html`<blockquote
                          style="margin:0;padding:6px 10px;border-left:3px solid ${raw(STYLE.border)};color:#334e68;${raw(STYLE.wrap)}"
                        >
                          ${lines(item.quote)}
                        </blockquote>`
                      : ''
                  }
                </td>
              </tr>
            </table>`,
        ),
      );
  }
}

// ------------------------------------------------------------------ render

export function renderDocument(document: MailDocument): RenderedMail {
  const blocks = document.blocks.filter((block): block is Block => Boolean(block));
  const text = [
    clean(document.greeting),
    ...blocks.map(blockText),
    // "-- " is the signature separator: reply parsers and mail clients drop what follows.
    `-- \n${document.footer.map(inlineText).join('\n')}`,
  ].join('\n\n');
  const body = join([html`<p style="${raw(P)}">${clean(document.greeting)}</p>`, ...blocks.map(blockHtml)]);
  return {
    subject: subjectLine(document.subject),
    text: `${text}\n`,
    html: emailLayout({
      title: subjectLine(document.subject),
      preheader: document.preheader === undefined ? undefined : clean(document.preheader),
      heading: clean(document.heading),
      body,
      footer: join(document.footer.map((line) => html`<p style="margin:0 0 4px 0;">${inlineHtml(line)}</p>`)),
    }),
  };
}

/** The usual small print: who sent this, for which review, and where to turn with questions. */
export function standardFooter(options: {
  organisation: string;
  cycle?: CycleRef;
  contact?: Person;
  /** True when a reply to this message is read by the system (a request); false for a notice. */
  replyIsRead: boolean;
}): Inline[] {
  const lines: Inline[] = [
    `Sent automatically by the ISMS management review system of ${options.organisation}` +
      (options.cycle ? ` for the ${options.cycle.title} (reference ${options.cycle.id}).` : '.'),
  ];
  lines.push(
    options.replyIsRead
      ? 'Your reply to this message is read by the review system and recorded with the review.'
      : 'Replies to this message are not read.',
  );
  if (options.contact) lines.push(['Questions: ', contact(options.contact), '.']);
  return lines;
}
