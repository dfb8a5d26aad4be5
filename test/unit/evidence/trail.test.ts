/**
 * What an auditor samples in a minute: trace.csv follows each input from request to reply to
 * package to minutes to action; index/clauses.csv and .md map each requirement (from the
 * catalogue) to the files that evidence it; each email is stored once; inputs/requests.csv says
 * what the package counted; and every CSV puts a name beside a person's id.
 */
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { reviewRequirements } from '#shared/catalogue/requirements.ts';
import { UTF8_BOM } from '#shared/evidence/csv.ts';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { sha256Of } from '#shared/store/blob-store.ts';
import { aTrailFixture, PEOPLE } from './trail-fixture.ts';

type Row = Record<string, string>;

/** A CSV of the bundle as rows (RFC 4180: quoted fields, doubled quotes, CRLF). */
function parseCsv(bytes: Uint8Array): Row[] {
  const text = strFromU8(bytes).replace(UTF8_BOM, '');
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\r')) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else {
      // CRLF: the end of a record.
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    }
  }
  const [header, ...rows] = records;
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

async function bundle() {
  const fixture = await aTrailFixture();
  const { zip, manifest } = await buildEvidenceBundle(fixture.source, fixture.cycle.id);
  const files = unzipSync(zip);
  const csv = (path: string) => parseCsv(files[path]!);
  return { fixture, zip, manifest, files, csv };
}

describe('trace.csv', () => {
  it('follows each input from request to reply to package to minutes to action, with names', async () => {
    const { fixture, files, csv } = await bundle();
    const rows = csv('trace.csv');
    expect(rows.map((r) => r.inputKey)).toEqual(['a', 'd1', 'd2', 'd4']);
    const d1 = rows.find((r) => r.inputKey === 'd1')!;
    const submission = fixture.records.submissions[0]!;
    expect(d1).toMatchObject({
      title: 'Nonconformities and corrective actions',
      ownerId: 'auditor',
      ownerName: 'Ann Auditor',
      requestSentAt: '2026-10-01T08:01:00.000Z',
      requestMail: 'mail/outbound/input-request_auditor.eml',
      replyReceivedAt: submission.receivedAt,
      replyMail: 'mail/inbound/0005-abc.eml',
      submissionId: submission.id,
      submissionRecord: `inputs/d1/${submission.id}.json`,
      requestStatus: 'SUBMITTED',
      packageStatus: 'provided',
      packageSection: 'package/v1/package.html section "d1) Nonconformities and corrective actions"',
      minutesOutcome: 'both closed; D1 makes sure',
      decisionRefs: 'D1',
      decisions: 'D1 (risk_treatment_approach) Re-audit both areas',
      actionIds: fixture.action.id,
      actionTitles: 'Close the two nonconformities for good',
      actionOwners: 'Grace Lindqvist (ciso)',
      actionStatuses: 'done',
      actionsClosedAt: '2026-11-10T09:00:00.000Z',
    });
    expect(rows.find((r) => r.inputKey === 'd2')).toMatchObject({
      ownerName: 'Grace Lindqvist',
      followUps: expect.stringContaining('reminder-1 2026-10-12T08:00:00.000Z'),
      replyMail: '',
      requestStatus: 'NOT_PROVIDED',
      packageStatus: 'not-provided',
      minutesOutcome: 'not provided',
    });
    // Every file the trace names is in the bundle.
    for (const row of rows) {
      for (const column of ['requestMail', 'replyMail', 'submissionRecord']) {
        for (const path of row[column]!.split('; ').filter((p) => p.includes('/'))) {
          expect(files[path], `${row.inputKey} ${column} ${path}`).toBeDefined();
        }
      }
    }
  });

  it('says an automatic input is provided by the system, as the package counts it, in requests.csv too', async () => {
    const { csv } = await bundle();
    expect(csv('trace.csv').find((r) => r.inputKey === 'a')).toMatchObject({
      ownerId: '',
      ownerName: '(nobody: filled by the system from the action register)',
      requestMail: '(automatic: nobody is asked)',
      requestStatus: 'PROVIDED_AUTOMATICALLY',
      packageStatus: 'provided',
    });
    const requests = csv('inputs/requests.csv');
    expect(requests.find((r) => r.inputKey === 'a')).toMatchObject({
      automatic: 'true',
      status: 'PROVIDED_AUTOMATICALLY',
      packageStatus: 'provided',
      requestedAt: '',
    });
    // Every request says what the package counted, in words that agree.
    const agrees: Record<string, string> = {
      SUBMITTED: 'provided',
      PROVIDED_AUTOMATICALLY: 'provided',
      NOTHING_TO_REPORT: 'nothing-to-report',
      NOT_PROVIDED: 'not-provided',
    };
    for (const row of requests) expect(agrees[row.status!], row.inputKey).toBe(row.packageStatus);
  });
});

