/**
 * An action closed on a file: the bundle holds the file under actions/<id>/, checked against the
 * hash the DONE event committed to, and actions.csv names it beside the links and the text.
 */
import { describe, expect, it } from 'vitest';
import { changeAction } from '#shared/actions/register.ts';
import { keepEvidenceFile } from '#shared/actions/closure-evidence.ts';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { readBundleZip } from '#shared/evidence/zip-reader.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { sha256Of } from '#shared/store/blob-store.ts';
import { memoryWorld } from '#test/support/memory-world.ts';
import { toFollowUp } from '../cycle/support.ts';

const CSV = Buffer.from('owner,deadline agreed\nciso,yes\nrisk-owner,yes\n', 'utf8');

describe('the evidence an action was closed on', () => {
  it('is in the bundle under actions/, verified against the DONE event, and listed in actions.csv', async () => {
    const w = await memoryWorld();
    await toFollowUp(w);
    const [action] = await w.repo.listActionsOfCycle(w.cycleId);
    const file = await keepEvidenceFile(w.evidence, {
      cycleId: w.cycleId,
      actionId: action!.id,
      name: 'deadlines.csv',
      content: CSV,
    });
    await changeAction(w.deps, {
      actionId: action!.id,
      by: action!.ownerId,
      source: { channel: 'cli' },
      command: {
        kind: 'done',
        evidence: 'Deadlines agreed with every owner: https://intranet.example.com/review/deadlines',
        attachments: [file],
      },
    });

    const { zip } = await buildEvidenceBundle(
      { repo: w.repo, outbox: w.outboxStore, evidence: w.evidence, rawMail: w.rawMail, clock: w.clock },
      w.cycleId,
    );
    const entries = readBundleZip(zip);
    const path = `actions/${action!.id}/deadlines.csv`;
    const kept = Buffer.from(entries.get(path) ?? []);
    expect(kept.equals(CSV)).toBe(true);
    expect(sha256Of(kept)).toBe(file.sha256);
    const csv = Buffer.from(entries.get('actions.csv')!).toString('utf8');
    expect(csv).toContain(path);
    expect(csv).toContain('https://intranet.example.com/review/deadlines');
    expect(verifyBundle(zip).ok).toBe(true);
    // The clause index names who approved the package and the minutes before they went out (7.5.2 c).
    const clauses = Buffer.from(entries.get('index/clauses.csv')!).toString('utf8');
    expect(clauses).toMatch(
      /approved before distribution \(7\.5\.2 c\): package v1 by Alice Morgan[^;]*; minutes v1 by /,
    );
  });
});
