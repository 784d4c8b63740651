/**
 * Byte-for-byte comparison with test/golden/runtime/<name> for the cluster roles' rendered
 * files. UPDATE_GOLDEN=1 rewrites the file instead (review the diff before keeping it).
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIME_GOLDEN = fileURLToPath(new URL('../../../test/golden/runtime/', import.meta.url));

export function readGolden(name: string): string {
  return readFileSync(join(RUNTIME_GOLDEN, name), 'utf8');
}

export function expectGolden(name: string, actual: string): void {
  const path = join(RUNTIME_GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(RUNTIME_GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `golden file ${path} is missing (UPDATE_GOLDEN=1 writes it)`).to.equal(true);
  expect(actual, `differs from ${path} (UPDATE_GOLDEN=1 rewrites it)`).to.equal(readFileSync(path, 'utf8'));
}
