/**
 * An HTML body turned into the text a plain-text client would show (htmlToText): a small linear
 * scanner, no DOM, that keeps nothing of scripts, styles and other non-text elements.
 */
import { decodeEntities } from './html-entities.ts';

/** Elements whose content is never text: dropped with everything inside them. */
const DROPPED = new Set([
  'script',
  'style',
  'head',
  'title',
  'template',
  'noscript',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'textarea',
  'select',
  'xml',
  'canvas',
  'audio',
  'video',
]);

/** Elements that start and end a line. */
const BLOCKS = new Set([
  'p',
  'div',
  'tr',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'address',
  'center',
  'form',
  'fieldset',
  'figure',
  'figcaption',
  'main',
  'nav',
  'aside',
  'caption',
  'body',
  'html',
]);

/** Builds text line by line; `>` marks lines inside blockquotes, as a plain-text client would. */
class Lines {
  private readonly lines: string[] = [];
  private current = '';
  private currentDepth = 0;
  private currentPre = false;
  depth = 0;
  pre = 0;

  text(chunk: string): void {
    if (chunk === '') return;
    if (this.pre > 0) {
      const parts = chunk.replace(/\r\n?/g, '\n').split('\n');
      parts.forEach((part, index) => {
        if (index > 0) this.breakLine();
        this.append(part);
      });
      return;
    }
    let collapsed = chunk.replace(/[ \t\n\r\f]+/g, ' ');
    if (this.current === '' || this.current.endsWith(' ')) collapsed = collapsed.replace(/^ /, '');
    this.append(collapsed);
  }

  private append(part: string): void {
    if (part === '') return;
    if (this.current === '') {
      this.currentDepth = this.depth;
      this.currentPre = this.pre > 0;
    }
    this.current += part;
  }

  /** Ends the current line even when it is empty (a <br>). */
  breakLine(): void {
    const line = this.current.replace(/[ \t\u00a0]+$/, '');
    const empty = line.replace(/[\s\u00a0\u200b]+/g, '') === '';
    const depth = this.current === '' ? this.depth : this.currentDepth;
    const prefix = depth > 0 ? `${'>'.repeat(depth)} ` : '';
    this.lines.push(empty ? prefix.trimEnd() : prefix + (this.currentPre ? line : line.replace(/^ +/, '')));
    this.current = '';
  }

  /** Ends the current line only when it has text (a block boundary). */
  ensureLineStart(): void {
    if (this.current !== '') this.breakLine();
  }

  finish(): string {
    this.ensureLineStart();
    return this.lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .replace(/\n+$/, '');
  }
}

/**
 * Turns an HTML body into text: tags removed, block elements and <br> become line breaks,
 * blockquotes become `> ` lines, entities decoded, and script, style, head and other non-text
 * elements dropped with their content. Linear in the length of the HTML (no backtracking regex).
 */
export function htmlToText(html: string): string {
  const out = new Lines();
  let i = 0;
  let textStart = 0;
  const flushText = (end: number): void => {
    if (end > textStart) out.text(decodeEntities(html.slice(textStart, end)));
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      flushText(lt);
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      textStart = i;
      continue;
    }
    if (next === '!' || next === '?') {
      flushText(lt);
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? html.length : end + 1;
      textStart = i;
      continue;
    }
    const closing = next === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < html.length && /[A-Za-z0-9:-]/.test(html[nameEnd] as string)) nameEnd += 1;
    if (nameEnd === nameStart || !/[A-Za-z]/.test(html[nameStart] as string)) {
      // A lone "<" in text, e.g. "a < b".
      i = lt + 1;
      continue;
    }
    flushText(lt);
    // Find the end of the tag, skipping quoted attribute values.
    let j = nameEnd;
    let quote = '';
    while (j < html.length) {
      const c = html[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        break;
      }
      j += 1;
    }
    if (j >= html.length) {
      // An unterminated tag: nothing after it is text.
      i = html.length;
      textStart = i;
      break;
    }
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    const selfClosing = html[j - 1] === '/';
    i = j + 1;
    textStart = i;
    if (!closing && DROPPED.has(name) && !selfClosing) {
      const closer = new RegExp(`</${name}[\\s/>]`, 'gi');
      closer.lastIndex = i;
      const found = closer.exec(html);
      if (!found) {
        i = html.length;
        textStart = i;
        break;
      }
      const end = html.indexOf('>', found.index);
      i = end < 0 ? html.length : end + 1;
      textStart = i;
      continue;
    }
    if (name === 'br') {
      out.breakLine();
    } else if (name === 'hr') {
      out.ensureLineStart();
      out.text('________________________________');
      out.breakLine();
    } else if (name === 'blockquote') {
      out.ensureLineStart();
      if (closing) out.depth = Math.max(0, out.depth - 1);
      else if (!selfClosing) out.depth += 1;
    } else if (name === 'li') {
      out.ensureLineStart();
      if (!closing) out.text('- ');
    } else if (name === 'td' || name === 'th') {
      if (!closing) out.text(' ');
    } else if (BLOCKS.has(name)) {
      out.ensureLineStart();
      if (name === 'pre') out.pre = closing ? Math.max(0, out.pre - 1) : out.pre + (selfClosing ? 0 : 1);
    }
    // Any other element (inline formatting, links, images) adds no text of its own.
  }
  flushText(html.length);
  return out.finish();
}
