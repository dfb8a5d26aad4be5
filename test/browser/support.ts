/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * What the web app's browser tests share: the app of a memory world (test/unit/web/support.ts)
 * served in-process by @hono/node-server, headless Chromium (playwright-core) in front of it, the
 * sign-in as a person does it, the axe-core run, and the layout and keyboard probes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { serve, type ServerType } from '@hono/node-server';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireChromium } from '#test/support/prerequisites.ts';
import { linkIn, type WebWorld } from '#test/unit/web/support.ts';

export const ARTIFACTS = 'test-artifacts/web';
/** The machine may be shared and busy: a page's axe run alone can take seconds. */
export const SLOW = { timeout: 300_000 };
export const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** axe-core's browser bundle, injected into each page for the accessibility run. */
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly targets: string[];
}

/** A world's app served on 127.0.0.1 with a Chromium in front of it. */
export interface BrowserSession {
  readonly w: WebWorld;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly browser: Browser;
  /** Every violation axe found, whatever its impact, written to ARTIFACTS/<axeFile> by close(). */
  readonly violations: { url: string; width: number; id: string; impact: string; targets: string[] }[];
  /** The whole sign-in, as a person does it, in a fresh context; returns the signed-in context. */
  signInAs(personId: string): Promise<BrowserContext>;
  /** axe-core's serious and critical violations of `url`, seen by `context`'s person at `width`. */
  axeViolations(context: BrowserContext, url: string, width: number, height: number): Promise<AxeViolation[]>;
  close(): Promise<void>;
}

export async function openBrowserSession(
  w: WebWorld,
  options: { axeFile?: string } = {},
): Promise<BrowserSession> {
  const executablePath = requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: w.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    started.once('error', reject);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const violations: BrowserSession['violations'] = [];

  const signInAs = async (personId: string): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: WIDTHS[0] });
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email address').fill(w.person(personId).email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await heading(page, 'Check your email');
    await page.goto(`${base}${linkIn(w, w.person(personId).email)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    await heading(page, 'Start');
    expect(await page.locator('header.site .who').innerText()).toContain(
      `signed in as ${w.person(personId).name}`,
    );
    await page.close();
    return context;
  };

  const axeViolations = async (context: BrowserContext, url: string, width: number, height: number) => {
    // The app's CSP forbids every script (rightly): only this context, used for nothing but the axe
    // run, bypasses it so that axe's source can be injected. Every other page is seen under the CSP.
    const axeContext = await browser.newContext({
      bypassCSP: true,
      viewport: { width, height },
      storageState: await context.storageState(),
    });
    try {
      const page = await axeContext.newPage();
      if (url.startsWith('data:')) await page.setContent(decodeURIComponent(url.slice(url.indexOf(',') + 1)));
      else await page.goto(url);
      await page.addScriptTag({ content: AXE_SOURCE });
      const found = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(
                context: Document,
                options: object,
              ): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[] }[] }[] }>;
            };
          }
        ).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact ?? 'unknown',
          targets: v.nodes.map((n) => JSON.stringify(n.target)),
        }));
      });
      violations.push(...found.map((v) => ({ url: new URL(url).pathname, width, ...v })));
      return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    } finally {
      await axeContext.close();
    }
  };

  return {
    w,
    base,
    browser,
    violations,
    signInAs,
    axeViolations,
    async close() {
      await writeFile(
        `${ARTIFACTS}/${options.axeFile ?? 'axe.json'}`,
        `${JSON.stringify(violations, null, 2)}\n`,
      );
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits for the page whose heading is `text` (a timeout fails the test, naming the page shown). */
export async function heading(page: Page, text: string | RegExp): Promise<void> {
  try {
    await page
      .getByRole('heading', { level: 1, name: text, exact: typeof text === 'string' })
      .waitFor({ timeout: 20_000 });
  } catch {
    throw new Error(
      `expected the page "${String(text)}", got ${page.url()}: ${await page.locator('main').innerText()}`,
    );
  }
}

/** Layout at the page's width: nothing wider than the screen, no horizontal scroll. */
export async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** What the element in focus is, and whether its focus is visible (outline or box-shadow). */
export async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { what: 'body', visible: false, focusVisible: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    const name =
      el.getAttribute('aria-label') ??
      (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() : undefined) ??
      el.textContent?.trim().replace(/\s+/g, ' ');
    return {
      what: `${el.tagName.toLowerCase()}: ${name ?? ''}`,
      visible: outline || shadow,
      focusVisible: el.matches(':focus-visible'),
    };
  });
}

/** Presses Tab `count` times from the top of the page; the elements reached, in order. */
export async function tabThrough(page: Page, count: number) {
  const reached: Awaited<ReturnType<typeof focused>>[] = [];
  for (let i = 0; i < count; i += 1) {
    await page.keyboard.press('Tab');
    reached.push(await focused(page));
  }
  return reached;
}

/**
 * Each page of `pages` (name → path), seen by `context`'s person (`label` in the screenshot names and
 * problems): it answers 200 under the CSP, fits both widths, passes axe, and is kept as a screenshot
 * in ARTIFACTS/<label>-<name>-<width>.png. Returns the problems found (none: an empty list).
 */
export async function checkPages(
  session: BrowserSession,
  context: BrowserContext,
  label: string,
  pages: Record<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, path] of Object.entries(pages)) {
    for (const { width, height } of WIDTHS) {
      const page = await context.newPage();
      try {
        await page.setViewportSize({ width, height });
        const response = await page.goto(`${session.base}${path}`);
        expect(response?.status(), `${label} ${path}`).toBe(200);
        expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
        await page.screenshot({ path: `${ARTIFACTS}/${label}-${name}-${width}.png`, fullPage: true });
        const scroll = await scrollWidth(page);
        if (scroll > width) problems.push(`${label} ${path} at ${width} px: ${scroll} px wide`);
      } finally {
        await page.close();
      }
      for (const v of await session.axeViolations(context, `${session.base}${path}`, width, height)) {
        problems.push(`${label} ${path} at ${width} px: axe ${v.impact} ${v.id} on ${v.targets.join(', ')}`);
      }
    }
  }
  return problems;
}
