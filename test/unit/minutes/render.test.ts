/**
 * Accepted minutes drawn as HTML and PDF: every section is there, text from the minutes is
 * escaped, and each PDF page carries the cycle id and the minutes' hash.
 */
import { describe, it, expect } from 'vitest';
import { actionIdFor } from '#shared/model/ids.ts';
import { minutesHash, type MinutesRecord } from '#shared/model/minutes-record.ts';
import { minutesHtml, minutesPdf } from '#shared/minutes/render.ts';
import { validateMinutes } from '#shared/minutes/validate.ts';
import { BlobPackageStore } from '#shared/adapters/blob-package-store.ts';
import { MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import { pdfPages } from '../package/pdf-text.ts';
import { CYCLE_ID, theContext, VALID_MINUTES } from './support.ts';

const HOSTILE = '<script>alert(1)</script> & "quoted"';

function aRecord(): MinutesRecord {
  const result = validateMinutes(VALID_MINUTES, theContext());
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const content = result.minutes;
  return {
    cycleId: CYCLE_ID,
    programmeId: 'acme',
    version: 1,
    acceptedAt: '2026-10-30T10:00:00.000Z',
    submittedBy: 'alice',
    source: { channel: 'cli', fileName: 'minutes.yaml' },
    content: {
      ...content,
      assessment: { ...content.assessment, adequacy: { verdict: 'partly', rationale: HOSTILE } },
    },
    sourceText: VALID_MINUTES,
    sourceHash: minutesHash(VALID_MINUTES),
    actionIds: [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 2)],
  };
}

const context = { personName: (id: string) => (id === 'alice' ? 'Alice Adams' : undefined) };

describe('rendered minutes', () => {
  it('has every section in HTML and escapes what the minutes say', () => {
    const record = aRecord();
    const doc = minutesHtml(record, context);
    for (const title of [
      'Meeting',
      'Attendees',
      'Inputs considered',
      'Decisions',
      'Actions',
      'Results of the review (clause 9.3.3)',
      'Overall assessment',
    ])
      expect(doc).toContain(title);
    expect(doc).toContain('Phishing-resistant MFA for administrators becomes an ISMS control (D1).');
    expect(doc).toContain('A second security engineer is funded (D2).');
    for (const id of record.actionIds) expect(doc).toContain(id);
    for (const input of record.content.inputsConsidered) expect(doc).toContain(input.key);
    expect(doc).not.toContain('<script>');
    expect(doc).toContain('&lt;script&gt;');
    expect(doc).toContain(record.sourceHash);
  });

  it('names the organisation and the meeting date and time with the zone in words, in the HTML too', () => {
    const doc = minutesHtml(aRecord(), { ...context, organisation: 'Acme & Sons Ltd' });
    expect(doc).toContain(
      'Acme &amp; Sons Ltd: minutes of the management review of Thursday 29 October 2026',
    );
    expect(doc).toContain('Thursday 29 October 2026, 09:30 UK time');
    expect(doc).not.toContain('(Europe/London)');
  });

  it('draws a PDF whose every page names the cycle and the minutes hash', async () => {
    const record = aRecord();
    const pages = pdfPages(await minutesPdf(record, context));
    expect(pages.length).toBeGreaterThan(0);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(page).toContain(record.cycleId);
      expect(page).toContain(record.sourceHash);
    });
    expect(pages.join('\n')).toContain('Overall assessment of the ISMS');
  });

  it('is archived beside the package, each file with its hash, the same bytes each time', async () => {
    const blobs = new MemoryBlobStore();
    const store = new BlobPackageStore(blobs);
    const record = aRecord();
    const archived = await store.archiveMinutes(record, context);
    const base = `cycles/${CYCLE_ID}/minutes/v1`;
    expect(archived).toMatchObject({
      version: 1,
      htmlKey: `${base}/minutes.html`,
      pdfKey: `${base}/minutes.pdf`,
    });
    expect(sha256Of(await blobs.get(archived.htmlKey))).toBe(archived.htmlSha256);
    expect(sha256Of(await blobs.get(archived.pdfKey))).toBe(archived.pdfSha256);
    expect(blobs.contentTypeOf(archived.pdfKey)).toBe('application/pdf');
    expect(blobs.contentTypeOf(archived.htmlKey)).toBe('text/html; charset=utf-8');
    expect((await store.loadMinutesPdf(archived)).equals(await blobs.get(archived.pdfKey))).toBe(true);
    // Rendered again after a crash: the same files, so the hash recorded once holds for both.
    expect(await store.archiveMinutes(record, context)).toEqual(archived);
  });
});
