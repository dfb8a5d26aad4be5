import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageModel } from '#shared/package/content.ts';
import { vegaLiteSpec } from '#shared/package/charts.ts';
import { chartCid, type RenderedPackage } from '#shared/package/model.ts';
import { contentHashOf, renderPackage } from '#shared/package/render.ts';
import { packageHtml } from '#shared/package/html.ts';
import { packageOutline } from '#shared/package/outline.ts';
import { HOSTILE, packageSources } from './fixtures.ts';
import { flat, pdfPages } from './pdf-text.ts';

let rendered: RenderedPackage;

beforeAll(async () => {
  rendered = await renderPackage(packageModel(packageSources({ hostile: true })));
}, 30_000);

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the charts', () => {
  it('come from Vega-Lite specs with the data inline, rendered to PNG with their size', () => {
    expect(rendered.charts.length).toBeGreaterThanOrEqual(2);
    for (const chart of rendered.charts) {
      expect(chart.png.subarray(0, 8)).toEqual(PNG);
      expect(chart.width).toBeGreaterThan(300);
      expect(chart.height).toBeGreaterThan(100);
      const spec = vegaLiteSpec(chart.spec);
      expect(spec.$schema).toMatch(/vega-lite\/v5/);
      expect((spec.data as { values: unknown[] }).values.length).toBe(
        chart.spec.series.reduce((n, s) => n + s.points.length, 0),
      );
    }
  });
});

