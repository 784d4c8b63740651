import type { RunReport } from '../runner/events.js';
import { jsonReport } from './json.js';
import type { Reporter } from './reporter.js';

/** --json: stdout carries only the final document; warnings go to stderr. */
export class JsonReporter implements Reporter {
  constructor(
    private readonly out: (line: string) => void,
    private readonly err: (line: string) => void,
  ) {}
  playStart(): void {}
  playEnd(): void {}
  taskStart(): void {}
  taskEnd(): void {}
  hostEnd(): void {}
  log(): void {}
  warn(message: string): void {
    this.err(`[WARNING]: ${message}`);
  }
  finish(report: RunReport): void {
    this.out(JSON.stringify(jsonReport(report), null, 2));
  }
}
