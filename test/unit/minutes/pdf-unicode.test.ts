/**
 * The minutes PDF in any script: attendees and action owners named in Polish, Czech, Greek and
 * Cyrillic copy back out of the PDF intact; a CJK name is replaced visibly and the document says so
 * once; the file is PDF/A-2b like the package.
 */
import { describe, expect, it } from 'vitest';
import { actionIdFor } from '#shared/model/ids.ts';
import { minutesHash, type MinutesRecord } from '#shared/model/minutes-record.ts';
import { minutesPdf } from '#shared/minutes/render.ts';
import { validateMinutes } from '#shared/minutes/validate.ts';
import { REPLACEMENT } from '#shared/package/pdf-glyphs.ts';
import { flat, pdfObjects, pdfPages } from '../package/pdf-text.ts';
import { CYCLE_ID, theContext, VALID_MINUTES } from './support.ts';

/** Attendees (ceo, cto, alice; ciso as proxy for cto) and action owners (ciso, auditor). */
const NAMES: Record<string, string> = {
  ceo: 'Νίκος Αλεξίου',
  cto: 'Jiří Dvořák',
  ciso: 'Олена Коваленко',
  alice: 'Małgorzata Wiśniewska',
  auditor: 'Łukasz Šťastný',
};

/** The fixture meeting (29 October 2026, 09:30, Europe/London) as the minutes name it. */
const MEETING_IN_WORDS = 'Thursday 29 October 2026, 09:30 UK time';

function aRecord(): MinutesRecord {
  const result = validateMinutes(VALID_MINUTES, theContext());
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return {
    cycleId: CYCLE_ID,
    programmeId: 'acme',
    version: 1,
    acceptedAt: '2026-10-30T10:00:00.000Z',
    submittedBy: 'alice',
    source: { channel: 'cli', fileName: 'minutes.yaml' },
    content: result.minutes,
    sourceText: VALID_MINUTES,
    sourceHash: minutesHash(VALID_MINUTES),
    actionIds: [actionIdFor(CYCLE_ID, 1), actionIdFor(CYCLE_ID, 2)],
  };
}

const textOf = async (names: Record<string, string>) =>
  pdfPages(await minutesPdf(aRecord(), { personName: (id) => names[id] })).map(flat);

describe('the minutes PDF', () => {
  it('names attendees and action owners in Polish, Czech, Greek and Cyrillic, intact', async () => {
    const pages = await textOf(NAMES);
    const text = pages.join('\n');
    for (const name of Object.values(NAMES)) expect(text).toContain(name);
    expect(text).toContain(`proxy for ${NAMES.cto}`);
    expect(text).not.toContain(REPLACEMENT);
    expect(text).not.toContain('About this PDF');
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
  }, 30_000);

  it('names the organisation, in its own script, and the meeting date and time with the zone in words', async () => {
    const organisation = 'Łódzka Spółka Ενέργειας Sp. z o.o.';
    const pdf = await minutesPdf(aRecord(), { personName: (id) => NAMES[id], organisation });
    const text = pdfPages(pdf).map(flat).join('\n');
    expect(text).toContain(`${organisation}: minutes of the management review`);
    expect(text).toContain(`Held ${MEETING_IN_WORDS}`);
    expect(text).not.toContain('(Europe/London)');
    expect(text).not.toContain(REPLACEMENT);
  }, 30_000);

  it('replaces a CJK name visibly and carries the note once', async () => {
    const text = (await textOf({ ...NAMES, auditor: '李小龍' })).join('\n');
    expect(text).toContain(REPLACEMENT.repeat(3));
    expect(text).not.toContain('李');
    expect(text.match(/About this PDF/g)).toHaveLength(1);
    expect(text).toContain('U+674E, U+5C0F, U+9F8D');
    for (const name of Object.values(NAMES).filter((n) => n !== NAMES.auditor)) expect(text).toContain(name);
  }, 30_000);

  it('is PDF/A-2b with its fonts embedded', async () => {
    const pdf = await minutesPdf(aRecord(), { personName: (id) => NAMES[id] });
    const objects = [...pdfObjects(pdf).values()];
    const xmp = objects.find((o) => /\/Subtype \/XML/.test(o.dict))?.stream?.toString('utf8') ?? '';
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(xmp).toContain('Minutes of the management review of ');
    const descriptors = objects.filter((o) => /\/Type \/FontDescriptor/.test(o.dict));
    expect(descriptors.length).toBeGreaterThan(0);
    for (const descriptor of descriptors) expect(descriptor.dict).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(pdf.toString('latin1')).not.toMatch(/\/BaseFont \/Helvetica/);
  }, 30_000);
});
