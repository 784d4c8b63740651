/**
 * Reading a file of input (an inventory, a group_vars/host_vars file, a playbook, -e @file): a
 * regular file, not too big, as UTF-8 text. A symlink to /dev/zero, a folder, a loop of symlinks
 * or an unreadable file is an input error naming the file (exit 2), not an internal error.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { InputError, type SourceLocation } from './errors.js';

/** The InputError subclass a reader's errors should have (InventoryError, PlaybookError...). */
export type InputErrorClass = new (reason: string, where?: SourceLocation, key?: string, options?: { cause?: unknown }) => InputError;

/** An input document larger than this is refused: no inventory, vars file or playbook is that big. */
export const MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

export function refuseOversized(text: string, file: string, ErrorType: InputErrorClass = InputError): void {
  if (text.length > MAX_DOCUMENT_CHARS) throw tooBig(file, ErrorType);
}

function tooBig(file: string, ErrorType: InputErrorClass): InputError {
  return new ErrorType(`is larger than ${MAX_DOCUMENT_CHARS / (1024 * 1024)} MiB: refused as input`, { file });
}

/** An fs error as an input error: its code only (the path is `file`, as the user wrote it). */
export function fsError(err: unknown, file: string, ErrorType: InputErrorClass = InputError): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new ErrorType('a loop of symbolic links: cannot be read', { file });
  return new ErrorType(`cannot read file: ${code ?? String(err)}`, { file });
}

function checkStats(info: Stats, file: string, ErrorType: InputErrorClass): void {
  if (!info.isFile()) throw new ErrorType('is not a regular file', { file });
  if (info.size > MAX_DOCUMENT_CHARS) throw tooBig(file, ErrorType);
}

export async function readInputFile(abs: string, file: string, ErrorType: InputErrorClass = InputError): Promise<string> {
  let info: Stats;
  try {
    info = await stat(abs);
  } catch (err) {
    throw fsError(err, file, ErrorType);
  }
  checkStats(info, file, ErrorType);
  try {
    return await readFile(abs, 'utf8');
  } catch (err) {
    throw fsError(err, file, ErrorType);
  }
}

export function readInputFileSync(abs: string, file: string, ErrorType: InputErrorClass = InputError): string {
  let text: string;
  try {
    checkStats(statSync(abs), file, ErrorType);
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw fsError(err, file, ErrorType);
  }
  return text;
}

/** The stats of an entry met while walking a folder of input, errors as input errors. */
export async function statInput(abs: string, file: string, ErrorType: InputErrorClass = InputError): Promise<Stats> {
  try {
    return await stat(abs);
  } catch (err) {
    throw fsError(err, file, ErrorType);
  }
}

/**
 * Folders already walked, by their real path: a symlink back to one of them (`loop -> .`) is a
 * loop, refused instead of followed until the path is too long.
 */
export class FolderWalk {
  private readonly seen = new Set<string>();

  constructor(private readonly ErrorType: InputErrorClass = InputError) {}

  async enter(abs: string, file: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      throw fsError(err, file, this.ErrorType);
    }
    if (this.seen.has(real)) throw new this.ErrorType('a symbolic link back to a folder already read (a loop): refused', { file });
    this.seen.add(real);
  }
}
