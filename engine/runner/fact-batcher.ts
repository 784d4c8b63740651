import type { Connection, ExecResult, Fact } from '../types.js';

interface Pending {
  command: string;
  waiters: Array<{ resolve: (r: ExecResult) => void; reject: (e: unknown) => void }>;
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
    private readonly onBatch?: (count: number) => void,
  ) {}

  async get<T>(fact: Fact<T>): Promise<T> {
    return fact.parse(await this.raw(fact.id, fact.command));
  }

  raw(id: string, command: string): Promise<ExecResult> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<ExecResult>((resolve, reject) => {
      const entry = this.pending.get(id) ?? { command, waiters: [] };
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
    this.onBatch?.(batch.length);
    try {
      const results = await runBatch(this.connection, batch.map((p) => p.command));
      batch.forEach((entry, i) => entry.waiters.forEach((w) => w.resolve(results[i]!)));
    } catch (err) {
      batch.forEach((entry) => entry.waiters.forEach((w) => w.reject(err)));
    }
  }
}

/** Runs several read-only commands in one exec; each keeps its own stdout, stderr and exit code. */
export async function runBatch(connection: Connection, commands: string[]): Promise<ExecResult[]> {
  const result = await connection.exec(batchScript(commands));
  if (result.code !== 0) {
    throw new Error(`fact batch failed (exit ${result.code}): ${result.stderr.trim().slice(-500)}`);
  }
  return parseBatchOutput(result.stdout, commands.length);
}

export function batchScript(commands: string[]): string {
  const lines = ['__t=$(mktemp -d) || exit 97'];
  commands.forEach((command, i) => {
    lines.push(`(\n${command}\n) >"$__t/${i}.o" 2>"$__t/${i}.e" </dev/null; echo $? >"$__t/${i}.c"`);
  });
  lines.push(
    `__i=0; while [ "$__i" -lt ${commands.length} ]; do`,
    `  printf 'F %s %s :' "$__i" "$(cat "$__t/$__i.c")"; base64 -w0 <"$__t/$__i.o"; printf ' :'; base64 -w0 <"$__t/$__i.e"; printf '\\n'`,
    '  __i=$((__i + 1))',
    'done',
    'rm -rf "$__t"',
  );
  return lines.join('\n') + '\n';
}

export function parseBatchOutput(stdout: string, count: number): ExecResult[] {
  const results: ExecResult[] = new Array(count);
  for (const line of stdout.split('\n')) {
    const match = /^F (\d+) (\d+) :([A-Za-z0-9+/=]*) :([A-Za-z0-9+/=]*)$/.exec(line);
    if (!match) continue;
    const index = Number(match[1]);
    results[index] = {
      code: Number(match[2]),
      stdout: Buffer.from(match[3] ?? '', 'base64').toString('utf8'),
      stderr: Buffer.from(match[4] ?? '', 'base64').toString('utf8'),
    };
  }
  for (let i = 0; i < count; i++) {
    if (!results[i]) throw new Error(`fact batch output is missing result ${i}`);
  }
  return results;
}
