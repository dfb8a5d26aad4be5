import { describe, expect, it } from 'vitest';
import { packageModel } from '#shared/package/content.ts';
import { completeness } from '#shared/cycle/package-gate.ts';
import { summaryOf } from '#shared/package/history.ts';
import { directionOf, higherIsBetter } from '#shared/package/trends.ts';
import { packageOutline } from '#shared/package/outline.ts';
import { packageSources, NOW } from './fixtures.ts';

describe('the package model', () => {
  const sources = packageSources();
  const model = packageModel(sources);

  it('shows every requested input, flags the one not provided, keeps reasons, figures and attachments', () => {
    expect(model.inputs.map((i) => i.inputKey)).toEqual(sources.requests.map((r) => r.inputKey));
    const byKey = new Map(model.inputs.map((i) => [i.inputKey, i]));
    expect(byKey.get('e')!.status).toBe('not-provided');
    expect(byKey.get('c')!.status).toBe('nothing-to-report');
    expect(byKey.get('c')!.text).toMatch(/No interested party/);
    expect(byKey.get('a')!.automatic).toBe(true);
    expect(byKey.get('d3')!.attachments).toEqual([
      { name: 'audit-report-Q4.pdf', size: 183_204, sha256: 'c'.repeat(64) },
    ]);
    expect(byKey.get('g')!.late).toBe(true);
    expect(byKey.get('d1')!.figures).toContainEqual({
      name: 'Nonconformities opened',
      value: 3,
      unit: 'count',
      previous: 5,
    });
    for (const input of model.inputs) expect(input.clauses.join(' ')).toMatch(/9\.3/);
  });

  it('sorts earlier actions into overdue (age, escalation level), open, closed since the last review and checks due', () => {
    expect(model.actions.overdue).toHaveLength(1);
    expect(model.actions.overdue[0]).toMatchObject({ title: 'Encrypt the backup tapes', escalationLevel: 3 });
    expect(model.actions.overdue[0]!.daysOverdue).toBe(57);
    expect(model.actions.open.map((a) => a.title)).toEqual(['Train the service desk on phishing reports']);
    expect(model.actions.effectivenessChecksDue).toHaveLength(1);
    expect(model.actions.effectivenessChecksDue[0]).toMatchObject({ checkDue: '2027-02-15' });
    expect(model.actions.closedSinceLastReview.map((a) => a.title)).toEqual([
      'Renew the supplier security clauses',
    ]);
  });

  it('collects the items for decision automatically, plus the ones owners flagged, numbered in agenda order', () => {
    expect(model.decisions.map((d) => [d.id, d.label, d.source, d.inputKey])).toEqual([
      ['P1', 'Proposal P1', 'stalled-risk-treatment', 'f'],
      ['P2', 'Proposal P2', 'objective-off-track', 'd4'],
      ['P3', 'Proposal P3', 'owner-flagged', 'b'],
      ['P4', 'Proposal P4', 'overdue-action', 'a'],
      ['P5', 'Proposal P5', 'missing-input', 'e'],
    ]);
    expect(model.decisions[2]!.title).toBe('Approve the budget for a second SOC analyst');
  });

  it('follows d1-d4 and f across the earlier reviews, with a direction and charts', () => {
    const keys = new Set(model.trends.series.map((s) => s.inputKey));
    expect([...keys].sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'f']);
    const opened = model.trends.series.find((s) => s.metric === 'Nonconformities opened')!;
    expect(opened.points.map((p) => p.value)).toEqual([6, 4, 5, 3]);
    expect(opened.direction).toBe('better');
    expect(model.trends.series.find((s) => s.metric === 'Objectives met')!.direction).toBe('worse');
    expect(model.trends.charts.length).toBeGreaterThanOrEqual(5);
    expect(model.trends.charts.map((c) => c.kind)).toContain('line');
    expect(model.trends.charts.map((c) => c.kind)).toContain('bar');
    for (const chart of model.trends.charts) expect(chart.alt).toMatch(/chart over \d+ review/);
    expect(model.trends.overall.verdict).toMatch(/^Improving/);
  });

  it('writes a one-page summary: decisions, changes since the last review, the overall trend', () => {
    expect(model.summary.decisions).toHaveLength(model.decisions.length);
    expect(model.summary.changes).toContain('Objectives met (input d4): 80 % → 78 %, worse.');
    expect(model.summary.counts).toMatchObject({
      inputs: 10,
      notProvided: 1,
      nothingToReport: 1,
      overdueActions: 1,
    });
  });

  it('proposes an agenda with times, built around the decisions, ending with the overall assessment', () => {
    expect(model.agenda[0]!.start).toBe(sources.cycle.plannedMeetingAt);
    for (let i = 1; i < model.agenda.length; i += 1) {
      const before = model.agenda[i - 1]!;
      expect(Date.parse(model.agenda[i]!.start)).toBe(Date.parse(before.start) + before.minutes * 60_000);
    }
    const decided = model.agenda.flatMap((item) => item.decisionIds);
    expect(decided.sort()).toEqual(model.decisions.map((d) => d.id).sort());
    // Each input once, each proposal once.
    const keys = model.agenda.flatMap((item) => item.inputKeys);
    expect([...keys].sort()).toEqual(model.inputs.map((i) => i.inputKey).sort());
    expect(new Set(decided).size).toBe(decided.length);
    expect(model.agenda.find((i) => i.decisionIds.includes('P4'))!.inputKeys).toEqual(['a']);
    expect(model.agenda.find((i) => i.decisionIds.includes('P3'))!.title).toBe(
      'Proposal P3: Approve the budget for a second SOC analyst',
    );
    expect(model.agenda[0]!.title).toMatch(/minutes of the previous review/);
    expect(model.agenda.at(-2)!.title).toMatch(/suitability, adequacy, effectiveness and alignment/);
    const total = model.agenda.reduce((sum, item) => sum + item.minutes, 0);
    expect(total).toBe(90);
  });

  it('records the exact input versions it was built from', () => {
    for (const request of sources.requests) {
      expect(model.inputVersions[request.inputKey]).toBe(
        request.automatic ? null : (request.submissionId ?? null),
      );
    }
  });

  it('traces every outline section to its inputs', () => {
    const outline = packageOutline(model, 'f'.repeat(64));
    expect(outline.sections.map((s) => s.id)).toEqual([
      'sheet',
      'agenda',
      'actions',
      'trends',
      'inputs',
      'about',
    ]);
    expect(outline.sections.find((s) => s.id === 'actions')!.inputKeys).toEqual(['a']);
    expect(outline.sections.find((s) => s.id === 'trends')!.inputKeys).toEqual([
      'a',
      'd1',
      'd2',
      'd3',
      'd4',
      'f',
    ]);
  });

  it('with no earlier review, sets a baseline instead of inventing a trend', () => {
    const first = packageModel({ ...sources, earlier: [], openActions: [] });
    expect(first.trends.overall.verdict).toMatch(/baseline/);
    expect(first.summary.changes).toEqual(['First review: nothing earlier to compare with.']);
    expect(first.trends.charts).toEqual([]);
    expect(first.agenda[0]!.title).toMatch(/first review: no earlier minutes/);
    expect(first.actions.closedSinceLastReview).toEqual([]);
    expect(first.previousReview).toBeUndefined();
  });

  it('leaves a summary for later reviews that they can read trends from', () => {
    const summary = summaryOf(model, {
      programmeId: sources.cycle.programmeId,
      version: 1,
      contentHash: 'e'.repeat(64),
    });
    expect(summary.figures.d1).toHaveLength(2);
    expect(summary.inputStatus.e).toBe('not-provided');
    expect(summary.openActions.map((a) => a.title)).toContain('Encrypt the backup tapes');
    const next = packageModel({
      ...sources,
      cycle: { ...sources.cycle, id: 'C-20270404T0800Z-Q', plannedMeetingAt: '2027-05-01T08:00:00.000Z' },
      earlier: [...sources.earlier, summary],
      openActions: [],
      now: new Date('2027-04-25T08:00:00Z'),
    });
    expect(next.previousReview?.cycleId).toBe(sources.cycle.id);
    expect(next.actions.closedSinceLastReview.map((a) => a.title)).toEqual(
      expect.arrayContaining(['Encrypt the backup tapes', 'Train the service desk on phishing reports']),
    );
  });
});

