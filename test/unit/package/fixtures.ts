/**
 * A realistic package to test with: the example programme, a quarterly cycle whose inputs are
 * answered (one NOT PROVIDED, one nothing to report, one late, one with attachments and a decision
 * asked for), actions from earlier reviews (overdue and escalated, open, awaiting an effectiveness
 * check), and three earlier cycles' summaries for the trends. `hostile` puts what a careless or
 * hostile sender could write into the submissions.
 */
import { programmeCatalogue } from '#shared/programme/queries.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { actionIdFor, cycleIdFor } from '#shared/model/ids.ts';
import type { InputRequest, InputSubmission, Metric } from '#shared/model/input.ts';
import type { PackageSources } from '#shared/package/content.ts';
import type { CycleSummary } from '#shared/model/cycle-summary.ts';
import { aCycle, anAction, answered, anInputRequest, aSubmission } from '#test/unit/model/builders.ts';

export const OPENED = new Date('2027-01-04T09:00:00.000Z');
export const NOW = new Date('2027-01-27T09:00:00.000Z');

/** What a hostile or careless sender could put in a submission. */
export const HOSTILE = {
  script: '<script>window.__pwned = true; document.title = "pwned"</script>',
  style: '<style>body { display:none !important } table { width: 5000px }</style>',
  img: '<img src=x onerror="window.__pwned = true">',
  longWord: 'A'.repeat(5000),
  rtl: 'مراجعة الإدارة \u202Egnp.exe\u202C שלום עולם',
  emoji: 'Risk 🔥🔐👩‍💻 down 📉',
};

export const hostileText = (): string =>
  [HOSTILE.script, HOSTILE.style, HOSTILE.img, HOSTILE.longWord, HOSTILE.rtl, HOSTILE.emoji].join('\n');

const FIGURES: Record<string, Metric[][]> = {
  // Oldest earlier cycle first; the last entry is this cycle.
  d1: [
    [
      { name: 'Nonconformities opened', value: 6, unit: 'count' },
      { name: 'Nonconformities closed', value: 3, unit: 'count' },
    ],
    [
      { name: 'Nonconformities opened', value: 4, unit: 'count' },
      { name: 'Nonconformities closed', value: 5, unit: 'count' },
    ],
    [
      { name: 'Nonconformities opened', value: 5, unit: 'count' },
      { name: 'Nonconformities closed', value: 4, unit: 'count' },
    ],
    [
      { name: 'Nonconformities opened', value: 3, unit: 'count' },
      { name: 'Nonconformities closed', value: 6, unit: 'count' },
    ],
  ],
  d2: [
    [{ name: 'Patch compliance', value: 88, unit: '%' }],
    [{ name: 'Patch compliance', value: 91, unit: '%' }],
    [{ name: 'Patch compliance', value: 94, unit: '%' }],
    [{ name: 'Patch compliance', value: 97.5, unit: '%' }],
  ],
  d3: [
    [
      { name: 'Major findings', value: 1, unit: 'count' },
      { name: 'Minor findings', value: 5, unit: 'count' },
    ],
    [
      { name: 'Major findings', value: 0, unit: 'count' },
      { name: 'Minor findings', value: 4, unit: 'count' },
    ],
    [
      { name: 'Major findings', value: 1, unit: 'count' },
      { name: 'Minor findings', value: 3, unit: 'count' },
    ],
    [
      { name: 'Major findings', value: 0, unit: 'count' },
      { name: 'Minor findings', value: 2, unit: 'count' },
    ],
  ],
  d4: [
    [{ name: 'Objectives met', value: 70, unit: '%' }],
    [{ name: 'Objectives met', value: 75, unit: '%' }],
    [{ name: 'Objectives met', value: 80, unit: '%' }],
    [
      { name: 'Objectives met', value: 78, unit: '%' },
      { name: 'Objectives off track', value: 2, unit: 'count' },
    ],
  ],
  f: [
    [
      { name: 'High risks', value: 6, unit: 'count' },
      { name: 'Medium risks', value: 12, unit: 'count' },
    ],
    [
      { name: 'High risks', value: 5, unit: 'count' },
      { name: 'Medium risks', value: 11, unit: 'count' },
    ],
    [
      { name: 'High risks', value: 5, unit: 'count' },
      { name: 'Medium risks', value: 10, unit: 'count' },
    ],
    [
      { name: 'High risks', value: 4, unit: 'count' },
      { name: 'Medium risks', value: 9, unit: 'count' },
      { name: 'Stalled risk treatments', value: 1, unit: 'count' },
    ],
  ],
};

let programmeCache: Programme | undefined;
export const theProgramme = (): Programme => (programmeCache ??= loadProgrammeFile('programme.example.yaml'));

