import { expect } from 'chai';
import { batches } from '../../../engine/runner/execute.js';
import type { PlannedPlay } from '../../../engine/runner/plan.js';

const playWith = (serial: (number | `${number}%`)[]): PlannedPlay => ({ play: { serial } } as unknown as PlannedPlay);
const hosts = ['a', 'b', 'c', 'd', 'e'];

describe('serial batches', () => {
  it('one batch without serial', () => expect(batches(hosts, playWith([]))).to.deep.equal([hosts]));
  it('fixed size', () => expect(batches(hosts, playWith([2]))).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]));
  it('a list whose last size repeats', () => expect(batches(hosts, playWith([1, 3]))).to.deep.equal([['a'], ['b', 'c', 'd'], ['e']]));
  it('percentages, at least one host', () => expect(batches(hosts, playWith(['10%']))).to.deep.equal(hosts.map((h) => [h])));
});