describe('the agenda', () => {
  it('runs longer than planned rather than cutting a decision short, and keeps its minimum for the rest', async () => {
    const { proposedAgenda } = await import('#shared/package/agenda.ts');
    const many = Array.from({ length: 12 }, (_, i) => ({
      id: `P${i + 1}`,
      label: `Proposal P${i + 1}`,
      source: 'owner-flagged' as const,
      title: `Item ${i + 1}`,
      reason: 'asked',
      inputKey: 'b',
      inputTitle: 'Changes in external and internal issues',
      owner: 'Someone',
      options: [],
    }));
    const agenda = proposedAgenda({
      start: '2027-02-01T09:00:00.000Z',
      durationMinutes: 60,
      decisions: many,
      inputs: [],
    });
    const total = agenda.reduce((sum, item) => sum + item.minutes, 0);
    // Opening, twelve proposals, trends by exception (its minimum), assessment, close: no input a here.
    expect(total).toBe(5 + 120 + 10 + 10 + 5);
    const proposals = agenda.filter((item) => item.decisionIds.length);
    expect(proposals).toHaveLength(12);
    for (const item of proposals) expect(item.minutes).toBe(10);
    // The input the proposals come from is listed once, with the first of them.
    expect(agenda.flatMap((item) => item.inputKeys)).toEqual(['b']);
    expect(agenda.find((item) => item.title.startsWith('Trends, by exception'))!.minutes).toBe(10);
  });
});