describe('each email stored once', () => {
  it('keeps an email that answered two inputs once, under mail/inbound/, and both point to it', async () => {
    const { fixture, files, csv, zip } = await bundle();
    const raw = await fixture.rawMail.get('inbound/abc');
    const copies = Object.entries(files).filter(([, body]) => sha256Of(Buffer.from(body)) === sha256Of(raw));
    expect(copies.map(([path]) => path)).toEqual(['mail/inbound/0005-abc.eml']);
    expect(Object.keys(files).filter((path) => path.startsWith('inputs/') && path.endsWith('.eml'))).toEqual(
      [],
    );
    const submissions = csv('inputs/submissions.csv');
    expect(submissions.map((s) => [s.inputKey, s.mail, s.submitterName])).toEqual([
      ['d1', 'mail/inbound/0005-abc.eml', 'Ann Auditor'],
      ['d4', 'mail/inbound/0005-abc.eml', 'Ann Auditor'],
    ]);
    expect(verifyBundle(zip).problems).toEqual([]);
  });
});

describe('the clause index', () => {
  it('has one row per requirement of the catalogue, each mapped to files of the bundle', async () => {
    const { files, csv } = await bundle();
    const rows = csv('index/clauses.csv');
    expect(rows.map((r) => r.clause)).toEqual(reviewRequirements(['iso27001']).map((r) => r.clause));
    expect(rows.map((r) => r.clause)).toEqual([
      '9.3.1',
      '9.3.2 a)',
      '9.3.2 b)',
      '9.3.2 c)',
      '9.3.2 d)',
      '9.3.2 d) 1)',
      '9.3.2 d) 2)',
      '9.3.2 d) 3)',
      '9.3.2 d) 4)',
      '9.3.2 e)',
      '9.3.2 f)',
      '9.3.2 g)',
      '9.3.3',
      '7.5',
    ]);
    const unlisted = new Set(['manifest.json', 'manifest.sig', 'anchor-key.pem']);
    for (const row of rows) {
      for (const path of row.evidence!.split('; ').filter(Boolean)) {
        expect(files[path] !== undefined || unlisted.has(path), `${row.clause}: ${path}`).toBe(true);
      }
    }
    const byClause = new Map(rows.map((r) => [r.clause, r]));
    const d1 = byClause.get('9.3.2 d) 1)')!;
    expect(d1.status).toBe('d1: provided');
    expect(d1.evidence!.split('; ')).toEqual(
      expect.arrayContaining([
        'trace.csv',
        'mail/outbound/input-request_auditor.eml',
        'mail/inbound/0005-abc.eml',
        'package/v1/model.json',
        'minutes/v1/minutes.json',
        'minutes/decisions.csv',
        'actions.csv',
      ]),
    );
    expect(byClause.get('9.3.2 d)')).toMatchObject({
      inputKeys: 'd1; d2; d3; d4',
      status: expect.stringContaining('d3: not requested'),
    });
    expect(byClause.get('9.3.2 b)')!.status).toBe('b: not requested in this cycle');
    expect(byClause.get('9.3.1')!.status).toMatch(/^held /);
    expect(byClause.get('9.3.3')!.evidence).toContain('minutes/decisions.csv');
    expect(byClause.get('7.5')!.evidence).toContain('events.jsonl');
  });

  it('reads as Markdown with a link to each file', async () => {
    const { files } = await bundle();
    const md = strFromU8(files['index/clauses.md']!);
    expect(md).toContain(
      '| 9.3.2 d) 1) | nonconformities and corrective actions (input d1) | d1: provided |',
    );
    for (const [, target] of md.matchAll(/\]\(<\.\.\/([^>]+)>\)/g)) {
      expect(
        files[target!] !== undefined || ['manifest.json', 'manifest.sig', 'anchor-key.pem'].includes(target!),
        target,
      ).toBe(true);
    }
  });
});

describe('names beside ids', () => {
  it('gives every column of person ids a column of names, in every CSV of the bundle', async () => {
    const { files, csv } = await bundle();
    const ids = new Set(PEOPLE.map((p) => p.id));
    const names = new Set(PEOPLE.map((p) => p.name));
    let checked = 0;
    for (const path of Object.keys(files).filter((p) => p.endsWith('.csv'))) {
      const rows = csv(path);
      const columns = Object.keys(rows[0] ?? {});
      for (const column of columns) {
        const values = rows.map((r) => r[column]!).filter(Boolean);
        if (values.length === 0 || !values.every((v) => ids.has(v))) continue;
        const nameColumn = columns.find(
          (c) => c !== column && rows.every((r) => !r[column] || names.has(r[c]!)),
        );
        expect(nameColumn, `${path}: ${column} has ids without names`).toBeDefined();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
