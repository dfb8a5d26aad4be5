/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The package HTML in a real browser (headless Chromium, driven by playwright-core), at a
 * desktop and a phone width: laid out sanely (nothing wider than the screen), charts visible, and a
 * hostile submission (script and style tags, an event-handler attribute, a 5,000-character word,
 * right-to-left text, emoji) shown as plain text with no script run. Screenshots go to
 * test-artifacts/browser/ (kept by CI, ignored by git).
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { packageModel } from '#shared/package/content.ts';
import { renderPackage } from '#shared/package/render.ts';
import type { RenderedPackage } from '#shared/package/model.ts';
import { requireChromium } from '#test/support/prerequisites.ts';
import { HOSTILE, packageSources } from '#test/unit/package/fixtures.ts';

const ARTIFACTS = 'test-artifacts/browser';

let browser: Browser;
let rendered: RenderedPackage;

beforeAll(async () => {
  // Checked first by test/browser/global-setup.ts too.
  const executablePath = requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  [browser, rendered] = await Promise.all([
    chromium.launch({ executablePath, args: ['--no-sandbox'] }),
    renderPackage(packageModel(packageSources({ hostile: true }))),
  ]);
});

afterAll(async () => {
  await browser?.close();
});

async function open(width: number): Promise<{ page: Page; dialogs: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('data:')) requests.push(request.url());
  });
  // Everything the page could fetch is refused: the package must stand on its own.
  await page.route('**/*', (route) => route.abort());
  await page.setContent(rendered.html, { waitUntil: 'load' });
  return { page, dialogs, requests };
}

describe.each([
  { name: 'desktop', width: 1280 },
  { name: 'phone', width: 390 },
])('the package at $name width ($width px)', ({ name, width }) => {
  it('fits the screen, shows every chart, and shows the hostile submission as plain text', async () => {
    const { page, dialogs, requests } = await open(width);
    try {
      const layout = await page.evaluate(() => {
        const doc = document.documentElement;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
          .map((el) => el.tagName);
        return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide };
      });
      expect(layout.wide).toEqual([]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
      // Column headers and times stay whole words: no "Inpu / t" or "09:0 / 0" on a phone.
      const brokenWords = await page.evaluate(() =>
        [...document.querySelectorAll('th, td')]
          .filter((cell) => /^[\w:.#%]{1,12}$/.test(cell.textContent?.trim() ?? ''))
          .filter((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            return lines.size > 1;
          })
          .map((cell) => cell.textContent?.trim()),
      );
      expect(brokenWords).toEqual([]);

      const images = await page.evaluate(() =>
        [...document.images].map((img) => ({
          alt: img.alt,
          complete: img.complete,
          naturalWidth: img.naturalWidth,
          shownWidth: img.getBoundingClientRect().width,
          shownHeight: img.getBoundingClientRect().height,
        })),
      );
      expect(images.length).toBe(rendered.charts.length);
      expect(images.length).toBeGreaterThanOrEqual(2);
      for (const image of images) {
        expect(image.complete).toBe(true);
        expect(image.naturalWidth).toBeGreaterThan(0);
        // Small charts beside their KPI tables: at most 400 px, never wider than the phone.
        expect(image.shownWidth).toBeGreaterThan(250);
        expect(image.shownWidth).toBeLessThanOrEqual(400);
        expect(image.shownHeight).toBeGreaterThan(50);
        expect(image.alt).toMatch(/chart over \d+ review/);
      }

      const page_ = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: boolean }).__pwned ?? false,
        title: document.title,
        scripts: document.scripts.length,
        styles: document.querySelectorAll('style, link[rel=stylesheet]').length,
        injectedImages: document.querySelectorAll('img[onerror], img[src="x"]').length,
        bodyVisible: getComputedStyle(document.body).display !== 'none',
        text: document.body.innerText,
      }));
      expect(page_.pwned).toBe(false);
      expect(page_.title).not.toBe('pwned');
      expect(page_.scripts).toBe(0);
      expect(page_.styles).toBe(0);
      expect(page_.injectedImages).toBe(0);
      expect(page_.bodyVisible).toBe(true);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      // What the sender wrote is there, as text.
      expect(page_.text).toContain(HOSTILE.script);
      expect(page_.text).toContain(HOSTILE.style);
      expect(page_.text).toContain(HOSTILE.longWord);
      expect(page_.text).toContain('مراجعة الإدارة');
      expect(page_.text).toContain('שלום עולם');
      expect(page_.text).toContain('🔥🔐');
      // The bidi override that would disguise a file name is removed.
      expect(page_.text).not.toContain('\u202E');
      // Each section is there.
      for (const heading of [
        'Decision sheet',
        'Proposed agenda',
        'Status of actions from previous management reviews',
        'Key figures and trends',
        'Inputs',
        'NOT PROVIDED',
        'About this document',
      ]) {
        expect(page_.text).toContain(heading);
      }
      expect(page_.text).toContain(rendered.contentHash);
    } finally {
      await page.screenshot({ path: `${ARTIFACTS}/package-${name}.png`, fullPage: true });
      await page.close();
    }
  });
});
