import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Connection, ExecResult, Fact, FactGroup } from '../types.js';

interface Pending {
  id: string;
  command: string;
  group?: FactGroup;
  waiters: Array<{ resolve: (r: ExecResult) => void; reject: (e: unknown) => void }>;
}

/** What one batch asked and how long its round trip took (shown with -vv / -vvvv). */
export interface BatchReport {
  readonly ids: readonly string[];
  readonly ms: number;
  /** The facts were read in the exec of a command, right after it (no round trip of their own). */
  readonly alongCommand?: boolean;
}

/** A command's result and the facts read right after it in the same exec. */
export interface ReadAlong {
  readonly result: ExecResult;
  /** Each fact's answer by id; empty when the output could not be split (the command's result is then the raw one). */
  readonly facts: ReadonlyMap<string, ExecResult>;
}

/**
 * DataLoader for facts: every fact asked on a host in the same tick goes out in ONE remote script,
 * so a no-op check of a whole play costs one round trip. Results are cached until invalidate()
 * (called after any apply, since an apply may change what a fact reads).
 */
export class FactBatcher {
  private cache = new Map<string, Promise<ExecResult>>();
  private pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(
    private readonly connection: Connection,
    private readonly onBatch?: (batch: BatchReport) => void,
  ) {}

  async get<T>(fact: Fact<T>): Promise<T> {
    return fact.parse(await this.raw(fact.id, fact.command, fact.group));
  }

  raw(id: string, command: string, group?: FactGroup): Promise<ExecResult> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<ExecResult>((resolve, reject) => {
      const entry = this.pending.get(id) ?? { id, command, ...(group ? { group } : {}), waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(id, entry);
    });
    this.cache.set(id, promise);
    this.schedule();
    return promise;
  }

  invalidate(): void {
    this.cache = new Map();
  }

  /**
   * Runs a command and, in the same exec, the facts the host's later checks will ask: an apply
   * then costs one round trip, not two. The command runs first, alone in its subshell, so the
   * facts read the state it left; its stdout, stderr and exit code come back exactly as exec's.
   */
  async runThenRead(command: string, facts: readonly Fact<unknown>[]): Promise<ReadAlong> {
    const started = Date.now();
    const answers = new Map<string, ExecResult>();
    const entries: Pending[] = facts.map((f) => ({
      id: f.id,
      command: f.command,
      ...(f.group ? { group: f.group } : {}),
      waiters: [{ resolve: (r: ExecResult) => void answers.set(f.id, r), reject: () => undefined }],
    }));
    const units = groupUnits(entries);
    const marker = batchMarker();
    const raw = await this.connection.exec(batchScript([command, ...units.map((u) => u.command)], marker));
    let parts: ExecResult[];
    try {
      parts = parseBatchOutput(raw.stdout, raw.stderr, units.length + 1, marker);
    } catch {
      return { result: commandPart(raw, marker), facts: answers };
    }
    this.onBatch?.({ ids: facts.map((f) => f.id), ms: Date.now() - started, alongCommand: true });
    units.forEach((unit, i) => unit.settle(parts[i + 1]!));
    return { result: parts[0]!, facts: answers };
  }

  /** Answers read along with the command that last changed the host (see runThenRead). */
  seed(answers: ReadonlyMap<string, ExecResult>): void {
    for (const [id, result] of answers) this.cache.set(id, Promise.resolve(result));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after every pending microtask, so checks started together batch together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return;
    const started = Date.now();
    try {
      const units = groupUnits(batch);
      const unitResults = await runBatch(this.connection, units.map((u) => u.command));
      this.onBatch?.({ ids: batch.map((p) => p.id), ms: Date.now() - started });
      units.forEach((unit, i) => unit.settle(unitResults[i]!));
    } catch (err) {
      batch.forEach((entry) => entry.waiters.forEach((w) => w.reject(err)));
    }
  }
}

/**
 * The command's own result when the reads after it did not all finish (the shell died): its
 * section when it has one, else exec's answer as it is (a sudo that refused never ran it).
 */
