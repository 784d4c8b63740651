import ansiEscapes from 'ansi-escapes';
import type { ViewSize } from './live-view.js';

/** Where the live view draws: a terminal's size (asked at every frame) and its raw output. */
export interface Terminal {
  size(): ViewSize;
  write(text: string): void;
}

export const processTerminal: Terminal = {
  size: () => ({ rows: process.stdout.rows || 24, columns: process.stdout.columns || 80 }),
  write: (text) => void process.stdout.write(text),
};

/**
 * A block of lines redrawn in place under what was printed before: each frame erases the last
 * one and writes itself in one write. The lines must fit the terminal (one row each, fewer than
 * its height), or the erase cannot reach them; live-view.ts lays them out so.
 */
export class FrameWriter {
  /** Lines of the frame now on screen; the cursor is on the line below them. */
  private height = 0;

  constructor(private readonly terminal: Terminal) {}

  draw(lines: readonly string[]): void {
    this.terminal.write(this.erase() + lines.map((l) => `${l}\n`).join(''));
    this.height = lines.length;
  }

  /** Takes the frame off the screen (before other output; the next draw puts it back below). */
  clear(): void {
    if (this.height) this.terminal.write(this.erase());
    this.height = 0;
  }

  /** Leaves the frame on screen for good: what is written next goes below it. */
  keep(): void {
    this.height = 0;
  }

  private erase(): string {
    return this.height ? ansiEscapes.eraseLines(this.height + 1) : '';
  }
}
