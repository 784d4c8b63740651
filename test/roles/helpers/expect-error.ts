import { expect } from 'chai';
import { VarsError, formatLocation } from '../../../engine/errors.js';

/** Runs fn, expects a VarsError for `key` located at `where` ('file:line'), returns its message. */
export function expectVarsError(fn: () => unknown, key: string, where: string, reason?: RegExp): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a VarsError for ${key}`).to.be.instanceOf(VarsError);
  const err = caught as VarsError;
  expect(err.key, err.message).to.equal(key);
  expect(err.where ? formatLocation(err.where) : '(nowhere)', err.message).to.equal(where);
  if (reason) expect(err.message).to.match(reason);
  return err.message;
}
