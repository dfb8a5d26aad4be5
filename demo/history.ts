/**
 * A year of earlier reviews for the demo: four closed cycles of the same programme, one a quarter
 * before the cycle the demo runs, each with every input answered and figures that move the way real
 * ones do (some improve, some slip), so that the package's trends have something to say.
 *
 * Everything is written through the store ports, as the workflow writes it: the cycle with its input
 * requests (createCycle), each answer with the request it answers (recordSubmission), and the
 * summary a frozen package leaves for later reviews (putCycleSummary), built by the package code
 * from those very records. The package of the demo's cycle then reads this history exactly as it
 * reads real history. No mail is sent and no event is logged for these cycles: they are the past.
 */
import { DateTime } from 'luxon';
import type { Cycle, CycleType } from '#shared/model/cycle.ts';
import type { CycleSummary } from '#shared/model/cycle-summary.ts';
import { cycleIdFor, newSubmissionId } from '#shared/model/ids.ts';
import type { InputRequest, InputSubmission, Metric } from '#shared/model/input.ts';
import type { ProgrammeSnapshotRef } from '#shared/model/programme-ref.ts';
import { packageModel } from '#shared/package/content.ts';
import { summaryOf } from '#shared/package/history.ts';
import { contentHashOf } from '#shared/package/render.ts';
import { programmeCatalogue } from '#shared/programme/queries.ts';
import { inputRequestsFor } from '#shared/cycle/open-phase.ts';
import { cycleDates } from '#shared/programme/schedule.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';

/** How many earlier quarters the demo's history holds. */
export const EARLIER_REVIEWS = 4;

/**
 * Figures per catalogue field label, oldest review first: plausible, and moving both ways.
 * A field with no row here gets a gently moving series of its own (`drift`).
 */
const FIGURES: Readonly<Record<string, readonly number[]>> = {
  'Nonconformities opened': [7, 5, 6, 4],
  'Nonconformities closed': [3, 6, 4, 6],
  'Nonconformities overdue': [4, 3, 3, 2],
  'Measures reported': [6, 7, 7, 8],
  'Measures below target': [4, 3, 4, 3],
  'Patch compliance': [91, 94, 96, 97],
  'Audits held': [2, 3, 2, 3],
  'Audit findings major': [1, 0, 1, 0],
  'Audit findings minor': [6, 5, 3, 4],
  'Audit observations': [5, 4, 6, 4],
  'Complaints from customers': [4, 6, 3, 2],
  'Complaints from staff': [1, 2, 1, 1],
  'Feedback from regulators': [0, 1, 0, 0],
  'Feedback from other parties': [3, 2, 4, 3],
  'Risks above appetite': [5, 4, 4, 3],
  'Risk treatments late': [3, 2, 3, 1],
  'Risks accepted': [2, 2, 3, 3],
  'Improvement opportunities': [3, 5, 4, 2],
};

/** Figures some owners report beyond the catalogue's fields (d2's patch compliance). */
const EXTRA: Readonly<Record<string, readonly { name: string; unit: string }[]>> = {
  d2: [{ name: 'Patch compliance', unit: '%' }],
};

/** Objectives (input d4): actual result per review against a fixed target. */
const OBJECTIVES: readonly { name: string; unit: string; target: number; actual: readonly number[] }[] = [
  { name: 'Phishing click rate', unit: '%', target: 5, actual: [11.2, 9.4, 8.1, 6.8] },
  { name: 'Staff security training completed', unit: '%', target: 95, actual: [82, 88, 94, 97] },
  { name: 'Critical vulnerabilities fixed in 14 days', unit: '%', target: 90, actual: [84, 87, 91, 93] },
];

/** What each owner wrote, a different sentence each quarter (never a copy of the last answer). */
const SUMMARIES: readonly string[] = [
  'Quarter dominated by the office move; controls held, two findings from the move are being corrected.',
  'Steady quarter: the supplier review programme started and the first assessments are complete.',
  'Busy quarter with the ERP upgrade; figures slipped in places while the team supported the cut-over.',
  'Good progress: the backlog from the upgrade is mostly cleared and the new monitoring is in place.',
];

/** A series for a field the table does not know: small, deterministic, moving both ways. */
function drift(label: string): readonly number[] {
  const seed = [...label].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  const base = 2 + (seed % 9);
  return [0, 1, -1, 1].map((step, i) => Math.max(0, base + step * ((seed + i) % 3)));
}

function figuresFor(key: string, programme: Programme, index: number): Metric[] {
  const entry = programmeCatalogue(programme).find((input) => input.key === key);
  const metrics: Metric[] = (entry?.fields ?? []).map((field) => ({
    name: field.label,
    value: (FIGURES[field.label] ?? drift(field.label))[index]!,
    unit: field.unit,
  }));
  for (const extra of EXTRA[key] ?? []) {
    metrics.push({
      name: extra.name,
      value: (FIGURES[extra.name] ?? drift(extra.name))[index]!,
      unit: extra.unit,
    });
  }
  if (entry?.objectives) {
    for (const o of OBJECTIVES)
      metrics.push({ name: o.name, value: o.actual[index]!, unit: o.unit, target: o.target });
  }
  return metrics;
}

