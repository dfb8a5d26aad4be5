/**
 * The review's record in headless Chromium (web/routes/review.ts), on a memory world whose minutes
 * await the chair's approval: the chair reads the package's proposals and approves the minutes in
 * the form; the auditor reads the timeline and the trace and downloads the evidence bundle, which
 * verifies. Every page at a desktop and a phone width: no horizontal scroll, no serious or critical
 * axe-core violation, a screenshot in test-artifacts/web/<role>-<page>-<width>.png.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { checkApproval, recordOutcomes } from '#shared/cycle/service.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import { exampleMinutes, toAwaitingMinutes } from '#test/unit/cycle/support.ts';
import { webWorld, type WebWorld } from '#test/unit/web/support.ts';
import {
  ARTIFACTS,
  checkPages,
  heading,
  openBrowserSession,
  scrollWidth,
  SLOW,
  WIDTHS,
  type BrowserSession,
} from './support.ts';

let session: BrowserSession;
let w: WebWorld;
const signedIn = new Map<'top' | 'auditor', BrowserContext>();

beforeAll(async () => {
  w = await webWorld();
  const cycle = await toAwaitingMinutes(w);
  const submitted = await submitMinutes(w.deps, {
    cycleId: w.cycleId,
    text: exampleMinutes(w, cycle),
    fileName: 'minutes.yaml',
  });
  if (!submitted.ok) throw new Error(submitted.problems.join('\n'));
  await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' });
  session = await openBrowserSession(w, { axeFile: 'axe-review.json' });
  signedIn.set('top', await session.signInAs('ceo'));
  signedIn.set('auditor', await session.signInAs('ext-auditor'));
}, 180_000);

afterAll(async () => {
  await session?.close();
}, 60_000);

/** Each page checked as `role` sees it (support.ts checkPages); the problems found. */
const checkPagesAs = (role: 'top' | 'auditor', pages: Record<string, string>) =>
  checkPages(session, signedIn.get(role)!, role, pages);

describe('top management', SLOW, () => {
  it('reads the package’s proposals and the minutes awaiting approval: every page fits and passes axe', async () => {
    const problems = await checkPagesAs('top', {
      package: `/cycles/${w.cycleId}/package`,
      minutes: `/cycles/${w.cycleId}/minutes`,
    });
    expect(problems).toEqual([]);
  });

  it('the chair approves the minutes in the form; the approval is recorded and the follow-up can start', async () => {
    const page = await signedIn.get('top')!.newPage();
    try {
      await page.setViewportSize(WIDTHS[1]);
      await page.goto(`${session.base}/cycles/${w.cycleId}`);
      await page.getByRole('link', { name: 'Minutes', exact: true }).first().click();
      await heading(page, /^Minutes: /);
      await page.getByLabel('Comment (optional)').fill('Read and agreed at the meeting.');
      await page.getByRole('button', { name: 'Approve version 1' }).click();
      await heading(page, /^Minutes: /);
      expect(await page.getByRole('status').innerText()).toContain(
        'Recorded as your approval of version 1 of the minutes',
      );
      expect(await page.locator('main').innerText()).toContain('approved by Daniel Okafor');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ARTIFACTS}/top-minutes-approved-390.png`, fullPage: true });
    } finally {
      await page.close();
    }
    const approved = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'minutes.approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({
      actor: 'ceo',
      data: { version: 1, comment: 'Read and agreed at the meeting.' },
    });
    // What the workflow does next, once resumed: the minutes go out and the actions start.
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' })).toMatchObject({
      approved: true,
    });
    await recordOutcomes(w.deps, w.cycleId);
    expect(await w.repo.listActionsOfCycle(w.cycleId)).toHaveLength(1);
  });
});

describe('the auditor', SLOW, () => {
  // Two tests, so that each stays well inside its time on a busy machine (each page costs two axe runs).
  it('reads the timeline, the trace and the evidence: every page fits and passes axe', async () => {
    const problems = await checkPagesAs('auditor', {
      timeline: `/cycles/${w.cycleId}/timeline`,
      trace: `/cycles/${w.cycleId}/trace`,
      evidence: `/cycles/${w.cycleId}/evidence`,
    });
    expect(problems).toEqual([]);
  });

  it('reads the package and the approved minutes: every page fits and passes axe', async () => {
    const problems = await checkPagesAs('auditor', {
      package: `/cycles/${w.cycleId}/package`,
      minutes: `/cycles/${w.cycleId}/minutes`,
    });
    expect(problems).toEqual([]);
  });

  it('follows input d1 to its action on the trace, and downloads the evidence bundle, which verifies', async () => {
    const [action] = await w.repo.listActionsOfCycle(w.cycleId);
    const page = await signedIn.get('auditor')!.newPage();
    try {
      await page.goto(`${session.base}/cycles/${w.cycleId}`);
      await page.getByRole('link', { name: 'Trace', exact: true }).first().click();
      await heading(page, /^Trace: /);
      const d1 = page.locator('section.trace', { has: page.getByRole('heading', { name: /^Input d1: / }) });
      const text = await d1.innerText();
      expect(text).toContain('Ask every input owner to answer on time');
      expect(text).toContain(action!.id);
      expect(text).toContain('not closed');

      await page.getByRole('link', { name: 'Evidence bundle', exact: true }).first().click();
      await heading(page, /^Evidence: /);
      expect(await page.getByRole('status').innerText()).toContain('VERIFIED');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the evidence bundle (ZIP)' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`evidence-${w.cycleId}.zip`);
      const zip = await readFile((await download.path())!);
      const verified = verifyBundle(new Uint8Array(zip));
      expect(verified.problems).toEqual([]);
      expect(verified.ok).toBe(true);
      // No form on the auditor's pages but signing out.
      expect(await page.locator('main form').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
