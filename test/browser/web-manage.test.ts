/**
 * The ISMS manager's actions and an action owner's forms in headless Chromium (web/routes/manage.ts),
 * on a memory world with a held answer, two actions and an extension request waiting: the manager
 * releases the held mail, answers the extension for the chair and updates an action; the owner marks
 * their action DONE with a link. Every new page at a desktop and a phone width first: no horizontal
 * scroll, no serious or critical axe-core violation, a screenshot in
 * test-artifacts/web/<role>-<page>-<width>.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { changeAction } from '#shared/actions/register.ts';
import type { Action } from '#shared/model/action.ts';
import { PASS } from '#test/support/memory-world.ts';
import { answerBlock } from '#test/unit/cycle/support.ts';
import { seedActions, webWorld, type WebWorld } from '#test/unit/web/support.ts';
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
let heldId: string;
let improvement: Action;
let corrective: Action;
const signedIn = new Map<'manager' | 'owner', BrowserContext>();

beforeAll(async () => {
  w = await webWorld();
  ({ improvement, corrective } = await seedActions(w));
  // The CISO's answer to input b, held at the front door: its From domain failed DMARC.
  const request = (await w.repo.getInputRequest(w.cycleId, 'b'))!;
  const reply = w.replyTo(
    await w.sentUnder('input-request:ciso'),
    'ciso',
    answerBlock(request, 'Two new suppliers.'),
    { verdicts: { ...PASS, spfVerdict: { status: 'FAIL' }, dmarcVerdict: { status: 'FAIL' } } },
  );
  const held = await w.deliver(reply);
  expect(held.outcome).toBe('held');
  heldId = held.heldId!;
  // The CISO asked by reply for a later date; the chair's answer is awaited.
  await changeAction(w.deps, {
    actionId: improvement.id,
    by: 'ciso',
    source: { channel: 'email', messageId: '<extend-1@mail.example.net>' },
    command: { kind: 'extend', until: '2027-07-31', reason: 'The supplier delivers in July' },
  });
  session = await openBrowserSession(w, { axeFile: 'axe-manage.json' });
  signedIn.set('manager', await session.signInAs('alice'));
  signedIn.set('owner', await session.signInAs('risk-owner'));
}, 180_000);

afterAll(async () => {
  await session?.close();
}, 60_000);

/** Each page checked as `role` sees it (support.ts checkPages); the problems found. */
const checkPagesAs = (role: 'manager' | 'owner', pages: Record<string, string>) =>
  checkPages(session, signedIn.get(role)!, role, pages);

describe('the new pages at a desktop and a phone width', SLOW, () => {
  it('the ISMS manager: held mail, starting a cycle, an action with every form', async () => {
    expect(
      await checkPagesAs('manager', {
        'held-mail': '/held-mail',
        'start-cycle': '/start-cycle',
        'action-manage': `/actions/${improvement.id}`,
      }),
    ).toEqual([]);
  });

  it('the owner: their action with DONE, PROGRESS and EXTEND', async () => {
    expect(await checkPagesAs('owner', { action: `/actions/${corrective.id}` })).toEqual([]);
  });
});

describe('the ISMS manager acts', SLOW, () => {
  it('releases the held mail: the answer is recorded in the cycle', async () => {
    const page = await signedIn.get('manager')!.newPage();
    try {
      await page.setViewportSize(WIDTHS[1]);
      await page.goto(`${session.base}/`);
      await page.getByRole('link', { name: 'Held mail' }).click();
      await heading(page, 'Held mail');
      await page.getByRole('button', { name: /^Release the message from/ }).click();
      await heading(page, 'Held mail');
      expect(await page.getByRole('status').innerText()).toContain(`Released ${heldId}: accepted`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ARTIFACTS}/manager-held-mail-released-390.png`, fullPage: true });
    } finally {
      await page.close();
    }
    expect((await w.repo.getHeldMessage(heldId))?.status).toBe('released');
    expect((await w.repo.getInputRequest(w.cycleId, 'b'))?.status).toBe('SUBMITTED');
    expect((await w.repo.listEvents(w.cycleId)).map((e) => e.type)).toContain('mail.released');
  });

  it('answers the extension request for the chair, then updates the action, from the register', async () => {
    const page = await signedIn.get('manager')!.newPage();
    try {
      await page.goto(`${session.base}/actions`);
      await page.getByRole('link', { name: improvement.title }).click();
      await heading(page, `Action: ${improvement.title}`);
      await page.getByLabel('Answer', { exact: true }).nth(0).selectOption('approve');
      await page.getByLabel('Comment or reason (a refusal needs the reason)').fill('Agreed with the CISO');
      await page.getByRole('button', { name: 'Record the answer' }).click();
      await heading(page, `Action: ${improvement.title}`);
      expect(await page.getByRole('status').innerText()).toContain(
        'The answer to the extension request is recorded',
      );
      await page.getByLabel('New status').selectOption('in_progress');
      await page
        .getByLabel('Note (for done: what was done; for cancelled: the reason)')
        .fill('Supplier booked');
      await page.getByRole('button', { name: 'Update' }).click();
      await heading(page, `Action: ${improvement.title}`);
      expect(await page.getByRole('status').innerText()).toContain('The action is updated.');
    } finally {
      await page.close();
    }
    const action = (await w.repo.getAction(improvement.id))!;
    expect(action).toMatchObject({ status: 'in_progress', dueDate: '2027-07-31' });
    expect(action.history.slice(-2).map((h) => [h.by, h.source])).toEqual([
      ['ceo', { channel: 'web', signedInAs: 'alice' }],
      ['alice', { channel: 'web', signedInAs: 'alice' }],
    ]);
  });
});

describe('the owner acts', SLOW, () => {
  it('marks the action DONE with a link, at phone width: it awaits the confirmation of its closure', async () => {
    const page = await signedIn.get('owner')!.newPage();
    try {
      await page.setViewportSize(WIDTHS[1]);
      await page.goto(`${session.base}/actions`);
      await page.getByRole('link', { name: corrective.title }).click();
      await heading(page, `Action: ${corrective.title}`);
      await page.getByLabel('What was done').fill('Supplier access removed');
      await page.getByLabel('Link to the evidence (https://…)').fill('https://tickets.example.com/42');
      await page.getByRole('button', { name: 'Mark done' }).click();
      await heading(page, `Action: ${corrective.title}`);
      expect(await page.getByRole('status').innerText()).toContain('Marked done, with its evidence.');
      expect(await page.locator('main').innerText()).toContain('awaiting confirmation');
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ARTIFACTS}/owner-action-done-390.png`, fullPage: true });
    } finally {
      await page.close();
    }
    const action = (await w.repo.getAction(corrective.id))!;
    expect(action.status).toBe('done');
    expect(action.closureEvidence?.links).toEqual(['https://tickets.example.com/42']);
    expect(action.history.at(-1)?.source).toEqual({ channel: 'web', signedInAs: 'risk-owner' });
  });
});
