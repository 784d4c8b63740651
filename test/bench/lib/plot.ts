/**
 * The benchmark's chart (test/bench/results.png): W1's median wall times per scenario as grouped
 * bars, and the scale no-op wall time against the number of hosts, both on log axes (play and
 * Ansible are one to two orders of magnitude apart).
 */
import { Canvas, type Rgb } from './png.js';

export interface PlotInput {
  readonly w1: ReadonlyArray<{ readonly label: string; readonly play: number; readonly ansible: number }>;
  readonly scale: ReadonlyArray<{ readonly hosts: number; readonly play: number; readonly ansible: number }>;
  readonly subtitle: string;
}

const PLAY: Rgb = [31, 119, 180];
const ANSIBLE: Rgb = [230, 120, 20];
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [210, 210, 210];
const MUTED: Rgb = [110, 110, 110];

interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
}

function logRange(values: readonly number[]): { lo: number; hi: number } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return { lo: -1, hi: 1 };
  return { lo: Math.floor(Math.log10(Math.min(...positive))), hi: Math.ceil(Math.log10(Math.max(...positive)) + 0.15) };
}

function formatSeconds(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(2);
}

function decadeLabel(d: number): string {
  const v = 10 ** d;
  return v >= 1 ? `${v.toFixed(0)} S` : `${v.toFixed(-d)} S`;
}

/** Axes with decade grid lines; returns the y of a value. */
function logAxes(c: Canvas, p: Panel, range: { lo: number; hi: number }): (v: number) => number {
  const y = (v: number): number => p.y + p.h - ((Math.log10(Math.max(v, 10 ** range.lo)) - range.lo) / (range.hi - range.lo)) * p.h;
  for (let d = range.lo; d <= range.hi; d++) {
    const yy = y(10 ** d);
    c.line(p.x, yy, p.x + p.w, yy, GRID, 1, d === range.lo ? 0 : 4);
    c.text(p.x - 8, yy - 7, decadeLabel(d), MUTED, 2, 'right');
    if (d < range.hi) {
      for (const m of [2, 5]) {
        const ym = y(m * 10 ** d);
        c.line(p.x, ym, p.x + 6, ym, GRID, 1);
      }
    }
  }
  c.line(p.x, p.y, p.x, p.y + p.h, INK, 2);
  c.line(p.x, p.y + p.h, p.x + p.w, p.y + p.h, INK, 2);
  return y;
}

function legend(c: Canvas, x: number, y: number): void {
  c.fillRect(x, y, 16, 16, PLAY);
  c.text(x + 24, y + 1, 'play', INK);
  c.fillRect(x + 110, y, 16, 16, ANSIBLE);
  c.text(x + 134, y + 1, 'ansible-playbook', INK);
}

export function drawChart(input: PlotInput): Buffer {
  const c = new Canvas(1280, 640);
  c.text(640, 16, 'play vs ansible-playbook: wall time (median, log scale)', INK, 3, 'center');
  c.text(640, 48, input.subtitle, MUTED, 2, 'center');
  legend(c, 640 - 150, 76);

  // left: W1 grouped bars
  const left: Panel = { x: 110, y: 130, w: 500, h: 420 };
  c.text(left.x + left.w / 2, 108, 'W1: LB layer on 7 lab hosts', INK, 2, 'center');
  const ly = logAxes(c, left, logRange(input.w1.flatMap((g) => [g.play, g.ansible])));
  const groupW = left.w / Math.max(1, input.w1.length);
  input.w1.forEach((g, i) => {
    const gx = left.x + i * groupW;
    const barW = groupW * 0.3;
    const bars: Array<[number, Rgb, number]> = [
      [gx + groupW * 0.17, PLAY, g.play],
      [gx + groupW * 0.53, ANSIBLE, g.ansible],
    ];
    for (const [bx, color, v] of bars) {
      const top = ly(v);
      c.fillRect(bx, top, barW, left.y + left.h - top, color);
      c.text(bx + barW / 2, top - 18, formatSeconds(v), INK, 2, 'center');
    }
    c.text(gx + groupW / 2, left.y + left.h + 12, g.label, INK, 2, 'center');
    if (g.play > 0) c.text(gx + groupW / 2, left.y + left.h + 36, `x${(g.ansible / g.play).toFixed(1)}`, MUTED, 2, 'center');
  });

  // right: scale lines
  const right: Panel = { x: 760, y: 130, w: 480, h: 420 };
  c.text(right.x + right.w / 2, 108, 'Scale: no-op of 20 tasks per host', INK, 2, 'center');
  const ry = logAxes(c, right, logRange(input.scale.flatMap((s) => [s.play, s.ansible])));
  const maxHosts = Math.max(10, ...input.scale.map((s) => s.hosts));
  const rx = (h: number): number => right.x + (h / (maxHosts * 1.08)) * right.w;
  for (const s of input.scale) {
    c.line(rx(s.hosts), right.y + right.h, rx(s.hosts), right.y + right.h + 6, INK, 2);
    c.text(rx(s.hosts), right.y + right.h + 12, String(s.hosts), INK, 2, 'center');
  }
  c.text(right.x + right.w / 2, right.y + right.h + 36, 'hosts', INK, 2, 'center');
  for (const [key, color] of [['play', PLAY], ['ansible', ANSIBLE]] as const) {
    const pts = input.scale.map((s) => [rx(s.hosts), ry(s[key]), s[key]] as const);
    for (let i = 1; i < pts.length; i++) c.line(pts[i - 1]![0], pts[i - 1]![1], pts[i]![0], pts[i]![1], color, 3);
    for (const [x, y, v] of pts) {
      c.disc(x, y, 6, color);
      c.text(x + 12, y - 7, formatSeconds(v), color, 2);
    }
  }
  c.textVertical(30, left.y + left.h / 2, 'seconds (log)', INK, 2);
  return c.png();
}
