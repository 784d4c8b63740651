/**
 * Reads the -i sources into the model, in order: a comma list of hosts (`h1,h2:2222,`), a file
 * (YAML by extension .yml/.yaml/.json; a file without extension is YAML when it parses as a
 * mapping, else INI, as Ansible tries its yaml plugin then its ini plugin; INI otherwise), or a
 * directory, whose entries are read in name order, recursively, skipping what Ansible skips by
 * default (hidden files, group_vars/, host_vars/, vars_plugins/, backups and .ini/.cfg/.txt...).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { InventoryError } from '../errors.js';
import { FolderWalk, readInputFile, statInput } from '../input-file.js';
import { VaultError, type Vault } from '../vault/index.js';
import { parseAddress } from './host-address.js';
import { parseIniInventory } from './ini-source.js';
import type { InventoryModel } from './inventory-model.js';
import { byCodePoint, extension, listFolder, VARS_EXTENSIONS, type VarsDir } from './vars-files.js';
import { isMapping } from '../values.js';
import { parseYaml, type YamlDocument } from '../yaml/load.js';
import { parseYamlInventory } from './yaml-source.js';

/** Ansible's INVENTORY_IGNORE_EXTS default plus the names it always ignores in a directory. */
const IGNORED_ENTRY =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

export function isIgnoredInventoryEntry(name: string): boolean {
  return IGNORED_ENTRY.test(name);
}

export interface SourceContext {
  readonly cwd: string;
  readonly model: InventoryModel;
  /** Opens vault-encrypted inventory files and !vault values. */
  readonly vault: Vault;
}

export type SourceKind = 'host-list' | 'file' | 'directory';

/** What one -i value is; a missing path is an error unless it is a comma list. */
export async function sourceKind(source: string, cwd: string): Promise<SourceKind> {
  const info = await statOrUndefined(path.resolve(cwd, source));
  if (!info) {
    if (source.includes(',')) return 'host-list';
    throw new InventoryError(`inventory source '${source}' does not exist`, { file: source });
  }
  return info.isDirectory() ? 'directory' : 'file';
}

export async function readSource(source: string, ctx: SourceContext): Promise<void> {
  const kind = await sourceKind(source, ctx.cwd);
  if (kind === 'host-list') parseHostList(source, ctx.model);
  else if (kind === 'directory') await readDirectory(path.normalize(source), ctx, new FolderWalk(InventoryError));
  else await readInventoryFile(path.normalize(source), ctx);
}

/** The folders whose group_vars/ and host_vars/ apply, one per -i source, in -i order. */
export async function varsDirs(sources: readonly string[], cwd: string): Promise<VarsDir[]> {
  const dirs: VarsDir[] = [];
  for (const source of sources) {
    const kind = await sourceKind(source, cwd);
    if (kind === 'host-list') continue;
    const display = path.normalize(source);
    if (kind === 'directory') dirs.push({ abs: path.resolve(cwd, source), display });
    else dirs.push({ abs: path.dirname(path.resolve(cwd, source)), display: path.dirname(display) });
  }
  return dirs;
}

/**
 * `-i 'a,b:2222,'`: each entry is a host of `ungrouped`; ranges are not expanded here. An entry
 * is located by its number, not by the -i text, which errors would otherwise print whole.
 */
export function parseHostList(source: string, model: InventoryModel): void {
  source.split(',').forEach((entry, i) => {
    const text = entry.trim();
    if (!text) return;
    const address = parseAddress(text, false);
    const name = address?.host ?? text;
    if (!model.hosts.has(name)) model.addHost(name, model.ungrouped, address?.port, { file: `-i host list, entry ${i + 1}` });
  });
}

async function readDirectory(dir: string, ctx: SourceContext, walk: FolderWalk): Promise<void> {
  const abs = path.resolve(ctx.cwd, dir);
  await walk.enter(abs, dir);
  const entries = (await listFolder(abs, dir)).sort(byCodePoint);
  for (const entry of entries) {
    if (isIgnoredInventoryEntry(entry)) continue;
    const display = path.join(dir, entry);
    const info = await statInput(path.resolve(ctx.cwd, display), display, InventoryError);
    if (info.isDirectory()) await readDirectory(display, ctx, walk);
    else await readInventoryFile(display, ctx);
  }
}

export async function readInventoryFile(file: string, ctx: SourceContext): Promise<void> {
  const text = ctx.vault.openFile(await readInputFile(path.resolve(ctx.cwd, file), file, InventoryError), file);
  parseInventoryText(text, file, ctx.model, ctx.vault);
  if (ctx.vault.wasEncrypted(file)) rememberValuesOf(file, ctx.model, ctx.vault);
}

/** Every variable an encrypted inventory file set is a secret (INI values never pass reveal). */
function rememberValuesOf(file: string, model: InventoryModel, vault: Vault): void {
  const tables = [...model.groups.values(), ...model.hosts.values()].map((node) => node.vars);
  for (const table of tables) {
    for (const entry of table.values()) if (entry.origin.file === file) vault.remember(entry.value);
  }
}

/** Chooses the format of one (decrypted) inventory file and parses it into the model. */
export function parseInventoryText(text: string, file: string, model: InventoryModel, vault?: Vault): void {
  const ext = extension(path.basename(file));
  if ((VARS_EXTENSIONS as readonly string[]).includes(ext)) {
    parseYamlInventory(parseYaml(text, file, { errorType: InventoryError, vault }), model);
    return;
  }
  if (ext === '.toml') throw new InventoryError('TOML inventories are not supported (use INI or YAML)', { file, line: 1 });
  if (!ext) {
    const doc = tryYaml(text, file, vault);
    if (doc && isMapping(doc.data) && Object.keys(doc.data).length > 0) {
      parseYamlInventory(doc, model);
      return;
    }
  }
  parseIniInventory(text, file, model);
}

function tryYaml(text: string, file: string, vault?: Vault): YamlDocument | undefined {
  try {
    return parseYaml(text, file, { errorType: InventoryError, vault });
  } catch (err) {
    // YAML with a vault value that cannot be opened is still YAML: say so, not an INI error.
    if (err instanceof VaultError) throw err;
    // Not YAML: Ansible's ini plugin gets the file next.
    return undefined;
  }
}

async function statOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await stat(abs);
  } catch {
    return undefined;
  }
}