function earlierSummaries(count: number, programmeId: string): CycleSummary[] {
  const out: CycleSummary[] = [];
  for (let i = 0; i < count; i += 1) {
    const opened = new Date(Date.UTC(2026, 0 + 3 * (i - count + 4), 4, 9));
    const id = cycleIdFor('quarterly', opened);
    const meeting = new Date(opened.getTime() + 28 * 86_400_000).toISOString();
    const figures: Record<string, Metric[]> = {};
    for (const [key, history] of Object.entries(FIGURES)) {
      const slot = history[Math.max(0, history.length - 1 - count + i)]!;
      figures[key] = slot.filter((m) => !/off track|stalled/i.test(m.name));
    }
    out.push({
      cycleId: id,
      programmeId,
      plannedMeetingAt: meeting,
      title: `Quarterly management review, ${meeting.slice(0, 10)}`,
      packageVersion: 1,
      packageHash: 'a'.repeat(64),
      builtAt: meeting,
      figures,
      inputStatus: Object.fromEntries(Object.keys(FIGURES).map((k) => [k, 'provided' as const])),
      openActions:
        i === count - 1
          ? [
              {
                id: actionIdFor(id, 1),
                title: 'Renew the supplier security clauses',
                owner: 'Chief Information Security Officer',
                dueDate: '2026-11-30',
              },
            ]
          : [],
      overdueActions: 0,
      decisions: 1,
    });
  }
  return out;
}

export function packageSources(
  options: { hostile?: boolean; earlierCycles?: number; actions?: number; now?: Date } = {},
): PackageSources {
  const programme = theProgramme();
  const programmeId = programme.organisation.id;
  const base = aCycle({ programmeId, programme: { programmeId, version: 1, hash: 'b'.repeat(64) } }, OPENED);
  const cycle: Cycle = { ...base, phase: 'COMPILING', status: 'active' };
  const requests: InputRequest[] = [];
  const submissions: InputSubmission[] = [];
  let n = 0;
  for (const entry of programmeCatalogue(programme)) {
    const ownerId = programme.inputs.owners[entry.key];
    const request = anInputRequest(cycle, entry.key, {
      title: entry.title,
      automatic: entry.automatic,
      ...(entry.automatic ? { ownerId: undefined } : { ownerId: ownerId! }),
      clauses: entry.clauses.map((c) => ({ standard: c.standard, clause: c.clause })),
    });
    if (entry.automatic) {
      requests.push(request);
      continue;
    }
    n += 1;
    if (entry.key === 'e') {
      requests.push({ ...request, status: 'NOT_PROVIDED', notProvidedAt: cycle.inputsDueAt });
      continue;
    }
    const received = new Date(OPENED.getTime() + (entry.key === 'g' ? 19 : 5 + n) * 86_400_000);
    const figures = FIGURES[entry.key]?.at(-1) ?? [];
    const submission =
      entry.key === 'c'
        ? aSubmission(request, received, {
            kind: 'nothing_to_report',
            summary: 'No interested party changed its requirements this quarter.',
            metrics: [],
            submitterId: ownerId!,
          })
        : aSubmission(request, received, {
            submitterId: ownerId!,
            summary:
              options.hostile && entry.key === 'b'
                ? hostileText()
                : `${entry.title}: summary for the quarter.\nSecond line with details.`,
            metrics:
              options.hostile && entry.key === 'd1'
                ? [
                    ...figures,
                    { name: `Findings "${HOSTILE.img}" ${HOSTILE.emoji}`, value: 2, unit: 'count' },
                  ]
                : figures,
            ...(entry.key === 'd3'
              ? {
                  attachments: [
                    {
                      name: 'audit-report-Q4.pdf',
                      sha256: 'c'.repeat(64),
                      size: 183_204,
                      s3Key: 'attachments/x/audit-report-Q4.pdf',
                    },
                  ],
                }
              : {}),
            ...(entry.key === 'b'
              ? {
                  decisionNeeded: options.hostile
                    ? `Approve budget ${HOSTILE.script}`
                    : 'Approve the budget for a second SOC analyst.',
                }
              : {}),
          });
    submissions.push(submission);
    requests.push(answered(request, submission));
  }
  const earlierCycle = aCycle({}, new Date('2026-10-05T09:00:00.000Z'));
  const actions: Action[] = [
    anAction(earlierCycle, 2, {
      programmeId,
      title: 'Encrypt the backup tapes',
      ownerId: 'cto',
      dueDate: '2026-12-01',
      escalationLevel: 3,
    }),
    anAction(earlierCycle, 3, {
      programmeId,
      title: 'Train the service desk on phishing reports',
      ownerId: 'ciso',
      dueDate: '2027-03-31',
      status: 'in_progress',
    }),
    anAction(earlierCycle, 4, {
      programmeId,
      title: 'Fix the access review gap (NC-12)',
      ownerId: 'ciso',
      dueDate: '2026-12-15',
      status: 'done',
      corrective: true,
      closureEvidence: {
        text: 'Quarterly access review introduced.',
        at: '2026-12-10T10:00:00.000Z',
        by: 'ciso',
      },
      effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-02-15' },
    }),
  ];
  for (let i = 0; i < (options.actions ?? 0); i += 1) {
    actions.push(
      anAction(earlierCycle, 10 + i, {
        programmeId,
        title: `Bulk action ${i + 1}: ${'improve a control; '.repeat(3)}`,
        ownerId: 'cto',
        dueDate: i % 3 === 0 ? '2026-12-20' : '2027-04-30',
      }),
    );
  }
  return {
    cycle,
    programme,
    requests,
    submissions,
    openActions: actions,
    earlier: earlierSummaries(options.earlierCycles ?? 3, programmeId),
    now: options.now ?? NOW,
  };
}
