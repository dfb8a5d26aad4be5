/**
 * The package's charts, drawn by a real charting library: each trend chart is a Vega-Lite spec,
 * compiled to Vega, rendered headless by a vega View to SVG, and rasterised to PNG by resvg (mail
 * clients show PNG; many block SVG). Counts are grouped bars per review, percentages are lines.
 *
 * vega, vega-lite and resvg are large (and resvg is native): they are loaded lazily, outside any
 * bundle (renderers.ts), so only the functions that build a package load them.
 */
import { sha256Of } from '../store/blob-store.ts';
import type { ChartSpec, RenderedChart } from './model.ts';
import { fontPackageFile } from './fonts.ts';
import { loadRenderer } from './renderers.ts';
import type * as VegaLite from 'vega-lite';
import type * as Vega from 'vega';
import type * as ResvgJs from '@resvg/resvg-js';

export class ChartRenderFailed extends Error {
  override name = 'ChartRenderFailed' as const;
}

/**
 * Chart width and height in CSS pixels (small: a chart sits beside its KPI table, it does not
 * replace it); the PNG is drawn at twice that for sharp screens.
 */
export const CHART_WIDTH = 400;
export const CHART_HEIGHT = 190;
const SCALE = 2;

/** The Vega-Lite specification of a chart (data inline, no external loads). */
export function vegaLiteSpec(chart: ChartSpec): Record<string, unknown> {
  const values = chart.series.flatMap((s) =>
    s.points.map((p, order) => ({ review: p.label, order, metric: s.metric, value: p.value })),
  );
  const x = {
    field: 'review',
    type: 'ordinal',
    title: 'Review (meeting date)',
    sort: null,
    axis: { labelAngle: 0 },
  };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: chart.unit === 'count' ? 'Count' : chart.unit,
    ...(chart.unit === '%' ? { scale: { domain: [0, 100] } } : {}),
  };
  const color = {
    field: 'metric',
    type: 'nominal',
    title: null,
    legend: { orient: 'bottom', labelLimit: CHART_WIDTH - 40, columns: 1 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: CHART_WIDTH - 80,
    height: CHART_HEIGHT - 95,
    background: 'white',
    padding: 8,
    title: { text: chart.title, anchor: 'start', fontSize: 12, limit: CHART_WIDTH - 20 },
    config: { font: 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif', view: { stroke: null } },
    data: { values },
    mark:
      chart.kind === 'bar'
        ? { type: 'bar', tooltip: false }
        : { type: 'line', point: true, tooltip: false, strokeWidth: 2 },
    encoding:
      chart.kind === 'bar' ? { x, y, color, xOffset: { field: 'metric', type: 'nominal' } } : { x, y, color },
  };
}

/**
 * Fonts resvg may use: DejaVu Sans from the font package (fonts.ts: the same glyphs locally and on
 * Lambda), any TTF named in CHART_FONT_FILES (colon-separated), and the system's.
 */
function fontOptions(): { loadSystemFonts: boolean; fontFiles?: string[]; defaultFontFamily: string } {
  const files = [
    ...(process.env.CHART_FONT_FILES ?? '').split(':').filter(Boolean),
    ...[fontPackageFile('DejaVuSans.ttf')].filter((file): file is string => file !== undefined),
  ];
  return {
    loadSystemFonts: true,
    ...(files.length ? { fontFiles: files } : {}),
    defaultFontFamily: 'DejaVu Sans',
  };
}

/** Renders every chart to PNG (see the module note). */
export async function renderCharts(charts: readonly ChartSpec[]): Promise<RenderedChart[]> {
  if (charts.length === 0) return [];
  const [vl, vega, { Resvg }] = await Promise.all([
    loadRenderer<typeof VegaLite>('vega-lite'),
    loadRenderer<typeof Vega>('vega'),
    loadRenderer<typeof ResvgJs>('@resvg/resvg-js'),
  ]);
  const out: RenderedChart[] = [];
  for (const chart of charts) {
    let svg: string;
    try {
      const compiled = vl.compile(vegaLiteSpec(chart) as unknown as Parameters<typeof vl.compile>[0]).spec;
      // No loader: the data is inline, and a chart must never fetch anything.
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      svg = await view.toSVG();
      view.finalize();
    } catch (error) {
      throw new ChartRenderFailed(`chart ${chart.id} could not be drawn: ${(error as Error).message}`);
    }
    const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: SCALE }, font: fontOptions() }).render();
    const png = Buffer.from(image.asPng());
    out.push({
      spec: chart,
      png,
      width: Math.round(image.width / SCALE),
      height: Math.round(image.height / SCALE),
      sha256: sha256Of(png),
    });
  }
  return out;
}
