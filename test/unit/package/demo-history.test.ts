/**
 * The demo's year of earlier reviews (demo/history.ts), written through the store ports to the
 * in-memory store: four closed cycles whose summaries the package of the next cycle reads, so its
 * trends span five reviews, exactly as they would with real history.
 */
import { describe, expect, it } from 'vitest';
import { seedHistory, EARLIER_REVIEWS } from '../../../demo/history.ts';
import { openCycle } from '#shared/cycle/open-phase.ts';
import { buildPackageModel } from '#shared/cycle/package-phase.ts';
import { newSubmissionId } from '#shared/model/ids.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import { packageOutline } from '#shared/package/outline.ts';
import { packageText } from '#shared/package/text.ts';
import { currentProgramme } from '#shared/store/stored-programme.ts';
import { memoryWorld, OPENED, MEETING, DAY } from '#test/support/memory-world.ts';

describe('the demo history', () => {
  it('seeds four closed quarterly reviews whose figures the next package follows as trends', async () => {
    const w = await memoryWorld({ open: false });
    const programmeId = w.programme.organisation.id;
    const { stored } = await currentProgramme(w.repo, programmeId);
    const ids = await seedHistory(w.repo, w.programme, OPENED, snapshotRefOf(stored));
    expect(ids).toHaveLength(EARLIER_REVIEWS);
    for (const id of ids) {
      const cycle = (await w.repo.getCycle(id))!;
      expect(cycle).toMatchObject({ phase: 'CLOSED', status: 'closed' });
      expect(cycle.packageHash).toMatch(/^[0-9a-f]{64}$/);
      const requests = await w.repo.listInputRequests(id);
      expect(requests.filter((r) => !r.automatic).every((r) => r.status === 'SUBMITTED')).toBe(true);
    }
    const summaries = await w.repo.listCycleSummaries(programmeId, { before: MEETING });
    expect(summaries.map((s) => s.cycleId).sort()).toEqual([...ids].sort());
    // Figures move both ways: nonconformities opened go 7, 5, 6, 4.
    const opened = [...summaries]
      .sort((a, b) => a.plannedMeetingAt.localeCompare(b.plannedMeetingAt))
      .map((s) => s.figures.d1?.find((m) => m.name === 'Nonconformities opened')?.value);
    expect(opened).toEqual([7, 5, 6, 4]);

    // The next cycle opens after them and covers the period since the last one's meeting.
    await openCycle(w.deps, {
      executionName: w.cycleId,
      request: { programmeId, type: 'quarterly', meetingAt: MEETING },
    });
    const request = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const last = summaries.reduce((a, b) => (a.plannedMeetingAt > b.plannedMeetingAt ? a : b));
    expect(request.periodCovered.from).toBe(last.plannedMeetingAt.slice(0, 10));
    const receivedAt = new Date(OPENED.getTime() + 2 * DAY);
    const submission = {
      id: newSubmissionId(receivedAt),
      cycleId: w.cycleId,
      programmeId,
      inputKey: 'd1',
      submitterId: request.ownerId!,
      kind: 'report' as const,
      periodCovered: request.periodCovered,
      receivedAt: receivedAt.toISOString(),
      summary: 'Three nonconformities were raised this quarter and six closed, most from the ERP upgrade.',
      metrics: [
        { name: 'Nonconformities opened', value: 3, unit: 'count' },
        { name: 'Nonconformities closed', value: 6, unit: 'count' },
        { name: 'Nonconformities overdue', value: 2, unit: 'count' },
      ],
      attachments: [],
      source: { channel: 'cli' as const },
    };
    await w.repo.recordSubmission(submission, {
      ...request,
      status: 'SUBMITTED',
      submissionId: submission.id,
    });

    const model = await buildPackageModel(w.repo, w.cycleId, new Date(OPENED.getTime() + 20 * DAY));
    expect(model.previousReview?.cycleId).toBe(last.cycleId);
    const series = model.trends.series.find((s) => s.metric === 'Nonconformities opened')!;
    expect(series.points.map((p) => p.value)).toEqual([7, 5, 6, 4, 3]);
    expect(series.direction).toBe('better');
    expect(model.trends.charts.find((c) => c.inputKey === 'd1')!.title).toBe(request.title);
    const text = packageText(packageOutline(model, 'a'.repeat(64)));
    expect(text).toContain('5 reviews: 7 → 5 → 6 → 4 → 3');
  });
});
