/**
 * Trends across reviews: each figure an input reports (d1-d4, the risk posture f, and any input
 * the catalogue marks for trends) followed through the summaries of earlier cycles, its direction
 * against the previous review, and the charts that show them.
 *
 * Whether up is good is read from the figure's name: counts of nonconformities, findings, risks,
 * incidents, overdue or stalled items are better lower; compliance, fulfilment, progress, closed
 * and met are better higher; a name that says neither gets no direction (shown, never judged).
 */
import type { CycleSummary } from '../model/cycle-summary.ts';
import type {
  ChartSpec,
  Direction,
  Figure,
  PackageInputSection,
  TrendPoint,
  TrendSection,
  TrendSeries,
} from './model.ts';

const LOWER_IS_BETTER =
  /click|failure|downtime|below target|\blate\b|complaint|nonconformit|\bncs?\b|finding|incident|breach|risk(?!.*(treat|mitigat|progress))|overdue|stalled|off.?track|not met|missed|open\b|vulnerab|exception|complaint|major|minor|high|critical/i;
const HIGHER_IS_BETTER =
  /complian|fulfil|progress|closed|fixed|patched|\bmet\b|achiev|coverage|complete|trained|training|availability|on.?track|resolved|treated|mitigated/i;

/** Whether a higher value of the named figure is good; undefined when the name does not say. */
export function higherIsBetter(name: string): boolean | undefined {
  if (HIGHER_IS_BETTER.test(name)) return true;
  if (LOWER_IS_BETTER.test(name)) return false;
  return undefined;
}

export function directionOf(name: string, previous: number | undefined, current: number): Direction {
  if (previous === undefined) return 'unknown';
  if (previous === current) return 'same';
  const up = current > previous;
  const good = higherIsBetter(name);
  if (good === undefined) return 'unknown';
  return up === good ? 'better' : 'worse';
}

/** Inputs whose figures the package follows over time: the trend inputs and the risk posture. */
export const TREND_KEYS = ['d1', 'd2', 'd3', 'd4', 'f'] as const;

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The previous value of each figure, from the most recent earlier summary that reported it. */
export function withPrevious(
  inputKey: string,
  figures: readonly Figure[],
  earlier: readonly CycleSummary[],
): Figure[] {
  const newestFirst = [...earlier].sort((a, b) => b.plannedMeetingAt.localeCompare(a.plannedMeetingAt));
  const last = newestFirst[0];
  return figures.map((figure) => {
    const previous = last?.figures[inputKey]?.find((m) => sameName(m.name, figure.name));
    return previous === undefined ? figure : { ...figure, previous: previous.value };
  });
}

function chartKind(unit: string): 'bar' | 'line' {
  return unit === '%' || unit.toLowerCase() === 'percent' ? 'line' : 'bar';
}

/**
 * The trend section: one series per figure of a trend input (this review's figures, followed back
 * through `earlier`, oldest first), and one small chart per input and unit, titled with the input's
 * title, holding only the series with at least two points (a chart of one bar says nothing).
 */