/** The review type the schedule holds at `at` (the October one is the comprehensive annual review). */
function reviewAt(
  programme: Programme,
  at: DateTime,
): { type: CycleType; comprehensive: boolean; meetingAfterDays: number } {
  const annual = programme.schedule.reviews.find((r) => r.type === 'annual');
  const quarterly =
    programme.schedule.reviews.find((r) => r.type === 'quarterly') ?? programme.schedule.reviews[0]!;
  const review = annual && at.month === 10 ? annual : quarterly;
  return {
    type: review.type,
    comprehensive: review.comprehensive,
    meetingAfterDays: review.meetingAfterDays,
  };
}

/**
 * Seeds the four reviews before `opensAt` (the opening of the demo's cycle). Returns the ids of the
 * cycles written, oldest first.
 */
export async function seedHistory(
  repo: ReviewRepository,
  programme: Programme,
  opensAt: Date,
  version: ProgrammeSnapshotRef,
): Promise<string[]> {
  const zone = programme.organisation.timeZone;
  const summaries: CycleSummary[] = [];
  const ids: string[] = [];
  const opening = DateTime.fromJSDate(opensAt, { zone });
  let previousMeeting: string | undefined;
  for (let index = 0; index < EARLIER_REVIEWS; index += 1) {
    const opened = opening.minus({ months: 3 * (EARLIER_REVIEWS - index) });
    const review = reviewAt(programme, opened);
    const dates = cycleDates(programme, review, opened.toJSDate());
    const id = cycleIdFor(review.type, opened.toJSDate());
    const meeting = DateTime.fromISO(dates.meetingAt, { zone });
    const at = (dt: DateTime) => dt.toUTC().toISO()!;
    const cycle: Cycle = {
      id,
      programmeId: version.programmeId,
      programme: { ...version },
      type: review.type,
      comprehensive: review.comprehensive,
      phase: 'CLOSED',
      status: 'closed',
      openedAt: at(opened),
      plannedMeetingAt: dates.meetingAt,
      inputsDueAt: dates.inputsDueAt,
      packageSendAt: dates.packageSendAt,
      heldAt: dates.meetingAt,
      packageSentAt: dates.packageSendAt,
      minutesApprovedAt: at(meeting.plus({ days: 2 })),
      closedAt: at(meeting.plus({ days: 45 })),
      createdAt: at(opened),
      updatedAt: at(meeting.plus({ days: 45 })),
      version: 1,
    };
    const periodCovered = {
      from: (previousMeeting
        ? DateTime.fromISO(previousMeeting, { zone })
        : opened.minus({ months: 3 })
      ).toISODate()!,
      to: opened.minus({ days: 1 }).toISODate()!,
    };
    const requests = inputRequestsFor(programme, {
      cycleId: id,
      programmeId: version.programmeId,
      periodCovered,
      requestedAt: at(opened),
      dueAt: dates.inputsDueAt,
    });
    const answered: InputRequest[] = [];
    const submissions: InputSubmission[] = [];
    await repo.createCycle(cycle, requests);
    for (const [n, request] of requests.entries()) {
      if (request.automatic || !request.ownerId) {
        answered.push(request);
        continue;
      }
      const receivedAt = opened.plus({ days: 3 + (n % 5), hours: n });
      const submission: InputSubmission = {
        id: newSubmissionId(receivedAt.toJSDate()),
        cycleId: id,
        programmeId: version.programmeId,
        inputKey: request.inputKey,
        submitterId: request.ownerId,
        kind: 'report',
        periodCovered,
        receivedAt: at(receivedAt),
        summary: `${request.title}: ${SUMMARIES[index]}`,
        metrics: figuresFor(request.inputKey, programme, index),
        attachments: [],
        source: { channel: 'cli', fileName: `${request.inputKey}-${opened.toISODate()}.txt` },
      };
      const now = { ...request, status: 'SUBMITTED' as const, submissionId: submission.id };
      await repo.recordSubmission(submission, now);
      submissions.push(submission);
      answered.push(now);
    }
    // The summary its frozen package left, built by the package code from the records just written.
    const model = packageModel({
      cycle,
      programme,
      requests: answered,
      submissions,
      openActions: [],
      earlier: summaries,
      now: new Date(dates.packageSendAt),
    });
    const contentHash = contentHashOf(model);
    const summary = summaryOf(model, { programmeId: version.programmeId, version: 1, contentHash });
    await repo.putCycleSummary(summary);
    const stored = await repo.getCycle(id);
    if (stored) await repo.updateCycle({ ...stored, packageHash: contentHash });
    summaries.push(summary);
    ids.push(id);
    previousMeeting = dates.meetingAt;
  }
  return ids;
}