describe('the HTML email', () => {
  it('escapes every piece of submitted text: no script, style, or handler survives as markup', () => {
    for (const doc of [rendered.emailHtml, rendered.html]) {
      expect(doc).not.toMatch(/<script/i);
      expect(doc).not.toMatch(/<style/i);
      expect(doc).not.toMatch(/<img src=x/i);
      // An event-handler attribute would need a real quote after `=`; escaped text has &quot;.
      expect(doc).not.toMatch(/\son\w+\s*=\s*["'\w]/i);
      expect(doc).toContain('&lt;script&gt;window.__pwned = true;');
      expect(doc).toContain('&lt;style&gt;body { display:none !important }');
      expect(doc).not.toContain('\u202E');
      expect(doc).toContain('🔥🔐');
    }
  });

  it('escapes a hostile figure name in chart alt text and tables', () => {
    // Reported before too, so that it has a trend and is charted.
    const sources = packageSources({ hostile: true });
    const name = `Findings "${HOSTILE.img}" ${HOSTILE.emoji}`;
    const last = sources.earlier.at(-1)!;
    const earlier = [
      ...sources.earlier.slice(0, -1),
      { ...last, figures: { ...last.figures, d1: [...last.figures.d1!, { name, value: 4, unit: 'count' }] } },
    ];
    const model = packageModel({ ...sources, earlier });
    const d1 = model.trends.charts.find((c) => c.inputKey === 'd1')!;
    expect(d1.alt).toContain(HOSTILE.img);
    const email = packageHtml(packageOutline(model, rendered.contentHash), (id) => `cid:${chartCid(id)}`);
    expect(email).toContain(
      'Findings &quot;&lt;img src=x onerror=&quot;window.__pwned = true&quot;&gt;&quot;',
    );
    expect(email).not.toMatch(/\son\w+\s*=\s*["'\w]/i);
    expect(rendered.emailHtml).toContain(
      'Findings &quot;&lt;img src=x onerror=&quot;window.__pwned = true&quot;&gt;&quot;',
    );
    expect(rendered.emailHtml).not.toMatch(/\son\w+\s*=\s*["'\w]/i);
  });

  it('shows the charts as inline cid: images with alt text in the email, embedded in the file', () => {
    for (const chart of rendered.charts) {
      expect(rendered.emailHtml).toContain(`src="cid:${chartCid(chart.spec.id)}"`);
      expect(rendered.html).toContain(
        `src="data:image/png;base64,${chart.png.toString('base64').slice(0, 40)}`,
      );
    }
    const alts = [...rendered.emailHtml.matchAll(/<img[^>]*alt="([^"]*)"/g)].map((m) => m[1]);
    expect(alts).toHaveLength(rendered.charts.length);
    for (const alt of alts) expect(alt).toMatch(/chart over \d+ review/);
  });

  it('uses inline styles and tables, with long words allowed to wrap', () => {
    expect(rendered.emailHtml).toMatch(/<table/);
    expect(rendered.emailHtml).toContain('overflow-wrap:anywhere');
    expect(rendered.emailHtml).toContain('max-width:640px');
  });

  it('carries the cycle id and the content hash once, in "About this document", not in its footer', () => {
    expect(rendered.contentHash).toBe(contentHashOf(rendered.model));
    expect(rendered.emailHtml.match(new RegExp(rendered.contentHash, 'g'))).toHaveLength(1);
    const about = rendered.emailHtml.indexOf('About this document');
    expect(about).toBeGreaterThan(0);
    expect(rendered.emailHtml.indexOf(rendered.contentHash)).toBeGreaterThan(about);
    expect(rendered.emailHtml).not.toContain(`content SHA-256 ${rendered.contentHash}`);
  });

  it('opens with the decision sheet: the proposals come before the agenda', () => {
    const sheet = rendered.emailHtml.indexOf('Decision sheet');
    expect(sheet).toBeGreaterThan(0);
    expect(rendered.emailHtml.indexOf('P1 — ')).toBeGreaterThan(sheet);
    expect(rendered.emailHtml.indexOf('P1 — ')).toBeLessThan(rendered.emailHtml.indexOf('Proposed agenda'));
  });
});

describe('the text alternative', () => {
  it('has every section, the hostile text as written, and the chart descriptions', () => {
    for (const heading of [
      'Decision sheet',
      'Proposed agenda',
      'Status of actions',
      'Key figures and trends',
      'Inputs',
      'About this document',
    ]) {
      expect(rendered.text).toContain(heading);
    }
    expect(rendered.text).toContain(HOSTILE.script);
    expect(rendered.text).toContain('[NOT PROVIDED]');
    expect(rendered.text).toMatch(/\[Chart\] Nonconformities and corrective actions \(input d1\): bar chart/);
    expect(rendered.text).toContain(`Content SHA-256: ${rendered.contentHash}`);
  });
});

describe('the PDF', () => {
  it('has every section, at least two charts, and on every page its number but no hash or cycle id', () => {
    const pdf = rendered.pdf;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdfPages(pdf);
    expect(pages.length).toBeGreaterThan(3);
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} of ${pages.length}`);
    });
    const all = pages.map(flat).join('\n');
    expect(all.match(new RegExp(rendered.contentHash, 'g'))).toHaveLength(1);
    const about = pages.map(flat).find((page) => page.includes('About this document'))!;
    expect(about).toContain(`Content SHA-256: ${rendered.contentHash}`);
    for (const heading of [
      'Decision sheet',
      'Proposed agenda',
      'Status of actions from previous management reviews (input a)',
      'Key figures and trends',
      'Inputs (ISO/IEC 27001 clause 9.3.2)',
      'NOT PROVIDED',
      'About this document',
    ]) {
      expect(all).toContain(heading);
    }
    const images = pdf.toString('latin1').match(/\/Subtype \/Image/g) ?? [];
    expect(images.length).toBeGreaterThanOrEqual(2);
  });

  it('puts the decision sheet on page one: every proposal with its recommendation, the inputs by status', () => {
    const [first, second] = pdfPages(rendered.pdf).map(flat);
    expect(first).toContain('Decision sheet');
    for (const d of rendered.model.decisions) expect(first).toContain(`${d.id} — `);
    expect(first!.match(/Recommendation: /g)).toHaveLength(rendered.model.decisions.length);
    expect(first).not.toContain('Proposed agenda');
    // The sheet goes on with a status line per input; the agenda starts on a page of its own.
    expect(`${first}\n${second}`).toContain('Inputs at a glance');
    expect(second).toContain('RED e) Feedback from interested parties');
  });

  it('draws submitted text as text: markup is harmless, a 5,000-character word wraps, what no font has is replaced', () => {
    // The pages' text without their footers, as one string.
    const joined = pdfPages(rendered.pdf)
      .map((page) =>
        page
          .split('\n')
          .filter((line) => !line.startsWith('Page '))
          .join('\n'),
      )
      .join('');
    expect(joined).toContain('<script>window.__pwned = true;');
    expect(joined.replace(/\n/g, '').includes('A'.repeat(5000))).toBe(true);
    // One visible replacement per emoji (the woman technologist is one, joined by a ZWJ).
    expect(joined).toContain('Risk \uFFFD\uFFFD\uFFFD down \uFFFD');
    expect(joined).not.toContain('שלום');
    expect(joined).not.toContain('\u202E');
    // No JavaScript, forms or launch actions in the file.
    const raw = rendered.pdf.toString('latin1');
    expect(raw).not.toMatch(/\/JavaScript|\/JS\b|\/Launch|\/AcroForm|\/OpenAction/);
    // No content stream holds a line wider than the page (the long word wrapped).
    for (const match of raw.matchAll(/stream\r?\n/g)) {
      const start = match.index + match[0].length;
      try {
        const content = inflateSync(rendered.pdf.subarray(start, raw.indexOf('endstream', start))).toString(
          'latin1',
        );
        for (const tm of content.matchAll(/1 0 0 1 ([\d.]+) [\d.]+ Tm/g))
          expect(Number(tm[1])).toBeLessThan(545);
      } catch {
        // not a content stream
      }
    }
  });

  it('ends with one note naming the characters it could not draw', () => {
    const pages = pdfPages(rendered.pdf).map(flat);
    const all = pages.join('\n');
    expect(all.match(/About this PDF/g)).toHaveLength(1);
    expect(pages.at(-1)).toContain('About this PDF');
    expect(all).toContain('U+1F525, U+1F510, U+1F469 U+1F4BB, U+1F4C9');
    expect(all).toContain('Right-to-left text (such as Hebrew or Arabic) is not laid out in this PDF');
  });
});