describe('trend direction', () => {
  it('knows which way is good from the figure name, and does not guess otherwise', () => {
    expect(higherIsBetter('Patch compliance')).toBe(true);
    expect(higherIsBetter('Risk treatment progress')).toBe(true);
    expect(higherIsBetter('Open nonconformities')).toBe(false);
    expect(higherIsBetter('High risks')).toBe(false);
    expect(higherIsBetter('Phishing emails reported')).toBeUndefined();
    expect(directionOf('High risks', 5, 4)).toBe('better');
    expect(directionOf('Objectives met', 80, 78)).toBe('worse');
    expect(directionOf('Objectives met', 80, 80)).toBe('same');
    expect(directionOf('Phishing emails reported', 1, 4)).toBe('unknown');
    expect(directionOf('High risks', undefined, 4)).toBe('unknown');
  });
});

describe('the completeness gate', () => {
  const base = packageSources();
  const { requests } = base;
  const due = Date.parse(requests[1]!.dueAt);
  const pending = requests.map((r) =>
    r.inputKey === 'd2' ? { ...r, status: 'REQUESTED' as const, submissionId: undefined } : r,
  );

  it('holds the package while a required input may still arrive before its deadline', () => {
    const gate = completeness(pending, new Date(due - 1));
    expect(gate.ready).toBe(false);
    expect(gate.waitingFor.map((w) => w.key)).toEqual(['d2']);
  });

  it('lets it go at the deadline, the missing input then NOT PROVIDED', () => {
    const gate = completeness(pending, new Date(due));
    expect(gate.ready).toBe(true);
    expect(gate.notProvided).toEqual(['d2', 'e']);
  });

  it('counts submitted, nothing-to-report (with its reason) and closed-as-not-provided inputs as complete', () => {
    const gate = completeness(requests, new Date(due - 86_400_000));
    expect(gate).toEqual({ ready: true, waitingFor: [], notProvided: ['e'] });
  });

  it('shows an input still awaited at build time (past its deadline) as NOT PROVIDED in the package', () => {
    const model = packageModel({ ...base, requests: pending, now: NOW });
    expect(model.inputs.find((i) => i.inputKey === 'd2')!.status).toBe('not-provided');
    expect(model.decisions.filter((d) => d.source === 'missing-input').map((d) => d.inputKey)).toEqual([
      'd2',
      'e',
    ]);
  });
});
