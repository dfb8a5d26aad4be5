/**
 * The package steps of a cycle against the emulators (DynamoDB Local, local S3, local SES): the
 * completeness gate holds the package while an input may still arrive and lets it go at the
 * deadline with that input NOT PROVIDED; the frozen package (HTML, text, PDF, charts, manifest)
 * lies in the evidence bucket with its hash and input versions; a late input makes a new version
 * and the version distributed is recorded; the email carries the PDF, the charts inline and a
 * calendar invitation; the per-cycle summary is written for later reviews.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { StoredPackage } from '#shared/cycle/ports.ts';
import { checkInputs, compilePackage, distributePackage } from '#shared/cycle/service.ts';
import { writeFrozenPackage } from '#shared/package/render.ts';
import { FileSigner } from '#shared/adapters/file-signer.ts';
import { anchorKeyOf, formatFingerprint } from '#shared/evidence/signer.ts';
import { moveMeeting } from '#shared/cycle/meeting.ts';
import { newSubmissionId } from '#shared/model/ids.ts';
import type { InputRequest, InputSubmission } from '#shared/model/input.ts';
import { approvePackage, cycleWorld } from '#test/support/cycle-world.ts';
import { theProgramme } from '#test/unit/package/fixtures.ts';
import { pdfPages } from '#test/unit/package/pdf-text.ts';

async function world() {
  const { deps, repo, clock, evidence, outboxStore, programme, cycleId, anchorKeyPem } = await cycleWorld(
    'package',
    {
      programme: theProgramme(),
      uniqueEmails: true,
    },
  );
  const answer = async (request: InputRequest, metrics: InputSubmission['metrics'] = []) => {
    const now = clock.now();
    const submission: InputSubmission = {
      id: newSubmissionId(now),
      cycleId,
      programmeId: request.programmeId,
      inputKey: request.inputKey,
      submitterId: request.ownerId!,
      kind: 'report',
      periodCovered: request.periodCovered,
      receivedAt: now.toISOString(),
      summary: `Report for ${request.inputKey}: <b>not bold</b>`,
      metrics,
      attachments: [],
      source: { channel: 'cli' },
    };
    await repo.recordSubmission(
      submission,
      { ...request, status: 'SUBMITTED', submissionId: submission.id },
      {
        event: {
          type: 'input.submitted',
          at: now.toISOString(),
          actor: request.ownerId!,
          data: { inputKey: request.inputKey },
        },
      },
    );
  };
  const packageMails = async () =>
    (await outboxStore.listSent(cycleId)).filter((m) => m.purpose === 'package');
  return { deps, repo, clock, evidence, programme, cycleId, answer, packageMails, anchorKeyPem };
}

const FIGURES: Record<string, InputSubmission['metrics']> = {
  d1: [
    { name: 'Nonconformities opened', value: 4, unit: 'count' },
    { name: 'Nonconformities closed', value: 6, unit: 'count' },
  ],
  d2: [{ name: 'Patch compliance', value: 96, unit: '%' }],
  f: [{ name: 'High risks', value: 3, unit: 'count' }],
};

describe('the package step', () => {
  it('waits for a missing input, goes ahead at the deadline with it NOT PROVIDED, and sends the frozen package', async () => {
    const w = await world();
    const requests = await w.repo.listInputRequests(w.cycleId);
    for (const request of requests.filter((r) => !r.automatic && r.inputKey !== 'd3')) {
      await w.answer(request, FIGURES[request.inputKey]);
    }
    const cycle = (await w.repo.getCycle(w.cycleId))!;

    // Before the deadline: the gate holds, nothing is built or sent.
    w.clock.set(new Date(Date.parse(cycle.inputsDueAt) - 3_600_000));
    expect((await checkInputs(w.deps, w.cycleId)).proceed).toBe(false);
    await expect(compilePackage(w.deps, w.cycleId)).rejects.toMatchObject({
      name: 'PackageNotReady',
      message: expect.stringMatching(/input d3 \(Audit results\) may still arrive until/),
    });
    await distributePackage(w.deps, w.cycleId);
    expect((await w.repo.getCycle(w.cycleId))!.phase).toBe('AWAITING_INPUTS');
    expect(await w.packageMails()).toEqual([]);

    // At the deadline: d3 is NOT PROVIDED, and the package goes.
    w.clock.set(new Date(Date.parse(cycle.inputsDueAt) + 60_000));
    expect(await checkInputs(w.deps, w.cycleId)).toMatchObject({ proceed: true, missing: ['d3'] });
    await compilePackage(w.deps, w.cycleId);
    const compiled = (await w.repo.getCycle(w.cycleId))!;
    expect(compiled.phase).toBe('AWAITING_DISTRIBUTION');
    w.clock.set(new Date(compiled.packageSendAt));
    // Not before the ISMS manager approved it.
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ packageApproved: false });
    expect(await w.packageMails()).toEqual([]);
    expect(await approvePackage(w)).toBe(1);
    await distributePackage(w.deps, w.cycleId);
    await distributePackage(w.deps, w.cycleId); // a retry sends nothing twice

    const sent = await w.packageMails();
    expect(sent).toHaveLength(1);
    const events = await w.repo.listEvents(w.cycleId);
    const built = events.filter((e) => e.type === 'package.built');
    expect(built).toHaveLength(1);
    const stored = built[0]!.data as unknown as StoredPackage;
    const distributed = events.find((e) => e.type === 'package.distributed')!;
    expect(distributed.data).toMatchObject({ version: 1, sha256: stored.sha256 });
    expect((await w.repo.getCycle(w.cycleId))!.packageHash).toBe(stored.sha256);

    // Frozen in the evidence bucket: the manifest names the hash, the input versions and every file.
    const manifest = JSON.parse((await w.evidence.get(stored.manifestKey!)).toString('utf8'));
    expect(manifest.contentHash).toBe(stored.sha256);
    expect(manifest.inputVersions.d3).toBeNull();
    expect(manifest.inputVersions.d1).toMatch(/^S-/);
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining(['package.html', 'email.html', 'package.txt', 'package.pdf', 'model.json']),
    );

    // The email as sent: text and HTML, the PDF, the charts inline by cid, the invitation.
    const raw = await w.evidence.get(sent[0]!.rawKey!);
    const mail = await simpleParser(raw, { keepCidLinks: true });
    expect(mail.text).toMatch(/Audit results \[NOT PROVIDED\]/);
    expect(mail.text).toMatch(
      /P\d — Decide how the review covers this missing input \(owner: [^,]+, from input d3 Audit results\)/,
    );
    expect(mail.html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    // The witness: the anchoring key's fingerprint, in the text, the HTML and a header.
    const fingerprint = formatFingerprint((await anchorKeyOf(new FileSigner(w.anchorKeyPem))).fingerprint);
    expect(mail.text).toContain(`signed by the key ${fingerprint}`);
    expect(String(mail.html)).toContain(`signed by the key ${fingerprint}`);
    expect(mail.headers.get('x-isms-review-evidence-key')).toBe(fingerprint);
    const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf')!;
    expect(pdf.filename).toBe(`review-package-${w.cycleId}-v1.pdf`);
    // The hash once, in "About this document" at the end; no page footer carries it.
    const pages = pdfPages(pdf.content);
    expect(pages.join('\n').split(stored.sha256)).toHaveLength(2);
    expect(pages.find((page) => page.includes(stored.sha256))).toContain('About this document');
    // A first review: no figure has two points yet, so no chart is drawn (a chart of one bar says nothing).
    const images = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toEqual([]);
    expect(String(mail.html)).not.toContain('cid:');
    const ics = await calendarOf(raw);
    expect(ics).toMatch(/METHOD:REQUEST/);
    expect(ics).toMatch(/DTSTART;TZID=Europe\/London:20270329T100000/);
    expect(ics).toContain(`UID:${w.cycleId}@example.com`);
    expect(sent[0]!.recipients.length).toBeGreaterThanOrEqual(3);

    // The summary later reviews read their trends from.
    const summaries = await w.repo.listCycleSummaries(w.programme.organisation.id);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ cycleId: w.cycleId, packageHash: stored.sha256, packageVersion: 1 });
    expect(summaries[0]!.inputStatus.d3).toBe('not-provided');
    expect(summaries[0]!.figures.d1).toHaveLength(2);

    // The meeting moves: every attendee gets an updated invitation, same UID, higher SEQUENCE, once.
    const movedTo = '2027-03-31T13:00:00.000Z';
    expect(await moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: movedTo, by: 'alice' })).toMatchObject({
      sequence: 1,
    });
    await moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: movedTo, by: 'alice' });
    await expect(
      moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: '2027-01-01T09:00:00Z', by: 'alice' }),
    ).rejects.toMatchObject({ name: 'MeetingCannotMove' });
    const updates = (await w.packageMails()).filter((m) => m.key.startsWith('meeting:'));
    expect(updates.map((m) => m.key)).toEqual(['meeting:seq1']);
    const update = await calendarOf(await w.evidence.get(updates[0]!.rawKey!));
    expect(update).toContain(`UID:${w.cycleId}@example.com`);
    expect(update).toMatch(/SEQUENCE:1\r\n/);
    expect(ics).toMatch(/SEQUENCE:0\r\n/);
    expect(update).toMatch(/DTSTART;TZID=Europe\/London:20270331T140000/);
    expect((await w.repo.getCycle(w.cycleId))!.plannedMeetingAt).toBe(movedTo);

    // What the demo writes: the frozen files, their "about this document" hash the recorded one (on
    // the last page only: the footers carry page numbers, not hashes).
    const dir = await mkdtemp(join(tmpdir(), 'package-'));
    const written = await writeFrozenPackage({ blobs: w.evidence, cycleId: w.cycleId, dir });
    expect(written).toMatchObject({ version: 1, contentHash: stored.sha256 });
    const file = pdfPages(await readFile(join(dir, 'package.pdf')));
    expect(file.at(-1)).toContain(stored.sha256);
    expect(file.slice(0, -1).some((page) => page.includes(stored.sha256))).toBe(false);
    // A first review: nothing earlier to chart (a chart needs two points), and it says so once.
    const html = await readFile(join(dir, 'package.html'), 'utf8');
    expect(html).not.toContain('src="data:image/png;base64,');
    expect(html.match(/First review: nothing earlier to compare with/g)).toHaveLength(1);
  }, 90_000);

  it('rebuilds a new version when an input arrives after the package was built, and distributes that one', async () => {
    const w = await world();
    const requests = await w.repo.listInputRequests(w.cycleId);
    for (const request of requests.filter((r) => !r.automatic && r.inputKey !== 'd3'))
      await w.answer(request);
    const cycle = (await w.repo.getCycle(w.cycleId))!;
    w.clock.set(new Date(Date.parse(cycle.inputsDueAt) + 60_000));
    await checkInputs(w.deps, w.cycleId);
    await compilePackage(w.deps, w.cycleId);

    // The auditor's answer arrives late, before the package goes out.
    const late = (await w.repo.getInputRequest(w.cycleId, 'd3'))!;
    expect(late.status).toBe('NOT_PROVIDED');
    await w.answer(late, [{ name: 'Major findings', value: 0, unit: 'count' }]);
    w.clock.set(new Date(cycle.packageSendAt));
    // The approval is asked for the version with the late input in it.
    expect(await approvePackage(w)).toBe(2);
    await distributePackage(w.deps, w.cycleId);

    const events = await w.repo.listEvents(w.cycleId);
    const built = events
      .filter((e) => e.type === 'package.built')
      .map((e) => e.data as unknown as StoredPackage & { rebuiltFor?: string[] });
    expect(built.map((b) => b.version)).toEqual([1, 2]);
    expect(built[1]!.rebuiltFor).toEqual(['d3']);
    expect(built[1]!.sha256).not.toBe(built[0]!.sha256);
    expect(built[1]!.inputVersions.d3).toMatch(/^S-/);
    expect(events.find((e) => e.type === 'package.distributed')!.data).toMatchObject({
      version: 2,
      sha256: built[1]!.sha256,
    });
    expect((await w.repo.getCycle(w.cycleId))!.packageHash).toBe(built[1]!.sha256);
    // Both versions stay frozen.
    for (const b of built) await expect(w.evidence.get(b.manifestKey!)).resolves.toBeInstanceOf(Buffer);
    const sent = await w.packageMails();
    expect(sent.map((m) => m.key)).toEqual(['package:v2']);
    const text = (await w.evidence.get(built[1]!.textKey)).toString('utf8');
    expect(text).not.toMatch(/Audit results \[NOT PROVIDED\]/);
    const [summary] = await w.repo.listCycleSummaries(w.programme.organisation.id);
    expect(summary!.packageVersion).toBe(2);
    // A stale writer (an older version) never replaces the newer summary.
    await w.repo.putCycleSummary({ ...summary!, packageVersion: 1, packageHash: built[0]!.sha256 });
    expect((await w.repo.listCycleSummaries(w.programme.organisation.id))[0]!.packageHash).toBe(
      built[1]!.sha256,
    );
  }, 90_000);
});

/** The invitation an email carries, decoded (it is quoted-printable once a name is outside ASCII). */
async function calendarOf(raw: Buffer): Promise<string> {
  const parsed = await simpleParser(raw);
  const part = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) throw new Error('the email carries no text/calendar part');
  return part.content.toString('utf8');
}
