import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emailLayout,
  escapeHtml,
  html,
  join,
  raw,
  safeUrl,
  SafeHtml,
  stripBidiControls,
} from '#shared/mail/html.ts';

const SCRIPT = '<script>alert("x")</script>';

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('escapes every character that can open markup or close an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  it('removes right-to-left overrides and isolates, which reorder what is displayed', () => {
    expect(escapeHtml('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(stripBidiControls('a\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069b')).toBe('ab');
  });

  it('keeps emoji, accents and right-to-left scripts as they are', () => {
    const text = 'Décision 👩🏽‍💼 ✅ 漢字 שלום مرحبا';
    expect(escapeHtml(text)).toBe(text);
  });

  it('round-trips any text but bidi controls (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(unescape(escaped)).toBe(stripBidiControls(text));
      }),
    );
  });
});

describe('html tagged template', () => {
  it('escapes interpolated text: script and style tags become text', () => {
    // prettier-ignore
    const out = html`<p>${SCRIPT}</p><div>${'<style>body{display:none}</style>'}</div>`.toString();
    expect(out).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><div>&lt;style&gt;body{display:none}&lt;/style&gt;</div>',
    );
  });

  it('keeps a quote in an attribute from closing it', () => {
    const out = html`<td title="${'" onmouseover="alert(1)'}">x</td>`.toString();
    expect(out).toBe('<td title="&quot; onmouseover=&quot;alert(1)">x</td>');
  });

  it('turns a javascript:, data: or relative URL in href or src into #, and keeps http(s) and mailto', () => {
    const link = (url: string) => html`<a href="${url}">x</a>`.toString();
    expect(link('javascript:alert(1)')).toBe('<a href="#">x</a>');
    expect(link('JaVaScRiPt:alert(1)')).toBe('<a href="#">x</a>');
    expect(link(' java\tscript:alert(1)')).toBe('<a href="#">x</a>');
    expect(link('data:text/html;base64,PHNjcmlwdD4=')).toBe('<a href="#">x</a>');
    expect(link('/relative')).toBe('<a href="#">x</a>');
    // prettier-ignore
    expect(html`<img src='${'vbscript:x'}'>`.toString()).toBe(`<img src='#'>`);
    expect(link('https://example.org/a?b=1&c=2')).toBe('<a href="https://example.org/a?b=1&amp;c=2">x</a>');
    expect(link('mailto:alice@example.com')).toBe('<a href="mailto:alice@example.com">x</a>');
    expect(safeUrl('http://example.org/')).toBe('http://example.org/');
  });

  it('passes SafeHtml through, joins arrays, and renders null, undefined and false as nothing', () => {
    const rows = ['a<', 'b>'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const out = html`<ul>${rows}</ul>${null}${undefined}${false}${0}${raw('<br>')}`.toString();
    expect(out).toBe('<ul><li>a&lt;</li><li>b&gt;</li></ul>0<br>');
    expect(html`${[['x', [html`<b>${'&'}</b>`]]]}`.toString()).toBe('x<b>&amp;</b>');
    expect(html`x` instanceof SafeHtml).toBe(true);
  });

  it('joins with an escaped or a safe separator', () => {
    expect(join(['a', 'b'], ' & ').toString()).toBe('a &amp; b');
    expect(join(['<a>', '<b>'], raw('<br>')).toString()).toBe('&lt;a&gt;<br>&lt;b&gt;');
  });
});

describe('emailLayout', () => {
  const page = (body: SafeHtml, heading = 'Your input') =>
    emailLayout({
      title: 'Subject <x>',
      preheader: 'Due Friday "soon"',
      heading,
      body,
      footer: html`Sent by ${'Example & Co'}`,
    });

  it('is a full document: table layout at most 640px wide, inline styles only, no <style> or <script>', () => {
    const out = page(html`<p>Hello</p>`);
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1" ?\/?>/);
    expect(out).toContain('max-width:640px');
    expect(out).toContain('<!--[if mso]><table role="presentation" width="640"');
    expect(out).toMatch(/<table role="presentation"/);
    expect(out).not.toMatch(/<style|<script|<link/i);
  });

  it('escapes the title, preheader, heading and footer text', () => {
    const out = page(html``, SCRIPT);
    expect(out).toContain('<title>Subject &lt;x&gt;</title>');
    expect(out).toContain('Due Friday &quot;soon&quot;');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('Sent by Example &amp; Co');
    expect(out).not.toContain('<script');
  });

  it('wraps a 5,000-character word instead of widening the page', () => {
    const word = 'x'.repeat(5000);
    const out = page(html`<p>${word}</p>`);
    expect(out).toContain(word);
    expect(out).toContain('word-break:break-word');
    expect(out).toContain('overflow-wrap:anywhere');
  });
});
