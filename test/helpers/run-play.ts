import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/helpers/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PLAY_BIN = fileURLToPath(new URL('../../engine/cli/main.js', import.meta.url));
export const FIXTURE_ROLES = fileURLToPath(new URL('../fixtures/roles/', import.meta.url));

export interface PlayRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `play` command as a user would (not a function call): exit codes, streams and all.
 * `input` is piped to its stdin (answers to -K and --ask-vault-pass); without it stdin is closed.
 */
export function runPlay(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<PlayRun> {
  return runCaptured(process.execPath, [PLAY_BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, CI: 'true', NO_COLOR: '1', ...options.env }, input: options.input });
}

/** Runs a program (no shell) and captures its exit code and both streams; stdin gets `input`, or is closed. */
export function runCaptured(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<PlayRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface JsonTask {
  play: string;
  role: string;
  task: string;
  handler: boolean;
  status: string;
  changed: boolean;
  duration_ms: number;
  summary?: string;
  error?: string;
  details?: { command?: string; exit_code?: number; stderr?: string };
}

export interface JsonReportDoc {
  check: boolean;
  exit_code: number;
  warnings: string[];
  hosts: Record<string, { stats: Record<string, number>; connection: { execs: number; connects: number }; tasks: JsonTask[] }>;
}

export function parseJsonReport(run: PlayRun): JsonReportDoc {
  try {
    return JSON.parse(run.stdout) as JsonReportDoc;
  } catch {
    throw new Error(`play --json printed no JSON (exit ${run.code}): ${run.stderr || run.stdout}`);
  }
}

export function changedTasks(doc: JsonReportDoc, host: string): string[] {
  return (doc.hosts[host]?.tasks ?? []).filter((t) => t.changed).map((t) => `${t.role} : ${t.task}`);
}