export function trendSection(args: {
  inputs: readonly PackageInputSection[];
  earlier: readonly CycleSummary[];
  current: { cycleId: string; meetingAt: string };
  trendKeys: ReadonlySet<string>;
}): TrendSection {
  const oldestFirst = [...args.earlier].sort((a, b) => a.plannedMeetingAt.localeCompare(b.plannedMeetingAt));
  const series: TrendSeries[] = [];
  for (const input of args.inputs) {
    if (!args.trendKeys.has(input.inputKey)) continue;
    // This review's figures, and figures earlier reviews reported that this one did not.
    const names = new Map<string, string>();
    for (const figure of input.figures) names.set(figure.name.toLowerCase(), figure.unit);
    for (const summary of oldestFirst) {
      for (const m of summary.figures[input.inputKey] ?? []) {
        if (!names.has(m.name.toLowerCase())) names.set(m.name.toLowerCase(), m.unit);
      }
    }
    for (const [lower, unit] of names) {
      const points: TrendPoint[] = [];
      let display = lower;
      for (const summary of oldestFirst) {
        const m = summary.figures[input.inputKey]?.find((x) => sameName(x.name, lower));
        if (m) {
          display = m.name;
          points.push({
            cycleId: summary.cycleId,
            label: summary.plannedMeetingAt.slice(0, 10),
            value: m.value,
          });
        }
      }
      const now = input.figures.find((f) => sameName(f.name, lower));
      if (now) {
        display = now.name;
        points.push({
          cycleId: args.current.cycleId,
          label: args.current.meetingAt.slice(0, 10),
          value: now.value,
        });
      }
      if (points.length === 0) continue;
      const last = points.at(-1)!;
      const before = points.at(-2);
      const good = higherIsBetter(display);
      series.push({
        inputKey: input.inputKey,
        metric: display,
        unit: now?.unit ?? unit,
        points,
        ...(good === undefined ? {} : { higherIsBetter: good }),
        direction:
          now && before && last.cycleId === args.current.cycleId
            ? directionOf(display, before.value, last.value)
            : 'unknown',
      });
    }
  }

  const charts: ChartSpec[] = [];
  const groups = new Map<string, TrendSeries[]>();
  for (const s of series) {
    if (s.points.length < 2) continue;
    const key = `${s.inputKey}|${chartKind(s.unit)}|${s.unit}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, group] of groups) {
    const [inputKey, kind, unit] = key.split('|') as [string, 'bar' | 'line', string];
    const input = args.inputs.find((i) => i.inputKey === inputKey)!;
    const index = charts.filter((c) => c.inputKey === inputKey).length;
    const reviews = new Set(group.flatMap((s) => s.points.map((p) => p.cycleId))).size;
    const title = input.title;
    charts.push({
      id: `chart-${inputKey.replace(/[^a-z0-9-]/gi, '-')}${index ? `-${index + 1}` : ''}`,
      inputKey,
      title,
      kind,
      unit,
      series: group,
      // The figures themselves are in the table beside the chart: the description names what it shows.
      alt: `${title} (input ${inputKey}): ${kind} chart over ${reviews} reviews of ${group
        .map((s) => s.metric)
        .join(', ')}${unit === 'count' ? '' : ` (${unit})`}; the figures are in the table.`,
    });
  }

  const judged = series.filter((s) => s.direction !== 'unknown');
  const better = judged.filter((s) => s.direction === 'better').length;
  const worse = judged.filter((s) => s.direction === 'worse').length;
  const same = judged.filter((s) => s.direction === 'same').length;
  const verdict =
    judged.length === 0
      ? args.earlier.length === 0
        ? 'This review sets the baseline for the trends.'
        : 'No figure can be compared with the previous review.'
      : better > worse
        ? `Improving: ${better} of ${judged.length} comparable figures better than at the previous review, ${worse} worse.`
        : worse > better
          ? `Worsening: ${worse} of ${judged.length} comparable figures worse than at the previous review, ${better} better.`
          : `Stable: ${better} better, ${worse} worse, ${same} unchanged of ${judged.length} comparable figures.`;
  return {
    series,
    charts,
    earlierReviews: args.earlier.length,
    overall: { better, worse, same, verdict },
  };
}

export function formatValue(value: number, unit: string): string {
  if (unit === 'count') return String(value);
  if (unit === '%') return `${value} %`;
  return `${value} ${unit}`;
}

/** One row of an input's KPI table. */
export interface KpiRow {
  readonly metric: string;
  readonly unit: string;
  readonly actual: number;
  readonly target?: number;
  readonly previous?: number;
  readonly direction: Direction;
  /** This review's value against the previous one: up, down, flat, or no previous value. */
  readonly movement: 'up' | 'down' | 'flat' | 'new';
  /** The values of the reviews the trend spans, oldest first (this review last). */
  readonly history: readonly TrendPoint[];
}

/** The KPI rows of an input: each figure with its target, previous value and trend. */
export function kpiRows(input: PackageInputSection, series: readonly TrendSeries[]): KpiRow[] {
  return input.figures.map((figure) => {
    const trend = series.find((s) => s.inputKey === input.inputKey && sameName(s.metric, figure.name));
    const movement =
      figure.previous === undefined
        ? ('new' as const)
        : figure.value > figure.previous
          ? ('up' as const)
          : figure.value < figure.previous
            ? ('down' as const)
            : ('flat' as const);
    return {
      metric: figure.name,
      unit: figure.unit,
      actual: figure.value,
      ...(figure.target === undefined ? {} : { target: figure.target }),
      ...(figure.previous === undefined ? {} : { previous: figure.previous }),
      direction: directionOf(figure.name, figure.previous, figure.value),
      movement,
      history: trend?.points ?? [],
    };
  });
}

const ARROWS = { up: '↑', down: '↓', flat: '→', new: '' } as const;

/** The trend in words, with an arrow for the way the value moved: "↓ better", "↑ up", "first report". */
export function trendWords(row: Pick<KpiRow, 'direction' | 'movement'>): string {
  if (row.movement === 'new') return 'first report';
  if (row.movement === 'flat') return '→ same';
  const word = row.direction === 'better' || row.direction === 'worse' ? row.direction : row.movement;
  return `${ARROWS[row.movement]} ${word}`;
}