function commandPart(raw: ExecResult, marker: string): ExecResult {
  try {
    return parseBatchOutput(raw.stdout, raw.stderr, 1, marker)[0]!;
  } catch {
    return raw;
  }
}

/** One command of a batch and how its result reaches the facts it answers. */
interface BatchUnit {
  readonly command: string;
  settle(result: ExecResult): void;
}

/** Facts alone run their own command; two or more of one group share the group's command. */
function groupUnits(batch: readonly Pending[]): BatchUnit[] {
  const units: BatchUnit[] = [];
  const groups = new Map<string, Pending[]>();
  for (const entry of batch) {
    if (!entry.group) units.push(singleUnit(entry));
    else groups.set(entry.group.key, [...(groups.get(entry.group.key) ?? []), entry]);
  }
  for (const members of groups.values()) {
    if (members.length === 1) {
      units.push(singleUnit(members[0]!));
      continue;
    }
    const group = members[0]!.group!;
    const args = members.map((m) => m.group!.arg);
    units.push({
      command: group.command(args),
      settle(result) {
        let parts: ExecResult[];
        try {
          parts = group.split(result, args);
        } catch (err) {
          // Each member's parse then fails with this message, as if its own command had.
          parts = members.map(() => ({ code: 1, stdout: '', stderr: `grouped fact: ${errorMessage(err)}` }));
        }
        members.forEach((m, i) => m.waiters.forEach((w) => w.resolve(parts[i]!)));
      },
    });
  }
  return units;
}

function singleUnit(entry: Pending): BatchUnit {
  return { command: entry.command, settle: (result) => entry.waiters.forEach((w) => w.resolve(result)) };
}

/** Runs several read-only commands in one exec; each keeps its own stdout, stderr and exit code. */
export async function runBatch(connection: Connection, commands: string[]): Promise<ExecResult[]> {
  const marker = batchMarker();
  const result = await connection.exec(batchScript(commands, marker));
  if (result.code !== 0) {
    throw new Error(`fact batch failed (exit ${result.code}): ${result.stderr.trim().slice(-500)}`);
  }
  return parseBatchOutput(result.stdout, result.stderr, commands.length, marker);
}

function batchMarker(): string {
  return `play-${randomBytes(12).toString('hex')}`;
}

/**
 * Each command runs in its own subshell; after it, a line with a per-batch random marker, its
 * index and exit code closes its section of stdout (and of stderr). No temp files and no helper
 * processes: printf is a shell builtin, so a batch costs one fork per command beyond the
 * commands' own processes.
 */
export function batchScript(commands: string[], marker: string): string {
  const lines = [`__m=${marker}`];
  commands.forEach((command, i) => {
    lines.push(`(\n${command}\n) </dev/null; __c=$?; printf '\\n%s ${i} %s\\n' "$__m" "$__c"; printf '\\n%s ${i}\\n' "$__m" >&2`);
  });
  return lines.join('\n') + '\n';
}

export function parseBatchOutput(stdout: string, stderr: string, count: number, marker: string): ExecResult[] {
  const outs = sections(stdout, new RegExp(`\\n${marker} (\\d+) (\\d+)\\n`, 'g'));
  const errs = sections(stderr, new RegExp(`\\n${marker} (\\d+)\\n`, 'g'));
  const results: ExecResult[] = [];
  for (let i = 0; i < count; i++) {
    const out = outs.get(i);
    if (!out) throw new Error(`fact batch output is missing result ${i}`);
    results.push({ code: out.code, stdout: out.text, stderr: errs.get(i)?.text ?? '' });
  }
  return results;
}

/** Splits a stream at its marker lines: the text before each marker belongs to that index. */
function sections(stream: string, markerLine: RegExp): Map<number, { text: string; code: number }> {
  const found = new Map<number, { text: string; code: number }>();
  let start = 0;
  for (const match of stream.matchAll(markerLine)) {
    found.set(Number(match[1]), { text: stream.slice(start, match.index), code: Number(match[2] ?? 0) });
    start = match.index + match[0].length;
  }
  return found;
}
