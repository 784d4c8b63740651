/**
 * The benchmark's figure (test/bench/results.svg and results.png), drawn by Apache ECharts'
 * server-side SVG renderer and rasterised by resvg with the DejaVu fonts of an npm package (the
 * PNG is the same on every machine): W1's median wall times per scenario, the site figures when
 * measured, and the scale curve (seconds against hosts, a line per engine). Times are on log axes:
 * the engines are one to two orders of magnitude apart.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

export type EngineKey = 'play' | 'ansible' | 'mitogen';
/** Seconds per engine; an engine not measured there is absent. */
export type EngineSeconds = Partial<Record<EngineKey, number>>;

export interface PlotInput {
  readonly w1: ReadonlyArray<{ readonly label: string } & EngineSeconds>;
  readonly scale: ReadonlyArray<{ readonly hosts: number } & EngineSeconds>;
  /** site.yml on the lab, play only: first build, no-op, one drift. */
  readonly site?: ReadonlyArray<{ readonly label: string; readonly seconds: number; readonly execsPerHost?: number }>;
  readonly subtitle: string;
  /** How many hosts W1 ran on (its panel's title). */
  readonly w1Hosts: number;
}

export interface Chart {
  readonly svg: string;
  readonly png: Buffer;
}

export const ENGINES: ReadonlyArray<{ readonly key: EngineKey; readonly name: string; readonly color: string }> = [
  { key: 'play', name: 'play', color: '#1f77b4' },
  { key: 'ansible', name: 'ansible-playbook', color: '#e6781e' },
  { key: 'mitogen', name: 'ansible-playbook + mitogen', color: '#2ca02c' },
];

const WIDTH = 1200;
const FONT = 'DejaVu Sans';
const INK = '#222';
const MUTED = '#666';

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Seconds as the labels show them: 3 significant digits, no more than 2 decimals. */
export function formatSeconds(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Engines with at least one value in the rows, in ENGINES order. */
export function enginesIn(rows: ReadonlyArray<EngineSeconds>): EngineKey[] {
  return ENGINES.map((e) => e.key).filter((k) => rows.some((r) => Number.isFinite(r[k])));
}

/** Where each panel goes: W1 and site side by side on top, the scale curve under them. */
export function panelLayout(input: PlotInput): { w1?: Rect; site?: Rect; scale?: Rect; height: number } {
  const top = 140;
  const rowHeight = 340;
  const gap = 110;
  const margin = { left: 90, right: 60 };
  const topPanels = [input.w1.length ? 'w1' : undefined, input.site?.length ? 'site' : undefined].filter((p): p is 'w1' | 'site' => p !== undefined);
  const out: { w1?: Rect; site?: Rect; scale?: Rect; height: number } = { height: top };
  const span = WIDTH - margin.left - margin.right;
  const each = topPanels.length ? (span - (topPanels.length - 1) * gap) / topPanels.length : 0;
  topPanels.forEach((p, i) => (out[p] = { left: margin.left + i * (each + gap), top, width: each, height: rowHeight }));
  if (topPanels.length) out.height += rowHeight + 90;
  if (input.scale.length) {
    out.scale = { left: margin.left, top: out.height + 10, width: span, height: rowHeight };
    out.height += rowHeight + 90;
  }
  return out;
}

/** The decade at or below the smallest value: the log axis starts there, and bars grow from it. */
export function decadeFloor(values: ReadonlyArray<number | undefined>): number {
  const positive = values.filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  return positive.length ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : 1;
}

function logAxis(gridIndex: number, name: string, values: ReadonlyArray<number | undefined>): object {
  const floor = decadeFloor(values);
  return {
    type: 'log', gridIndex, name, min: floor, startValue: floor, nameLocation: 'middle', nameGap: 58, nameTextStyle: { color: INK },
    axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: '#ddd' } }, minorTick: { show: true }, minorSplitLine: { show: true, lineStyle: { color: '#f0f0f0' } },
  };
}

function panelTitle(rect: Rect, text: string): object {
  return { text, left: rect.left + rect.width / 2, top: rect.top - 34, textAlign: 'center', textStyle: { fontSize: 15, color: INK, fontWeight: 'bold' } };
}

const valueLabel = (position: 'top' | 'right') => ({
  show: true, position, fontSize: 11, color: INK,
  formatter: (p: { value: number | number[] }) => formatSeconds(Array.isArray(p.value) ? p.value[1]! : p.value),
});

