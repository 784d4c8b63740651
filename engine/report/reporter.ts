import type { RunEvents, RunReport } from '../runner/events.js';

export interface Reporter extends RunEvents {
  /** Prints the recap (or the JSON document) once the run is over. */
  finish(report: RunReport): void;
}

export interface ReporterOptions {
  readonly verbosity: number;
  readonly diff: boolean;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly color: boolean;
}
