/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web app as people use it, in headless Chromium (driven by playwright-core), served in-process
 * by @hono/node-server over the memory world (test/unit/web/support.ts: the example programme plus
 * an outside auditor). Each person signs in as a person does (types their address, opens the link
 * from the mail the world's mailer recorded, presses the button), then each role's pages are
 * visited at a desktop and a phone width: no horizontal scroll, no serious or critical axe-core
 * violation, a screenshot of each in test-artifacts/web/<role>-<page>-<width>.png (ignored by git).
 * The sign-in page and the answer form are used by keyboard only, and the owner's answer goes end
 * to end into the cycle's store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { answerBlock } from '#test/unit/cycle/support.ts';
import { linkIn, webWorld, type WebWorld } from '#test/unit/web/support.ts';
import {
  ARTIFACTS,
  focused,
  heading,
  openBrowserSession,
  scrollWidth,
  SLOW,
  tabThrough,
  WIDTHS,
  type BrowserSession,
} from './support.ts';

type RoleName = 'manager' | 'top' | 'owner' | 'auditor';
const PEOPLE: Record<RoleName, string> = {
  manager: 'alice',
  top: 'ceo',
  owner: 'ciso',
  auditor: 'ext-auditor',
};

let session: BrowserSession;
let w: WebWorld;
let base: string;
let browser: Browser;
/** Each role's signed-in browser context. */
const signedIn = new Map<RoleName, BrowserContext>();

beforeAll(async () => {
  // Chromium is checked first by test/browser/global-setup.ts too.
  w = await webWorld();
  session = await openBrowserSession(w);
  ({ base, browser } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
}, 60_000);

const signInAs = (personId: string) => session.signInAs(personId);
const axeViolations = (...args: Parameters<BrowserSession['axeViolations']>) =>
  session.axeViolations(...args);

describe('signing in as a person does', SLOW, () => {
  it.each(Object.entries(PEOPLE) as [RoleName, string][])(
    'the %s (%s) types their address, opens the emailed link and presses the button',
    async (role, personId) => {
      signedIn.set(role, await signInAs(personId));
    },
  );

  it('refuses a link opened a second time, and a page asked for without signing in', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${base}/actions`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      // The owner's link was used above: it works once.
      await page.goto(`${base}${linkIn(w, w.person('ciso').email)}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading(page, 'Cannot sign in');
      expect(await page.locator('header.site nav').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('the axe run', SLOW, () => {
  it('finds what it should: a page with an image without text and a field without a label fails', async () => {
    const bad = `data:text/html,${encodeURIComponent(
      '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>' +
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><form><input type="text"></form></main></body></html>',
    )}`;
    const context = await browser.newContext();
    try {
      const found = await axeViolations(context, bad, 1280, 800);
      expect(found.map((v) => v.id).sort()).toEqual(['image-alt', 'label']);
    } finally {
      await context.close();
      session.violations.length = 0;
    }
  });
});

describe("each role's pages at a desktop and a phone width", SLOW, () => {
  const pagesOf = (role: RoleName): Record<string, string> => ({
    start: '/',
    cycle: `/cycles/${w.cycleId}`,
    actions: '/actions',
    ...(role === 'owner' ? { answer: `/cycles/${w.cycleId}/inputs/b` } : {}),
  });

  it.each(Object.keys(PEOPLE) as RoleName[])(
    'the %s: every page fits, passes axe, and is kept as a screenshot',
    async (role) => {
      const context = signedIn.get(role);
      if (!context) throw new Error(`the ${role} did not sign in: see the sign-in test above`);
      const problems: string[] = [];
      for (const [name, path] of Object.entries(pagesOf(role))) {
        for (const { width, height } of WIDTHS) {
          const page = await context.newPage();
          try {
            await page.setViewportSize({ width, height });
            const response = await page.goto(`${base}${path}`);
            expect(response?.status(), `${role} ${path}`).toBe(200);
            expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
            await page.screenshot({ path: `${ARTIFACTS}/${role}-${name}-${width}.png`, fullPage: true });
            const scroll = await scrollWidth(page);
            if (scroll > width) problems.push(`${role} ${path} at ${width} px: ${scroll} px wide`);
          } finally {
            await page.close();
          }
          for (const v of await axeViolations(context, `${base}${path}`, width, height)) {
            problems.push(
              `${role} ${path} at ${width} px: axe ${v.impact} ${v.id} on ${v.targets.join(', ')}`,
            );
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('shows each role what is theirs', async () => {
    const textOf = async (role: RoleName, path: string) => {
      const page = await signedIn.get(role)!.newPage();
      try {
        await page.goto(`${base}${path}`);
        return await page.locator('main').innerText();
      } finally {
        await page.close();
      }
    };
    const manager = await textOf('manager', '/');
    expect(manager).toContain('What is late');
    expect(manager).toContain('Who is waiting on whom');
    expect(await textOf('manager', `/cycles/${w.cycleId}`)).toContain('Move the meeting');
    expect(await textOf('top', '/')).toContain('For decision');
    expect(await textOf('owner', '/')).toContain('Answer input b');
    const auditor = await textOf('auditor', '/');
    expect(auditor).toContain('You have read-only access.');
    const auditorCycle = await textOf('auditor', `/cycles/${w.cycleId}`);
    expect(auditorCycle).toContain('Event log');
    expect(auditorCycle).not.toContain('Move the meeting');
    expect(await textOf('auditor', '/actions')).toContain('Every action of the programme.');
  });
});

describe('the owner answers in the form', SLOW, () => {
  it('fills the block, sends it, sees the confirmation; the input is recorded in the cycle', async () => {
    const request = (await w.repo.getInputRequest(w.cycleId, 'b'))!;
    expect(request.status).toBe('REQUESTED');
    const page = await signedIn.get('owner')!.newPage();
    try {
      await page.setViewportSize(WIDTHS[1]);
      await page.goto(`${base}/`);
      await page.getByRole('link', { name: /Answer input b/ }).click();
      const answer = page.getByLabel('Your answer (the same block as in the request email)');
      // Pre-filled with the block of the request email.
      expect(await answer.inputValue()).toContain(`[input b] ${request.title}`);
      await answer.fill(answerBlock(request, 'Two new suppliers; the climate risk assessment was updated.'));
      await page.getByRole('button', { name: 'Send the answer' }).click();
      await heading(page, 'Answer recorded');
      expect(await page.getByRole('status').innerText()).toContain('your answer is recorded as your input b');
      expect(await page.locator('main').innerText()).toContain('Two new suppliers');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ARTIFACTS}/owner-confirmation-390.png`, fullPage: true });
    } finally {
      await page.close();
    }
    expect((await w.repo.getInputRequest(w.cycleId, 'b'))!.status).toBe('SUBMITTED');
    const [submission] = await w.repo.listSubmissions(w.cycleId, 'b');
    expect(submission).toMatchObject({ submitterId: 'ciso', source: { channel: 'web' } });
    const event = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'input.submitted').at(-1);
    expect(event?.data).toMatchObject({ inputKey: 'b', source: 'web' });
    expect(w.mailsTo('ciso').some((m) => m.subject.startsWith('Recorded: your input b'))).toBe(true);
  });
});

describe('keyboard only', SLOW, () => {
  it('the sign-in page: Tab reaches each control in order, focus is visible, Enter sends', async () => {
    const context = await browser.newContext({ viewport: WIDTHS[1] });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/sign-in`);
      const reached = await tabThrough(page, 3);
      expect(reached.map((r) => r.what)).toEqual([
        'a: Skip to the content',
        'input: Email address',
        'button: Email me a sign-in link',
      ]);
      for (const r of reached) expect(r, r.what).toMatchObject({ visible: true, focusVisible: true });
      // Back to the address field, typed, and Enter sends the form.
      await page.keyboard.press('Shift+Tab');
      expect((await focused(page)).what).toBe('input: Email address');
      await page.keyboard.type(w.person('deputy-ciso').email);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/sign-in`);
      await heading(page, 'Check your email');

      // The emailed link's button, by keyboard too.
      await page.goto(`${base}${linkIn(w, w.person('deputy-ciso').email)}`);
      const toButton = await tabThrough(page, 2);
      expect(toButton.map((r) => r.what)).toEqual(['a: Skip to the content', 'button: Sign in']);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/`);
      expect(await page.locator('header.site .who').innerText()).toContain('signed in as Omar Haddad');
    } finally {
      await context.close();
    }
  });

  it('the answer form: Tab reaches each control in order, focus is visible, Enter on the button sends', async () => {
    const request = (await w.repo.getInputRequest(w.cycleId, 'd2'))!;
    const page = await signedIn.get('owner')!.newPage();
    try {
      await page.setViewportSize(WIDTHS[1]);
      await page.goto(`${base}/cycles/${w.cycleId}/inputs/d2`);
      const reached = await tabThrough(page, 7);
      expect(reached.map((r) => r.what)).toEqual([
        'a: Skip to the content',
        'a: Start',
        'a: Actions',
        'button: Sign out',
        'summary: How to fill in the block',
        'textarea: Your answer (the same block as in the request email)',
        'button: Send the answer',
      ]);
      for (const r of reached) expect(r, r.what).toMatchObject({ visible: true, focusVisible: true });
      // The help opens from the keyboard.
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect((await focused(page)).what).toBe('summary: How to fill in the block');
      await page.keyboard.press('Enter');
      expect(await page.locator('details').getAttribute('open')).toBe('');
      // Into the answer: everything selected and replaced by typing, then Tab to the button and Enter.
      await page.keyboard.press('Tab');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(answerBlock(request, 'Sent by keyboard alone.'));
      await page.keyboard.press('Tab');
      expect((await focused(page)).what).toBe('button: Send the answer');
      await page.keyboard.press('Enter');
      await page.waitForLoadState();
      await heading(page, 'Answer recorded');
    } finally {
      await page.close();
    }
    const [submission] = await w.repo.listSubmissions(w.cycleId, 'd2');
    expect(submission).toMatchObject({ submitterId: 'ciso', source: { channel: 'web' } });
    expect(JSON.stringify(submission)).toContain('Sent by keyboard alone.');
  });
});
