/**
 * What the terminal view shows during a play, as plain data: which hosts are waiting, working,
 * done, failed or unreachable, and a frame fitted to the terminal. With few hosts, a line per
 * host; with more than fit, a summary and only the hosts still working, failures kept in view.
 * Pure: the reporter (terminal.ts) decides when to draw and adds icons and colours.
 */
import stringWidth from 'string-width';
import type { TaskResult } from '../runner/events.js';

export type HostPhase = 'waiting' | 'working' | 'done' | 'failed' | 'unreachable';

export interface LiveHost {
  readonly name: string;
  phase: HostPhase;
  /** `role : task` of the task it runs now (working) or failed in. */
  task?: string;
  ok: number;
  changed: number;
  error?: string;
  /** When it entered its phase (an event counter): working hosts are listed oldest first, failures in order. */
  since: number;
}

export interface ViewCounts {
  readonly total: number;
  readonly waiting: number;
  readonly working: number;
  readonly done: number;
  readonly failed: number;
  readonly unreachable: number;
  /** Tasks that changed something so far. */
  readonly changed: number;
}

export interface ViewSize {
  readonly rows: number;
  readonly columns: number;
}

export type LineKind = HostPhase | 'more';

export interface ViewLine {
  readonly kind: LineKind;
  readonly text: string;
}

export interface Frame {
  readonly summary: string;
  readonly lines: readonly ViewLine[];
}

/** Rows the frame may not use: its summary line, and one so the terminal never scrolls under it. */
export const FRAME_CHROME_ROWS = 2;
/** Columns taken before a line's text (indentation and icon) and a margin at its end. */
export const FRAME_INDENT_COLUMNS = 4;

/** The hosts of one play and their progress; O(1) per event, the frame is made on demand. */
export class LiveHosts {
  private readonly hosts = new Map<string, LiveHost>();
  private clock = 0;
  changed = 0;

  constructor(names: readonly string[]) {
    for (const name of names) this.hosts.set(name, { name, phase: 'waiting', ok: 0, changed: 0, since: 0 });
  }

  taskStarted(host: string, role: string, task: string): void {
    const h = this.hosts.get(host);
    if (!h || h.phase === 'failed' || h.phase === 'unreachable') return;
    if (h.phase !== 'working') this.enter(h, 'working');
    h.task = `${role} : ${task}`;
  }

  taskEnded(result: TaskResult): void {
    const h = this.hosts.get(result.host);
    if (!h) return;
    if (result.status === 'ok' || result.status === 'changed') h.ok++;
    if (result.status === 'changed') {
      h.changed++;
      this.changed++;
    }
    if (result.status === 'failed' || result.status === 'unreachable') {
      h.task = `${result.role} : ${result.task}`;
      h.error = firstLine(result.error ?? result.status);
      this.enter(h, result.status);
    }
  }

  /** The host has run all it will in this play. */
  hostEnded(host: string): void {
    const h = this.hosts.get(host);
    if (h && h.phase !== 'failed' && h.phase !== 'unreachable') this.enter(h, 'done');
  }

  get(host: string): LiveHost | undefined {
    return this.hosts.get(host);
  }

  all(): LiveHost[] {
    return [...this.hosts.values()];
  }

  private enter(h: LiveHost, phase: HostPhase): void {
    h.phase = phase;
    h.since = ++this.clock;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim();
}

export function countHosts(hosts: readonly LiveHost[], changed: number): ViewCounts {
  const n = (phase: HostPhase): number => hosts.filter((h) => h.phase === phase).length;
  return { total: hosts.length, waiting: n('waiting'), working: n('working'), done: n('done'), failed: n('failed'), unreachable: n('unreachable'), changed };
}

export function summaryLine(c: ViewCounts): string {
  const parts = [`${c.done}/${c.total} done`, `${c.working} working`];
  if (c.waiting) parts.push(`${c.waiting} waiting`);
  parts.push(`${c.failed} failed`, `${c.unreachable} unreachable`, `${c.changed} changed`);
  // short enough for 80 columns at 999 hosts
  return parts.join(', ');
}

/** The lines that fit `size`: every host when all fit, else failures and the working hosts. */
export function layoutFrame(hosts: readonly LiveHost[], changed: number, size: ViewSize): Frame {
  const width = Math.max(10, size.columns - FRAME_INDENT_COLUMNS);
  const budget = Math.max(0, size.rows - FRAME_CHROME_ROWS);
  const summary = fit(summaryLine(countHosts(hosts, changed)), width);
  const nameWidth = Math.min(30, Math.max(0, ...hosts.map((h) => h.name.length)));
  const line = (h: LiveHost): ViewLine => ({ kind: h.phase, text: fit(hostText(h, nameWidth), width) });
  if (hosts.length <= budget) return { summary, lines: hosts.map(line) };

  const failures = hosts.filter((h) => h.phase === 'failed' || h.phase === 'unreachable').sort(bySince);
  const working = hosts.filter((h) => h.phase === 'working').sort(bySince);
  const [failRows, workRows] = splitRows(budget, failures.length, working.length);
  return {
    summary,
    lines: [...capped(failures, failRows, 'failed or unreachable', line, width), ...capped(working, workRows, 'working', line, width)],
  };
}

/**
 * Rows for failures and for working hosts. Failures come first but leave at least half the
 * rows to working hosts while there are any; either side may use what the other does not need.
 */
export function splitRows(budget: number, failures: number, working: number): [number, number] {
  const failCap = working > 0 ? Math.ceil(budget / 2) : budget;
  const failRows = Math.min(failures, Math.max(failCap, budget - working));
  return [failRows, Math.min(working, budget - failRows)];
}

/** At most `rows` lines: when the hosts do not fit, the last row says how many more there are. */
function capped(hosts: readonly LiveHost[], rows: number, what: string, line: (h: LiveHost) => ViewLine, width: number): ViewLine[] {
  if (hosts.length <= rows) return hosts.map(line);
  if (rows <= 0) return [];
  const shown = hosts.slice(0, rows - 1).map(line);
  const more = hosts.length - shown.length;
  return [...shown, { kind: 'more', text: fit(`and ${more} more ${what}`, width) }];
}

function hostText(h: LiveHost, nameWidth: number): string {
  const name = h.name.padEnd(nameWidth);
  const counts = `ok=${h.ok} changed=${h.changed}`;
  switch (h.phase) {
    case 'waiting':
      return `${name}  waiting`;
    case 'working':
      return `${name}  ${counts}  ${h.task ?? ''}`.trimEnd();
    case 'done':
      return `${name}  ${counts}`;
    case 'failed':
      return `${name}  failed: ${h.task ?? ''}: ${h.error ?? ''}`;
    case 'unreachable':
      return `${name}  unreachable: ${h.task ?? ''}: ${h.error ?? ''}`;
  }
}

const bySince = (a: LiveHost, b: LiveHost): number => a.since - b.since;

const graphemes = new Intl.Segmenter();

/**
 * Cut to `width` terminal columns, marking the cut: a wider line would wrap and break the frame.
 * Columns as the terminal counts them (string-width: wide characters take two, marks none).
 */
export function fit(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept}…`;
}
