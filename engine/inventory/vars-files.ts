/**
 * group_vars/ and host_vars/ next to an inventory source, found as Ansible's host_group_vars
 * plugin finds them: the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that exists; if
 * it is a folder, every file in it (recursively, in name order, skipping hidden files, `~`
 * backups and extensions other than none/.yml/.yaml/.json) merged in that order.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InventoryError } from '../errors.js';
import { FolderWalk, fsError, readInputFile, statInput } from '../input-file.js';
import { Vault } from '../vault/index.js';
import { isMapping, isPythonFalsy } from '../values.js';
import { parseYaml } from '../yaml/load.js';

export const VARS_EXTENSIONS = ['.yml', '.yaml', '.json'] as const;

export type VarsKind = 'group_vars' | 'host_vars';

/** A folder whose group_vars/ and host_vars/ apply: the -i directory, or the -i file's folder. */
export interface VarsDir {
  readonly abs: string;
  /** As the user would write it (relative to cwd when -i was), for provenance. */
  readonly display: string;
}

export interface VarsFile {
  readonly file: string;
  readonly vars: Readonly<Record<string, unknown>>;
  /** 1-based line of each top-level key. */
  readonly lines: ReadonlyMap<string, number>;
}

export class VarsFileLoader {
  private readonly loaded = new Map<string, Promise<VarsFile | undefined>>();
  private readonly listings = new Map<string, Promise<Set<string> | undefined>>();

  /** A file may be vault-encrypted as a whole (group_vars/all/vault.yml) or hold !vault values. */
  constructor(private readonly vault: Vault = new Vault()) {}

  /** The files for one group or host in one vars folder, in the order they are merged. */
  async find(dir: VarsDir, kind: VarsKind, name: string): Promise<VarsFile[]> {
    // Ansible skips names that look like absolute paths (chroot-style inventory hostnames).
    if (name.startsWith('/')) return [];
    const base = path.join(dir.abs, kind);
    const entries = await this.listing(base);
    if (!entries) return [];
    for (const ext of ['', ...VARS_EXTENSIONS]) {
      const entry = name + ext;
      if (!entries.has(entry)) continue;
      const abs = path.join(base, entry);
      const display = path.join(dir.display, kind, entry);
      const info = await statInput(abs, display, InventoryError);
      const files = info.isDirectory() ? await walkVarsFolder(abs, display, new FolderWalk(InventoryError)) : [{ abs, display }];
      const out: VarsFile[] = [];
      for (const f of files) {
        const loaded = await this.load(f.abs, f.display);
        if (loaded) out.push(loaded);
      }
      return out;
    }
    return [];
  }

  private listing(dir: string): Promise<Set<string> | undefined> {
    let promise = this.listings.get(dir);
    if (!promise) {
      promise = stat(dir).then(
        async (info) => (info.isDirectory() ? new Set(await readdir(dir)) : undefined),
        () => undefined,
      );
      this.listings.set(dir, promise);
    }
    return promise;
  }

  private load(abs: string, display: string): Promise<VarsFile | undefined> {
    let promise = this.loaded.get(abs);
    if (!promise) {
      promise = readInputFile(abs, display, InventoryError).then((text) => parseVarsFile(this.vault.openFile(text, display), display, this.vault));
      this.loaded.set(abs, promise);
    }
    return promise;
  }
}

/** Parses one (decrypted) vars file; undefined for an empty one (Ansible skips it). */
export function parseVarsFile(text: string, file: string, vault?: Vault): VarsFile | undefined {
  const doc = parseYaml(text, file, { errorType: InventoryError, vault });
  const data = doc.data;
  if (isPythonFalsy(data)) return undefined;
  if (!isMapping(data)) {
    // The value is not quoted: it may come from a vault-encrypted file.
    const got = Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    throw new InventoryError(`a variables file must be a mapping of names to values, got ${got}`, { file, line: 1 });
  }
  const lines = new Map<string, number>();
  for (const key of Object.keys(data)) lines.set(key, doc.locate([key]).line ?? 1);
  return { file, vars: data, lines };
}

async function walkVarsFolder(abs: string, display: string, walk: FolderWalk): Promise<Array<{ abs: string; display: string }>> {
  await walk.enter(abs, display);
  const out: Array<{ abs: string; display: string }> = [];
  for (const entry of (await listFolder(abs, display)).sort(byCodePoint)) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const ext = extension(entry);
    const childAbs = path.join(abs, entry);
    const childDisplay = path.join(display, entry);
    const info = await statInput(childAbs, childDisplay, InventoryError);
    if (info.isDirectory() && !ext) out.push(...(await walkVarsFolder(childAbs, childDisplay, walk)));
    else if (info.isFile() && (!ext || (VARS_EXTENSIONS as readonly string[]).includes(ext))) {
      out.push({ abs: childAbs, display: childDisplay });
    }
  }
  return out;
}

export async function listFolder(abs: string, display: string): Promise<string[]> {
  try {
    return await readdir(abs);
  } catch (err) {
    throw fsError(err, display, InventoryError);
  }
}

/** Python's os.path.splitext()[1]: leading dots of the name do not start an extension. */
export function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(name.slice(0, dot + 1))) return '';
  return name.slice(dot);
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
