/** Loads an inventory written to a temp dir, and checks InventoryErrors by file, line and key. */
import { expect } from 'chai';
import { InputError } from '../../../../engine/errors.js';
import { loadInventory } from '../../../../engine/inventory/index.js';
import type { Inventory } from '../../../../engine/types.js';
import { removeTree, writeTree } from './temp-tree.js';

const roots: string[] = [];

/** Writes `files` to a temp dir and loads `sources` (relative to it) as -i values. */
export async function inventoryFrom(files: Readonly<Record<string, string>>, sources: string[]): Promise<Inventory> {
  const root = await writeTree(files);
  roots.push(root);
  return loadInventory(sources, { cwd: root });
}

export async function cleanupInventories(): Promise<void> {
  await Promise.all(roots.splice(0).map(removeTree));
}

export interface ExpectedError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
  readonly message?: RegExp;
}

export async function expectInputError(promise: Promise<unknown>, expected: ExpectedError): Promise<InputError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'an InputError was expected').to.be.instanceOf(InputError);
  const err = caught as InputError;
  expect(err.exitCode).to.equal(2);
  expect(err.where?.file, err.message).to.equal(expected.file);
  if (expected.line !== undefined) expect(err.where?.line, err.message).to.equal(expected.line);
  if (expected.column !== undefined) expect(err.where?.column, err.message).to.equal(expected.column);
  if (expected.key !== undefined) expect(err.key, err.message).to.equal(expected.key);
  if (expected.message) expect(err.message).to.match(expected.message);
  return err;
}
