/**
 * The fetch op: a file on the host copied to the controller (Ansible's fetch), e.g. admin.conf
 * to the user's workstation. Check compares the host's content (read as a fact) with the
 * controller's file by SHA-256 and mode; apply reads the host's file again (the controller gets
 * what is on the host then, not what the check saw) and writes it atomically: the folder made
 * 0700 or checked to be this user's own and writable by no one else, the content created
 * exclusively (O_EXCL) in a private mkdtemp folder beside the target, then renamed over it.
 * Nothing at a guessable name is ever opened, so a planted file or link changes nothing. A
 * secret file's change says that it changed, never what.
 */
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants as fsConstants, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TaskError } from '../errors.js';
import { sh } from '../shell.js';
import type { Change, Task, TaskContext } from '../types.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface FetchSpec {
  /** The file on the host. */
  readonly source: string;
  /** Where it goes on the controller. */
  readonly target: string;
  /** Mode of the controller's copy: 0600 unless said otherwise. */
  readonly mode?: number;
  /** The content is a credential: never printed, no diff. */
  readonly secret?: boolean;
  /** What the setting is called, for errors about the target's folder (e.g. kubeconfig_fetch_dir). */
  readonly targetVar?: string;
  /** `--check` on a host without the source yet says the file comes "once ..." (default: once it exists). */
  readonly pending?: string;
  /** Why a missing source is an error at apply time (e.g. "although kubeadm init reported success"). */
  readonly missingWhy?: string;
  /** The host's content as the check sees it; undefined: not there yet. */
  readonly current: () => Promise<string | undefined>;
  /** Called with the content read at apply before it is written: register secrets, refuse what is not the expected kind of file. */
  readonly accept?: (content: string) => void;
}

export interface FetchChange extends Change {
  readonly spec: FetchSpec;
}

export interface ControllerFile {
  readonly sha256: string;
  readonly mode: number;
}

const DEFAULT_MODE = 0o600;

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A controller file's hash and mode; undefined when it does not exist. */
export function readControllerFile(path: string): ControllerFile | undefined {
  try {
    const content = readFileSync(path);
    return { sha256: sha256Hex(content), mode: statSync(path).mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TaskError(`cannot read ${path} on the controller: ${(err as Error).message}`);
  }
}

/** A small text file on the controller (a public key), for a role's variables; undefined with the error code when unreadable. */
export function readControllerText(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
}

/**
 * A file on the controller that a role sends to hosts (an etcd snapshot), checked before any host
 * is contacted: a readable, non-empty regular file. The reason says what is wrong, never the path.
 */
export function checkControllerInput(path: string): { size: number } | { error: string } {
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'names no file on the controller' : `cannot be read on the controller (${code ?? 'error'})` };
  }
  if (!info.isFile()) return { error: 'names no regular file on the controller' };
  try {
    accessSync(path, fsConstants.R_OK);
  } catch (err) {
    return { error: `cannot be read on the controller (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (info.size === 0) return { error: 'names an empty file on the controller' };
  return { size: info.size };
}

/** The bytes of a controller file (an etcd snapshot); a TaskError naming `setting` when unreadable. */
export function readControllerBytes(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TaskError(`the file of ${setting} cannot be read on the controller (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The folder a secret goes to must be the controller user's own and writable by no one else:
 * otherwise another local user could rename, replace or link it. A folder play makes is 0700;
 * an existing one is checked, never silently changed (it may be the user's home).
 */
export function checkControllerSecretDir(dir: string, setting = 'the target folder', what = 'a credential'): void {
  let info;
  try {
    info = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new TaskError(`cannot read ${dir} on the controller: ${(err as Error).message}`);
  }
  const uid = process.getuid?.();
  if (!info.isDirectory()) throw new TaskError(`${dir} on the controller is not a directory (${setting})`);
  if (uid !== undefined && info.uid !== uid) {
    throw new TaskError(`${dir} on the controller belongs to uid ${info.uid}, not to this user (${uid}): refusing to put ${what} there (${setting})`);
  }
  if (info.mode & 0o022) {
    throw new TaskError(
      `${dir} on the controller is writable by ${info.mode & 0o002 ? 'every user' : 'its group'} (mode ${(info.mode & 0o7777).toString(8)}): ` +
        `refusing to put ${what} there; chmod go-w it or choose another ${setting}`,
    );
  }
}

/** Writes `content` to `path` on the controller, atomically, at `mode`, in a checked private folder. */
export function writeControllerFile(path: string, content: string | Buffer, mode = DEFAULT_MODE, setting?: string): void {
  const dir = dirname(path);
  checkControllerSecretDir(dir, setting, basename(path));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkControllerSecretDir(dir, setting, basename(path));
  const privateDir = mkdtempSync(join(dir, `.${basename(path)}.play-`));
  try {
    const tmp = join(privateDir, basename(path));
    writeFileSync(tmp, content, { mode, flag: 'wx' });
    chmodSync(tmp, mode); // the umask may have narrowed it; never widened it
    renameSync(tmp, path);
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
}

/**
 * Rotation of fetched files (e.g. dated snapshots): `choose` gets the names in a controller
 * folder and says which to delete; those are removed. Returns them.
 */
export function pruneControllerDir(dir: string, choose: (names: readonly string[]) => readonly string[]): string[] {
  const names = readdirSync(dir);
  const doomed = choose(names).filter((n) => names.includes(n) && basename(n) === n);
  for (const name of doomed) rmSync(join(dir, name), { force: true });
  return [...doomed];
}

/** What the fetch would change, or null when the controller's copy is the host's file at its mode. */
export function planFetch(spec: FetchSpec, content: string): FetchChange | null {
  const mode = spec.mode ?? DEFAULT_MODE;
  checkControllerSecretDir(dirname(spec.target), spec.targetVar, basename(spec.target));
  const local = readControllerFile(spec.target);
  if (local && local.sha256 === sha256Hex(content) && local.mode === mode) return null;
  const why = !local ? 'missing' : local.sha256 !== sha256Hex(content) ? 'content differs' : `mode ${local.mode.toString(8)} -> ${mode.toString(8)}`;
  return { summary: `write ${spec.target} on the controller (${why})`, spec };
}

export function fetch<V>(name: string, specOf: SpecFn<V, FetchSpec>, options: TaskOptions<V> = {}): Task<V, FetchChange> {
  return {
    ...taskMeta(name, options),
    // The controller's file is outside every host's epoch: always read at its turn.
    prefetch: false,
    async check(ctx) {
      const spec = await specOf(ctx);
      const content = await spec.current();
      if (content === undefined) {
        if (ctx.checkMode) return { summary: `fetch ${spec.source} to ${spec.target} (controller) ${spec.pending ?? 'once it exists'}`, spec };
        throw new TaskError(`${spec.source} is missing on ${ctx.host.name}${spec.missingWhy ? ` ${spec.missingWhy}` : ''}`);
      }
      return planFetch(spec, content);
    },
    async apply(ctx: TaskContext<V>, change) {
      const { spec } = change;
      const result = await ctx.run(sh`cat -- ${spec.source}`, { label: `read ${spec.source}` });
      spec.accept?.(result.stdout);
      writeControllerFile(spec.target, result.stdout, spec.mode ?? DEFAULT_MODE, spec.targetVar);
    },
  };
}