/** The ECharts option of the whole figure (exported for the tests: what is drawn, before drawing). */
export function chartOption(input: PlotInput): { option: Record<string, unknown>; height: number } {
  const layout = panelLayout(input);
  const grids: object[] = [];
  const xAxes: object[] = [];
  const yAxes: object[] = [];
  const series: object[] = [];
  const titles: object[] = [
    { text: 'play against Ansible: wall time (median)', left: 'center', top: 10, textStyle: { fontSize: 20, color: INK } },
    { text: input.subtitle, left: 'center', top: 42, textStyle: { fontSize: 12, color: MUTED, fontWeight: 'normal' } },
  ];
  const engines = enginesIn([...input.w1, ...input.scale]);

  if (layout.w1) {
    const g = grids.length;
    grids.push(layout.w1);
    titles.push(panelTitle(layout.w1, `W1: the LB layer on ${input.w1Hosts} lab hosts`));
    const labels = input.w1.map((row) => {
      const ratio = row.play && row.ansible ? `\nansible ×${(row.ansible / row.play).toFixed(1)}` : '';
      return `${row.label}${ratio}`;
    });
    xAxes.push({ type: 'category', gridIndex: g, data: labels, axisLabel: { color: INK, lineHeight: 16 } });
    yAxes.push(logAxis(g, 'seconds (log scale)', input.w1.flatMap((r) => ENGINES.map((e) => r[e.key]))));
    for (const key of enginesIn(input.w1)) {
      const e = ENGINES.find((x) => x.key === key)!;
      series.push({ name: e.name, type: 'bar', xAxisIndex: g, yAxisIndex: g, itemStyle: { color: e.color }, barGap: '10%', label: valueLabel('top'), data: input.w1.map((r) => r[key] ?? null) });
    }
  }

  if (layout.site && input.site) {
    const g = grids.length;
    grids.push(layout.site);
    titles.push(panelTitle(layout.site, 'site.yml on the lab (play)'));
    const labels = input.site.map((s) => (s.execsPerHost === undefined ? s.label : `${s.label}\n${s.execsPerHost} exec${s.execsPerHost === 1 ? '' : 's'}/host`));
    xAxes.push({ type: 'category', gridIndex: g, data: labels, axisLabel: { color: INK, lineHeight: 16 } });
    yAxes.push(logAxis(g, 'seconds (log scale)', input.site.map((s) => s.seconds)));
    const play = ENGINES[0]!;
    series.push({ name: play.name, type: 'bar', xAxisIndex: g, yAxisIndex: g, itemStyle: { color: play.color }, barWidth: '40%', label: valueLabel('top'), data: input.site.map((s) => s.seconds) });
  }

  if (layout.scale) {
    const g = grids.length;
    grids.push(layout.scale);
    titles.push(panelTitle(layout.scale, 'Scale: no-op of a 20-task workload, seconds against hosts'));
    xAxes.push({
      type: 'value', gridIndex: g, min: 0, name: 'hosts', nameLocation: 'middle', nameGap: 30, nameTextStyle: { color: INK },
      axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: '#eee' } },
    });
    yAxes.push(logAxis(g, 'seconds (log scale)', input.scale.flatMap((r) => ENGINES.map((e) => r[e.key]))));
    for (const key of enginesIn(input.scale)) {
      const e = ENGINES.find((x) => x.key === key)!;
      const points = input.scale.filter((s) => Number.isFinite(s[key])).map((s) => [s.hosts, s[key]!]);
      series.push({
        name: e.name, type: 'line', xAxisIndex: g, yAxisIndex: g, itemStyle: { color: e.color }, lineStyle: { width: 3, ...(key === 'mitogen' ? { type: 'dashed' } : {}) },
        symbol: 'circle', symbolSize: 9, label: valueLabel('top'), labelLayout: { hideOverlap: true }, data: points,
      });
    }
  }

  const option = {
    animation: false,
    backgroundColor: '#fff',
    textStyle: { fontFamily: `${FONT}, sans-serif` }, // a browser without DejaVu falls back to its sans-serif
    title: titles,
    legend: { top: 66, data: engines.map((k) => ENGINES.find((e) => e.key === k)!.name), textStyle: { color: INK, fontSize: 13 } },
    grid: grids.map((r) => ({ ...r, containLabel: false })),
    xAxis: xAxes,
    yAxis: yAxes,
    series,
  };
  return { option, height: layout.height };
}

/** The figure as SVG (for RESULTS.md) and PNG. */
export function drawChart(input: PlotInput): Chart {
  echarts.setPlatformAPI({ measureText: (text, font) => ({ width: textWidth(text, font) }) });
  const { option, height } = chartOption(input);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  try {
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    return { svg, png: rasterise(svg) };
  } finally {
    chart.dispose(); // its render loop would keep the process alive
  }
}

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = { loadSystemFonts: false, fontFiles: [join(FONT_DIR, 'DejaVuSans.ttf'), join(FONT_DIR, 'DejaVuSans-Bold.ttf')], defaultFontFamily: FONT };

function rasterise(svg: string): Buffer {
  return new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'width', value: WIDTH * 2 }, font: FONTS }).render().asPng();
}

const widths = new Map<string, number>();

/**
 * The width of a label as resvg draws it with the same font. Without a canvas, ECharts guesses
 * widths from a table for narrower fonts, and legend items and labels of the PNG ran into each
 * other; a measured width places them as drawn.
 */
export function textWidth(text: string, font = `12px ${FONT}`): number {
  const key = `${font}\n${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    const size = /(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? '12';
    const weight = /\bbold(er)?\b|\b[6-9]00\b/.test(font) ? 'bold' : 'normal';
    const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="100"><text x="0" y="50" font-family="${FONT}" font-size="${size}" font-weight="${weight}">${escapeXml(text)}</text></svg>`;
    width = text.trim() === '' ? 0 : (new Resvg(probe, { font: FONTS }).getBBox()?.width ?? 0);
    widths.set(key, width);
  }
  return width;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
