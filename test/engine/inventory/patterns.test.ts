import { expect } from 'chai';
import { InputError } from '../../../engine/errors.js';
import { globToRegExp, selectHosts, splitHostPattern, type PatternTarget } from '../../../engine/playbook/patterns.js';
import type { Inventory } from '../../../engine/types.js';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: host patterns', () => {
  let inv: Inventory;
  before(async () => {
    // all -> [ungrouped, b, c, web]; c -> [a]. Hosts of all, level by level: b1 a1 c1 web.. a2.
    inv = await inventoryFrom(
      {
        hosts: dedent(`
          [a]
          a1
          a2
          [b]
          b1
          a1
          [c]
          c1
          [c:children]
          a
          [web]
          web01.lab
          web02.lab
          db01.lab
        `),
      },
      ['hosts'],
    );
  });
  after(cleanupInventories);
  const sel = (pattern: string): string[] => inv.select(pattern);

  it('all and * select every host in inventory order', () => {
    expect(sel('all')).to.deep.equal(['b1', 'a1', 'c1', 'web01.lab', 'web02.lab', 'db01.lab', 'a2']);
    expect(sel('*')).to.deep.equal(sel('all'));
    expect([...inv.hosts.keys()]).to.deep.equal(sel('all'));
  });
  it('a group includes its children, a host is itself', () => {
    expect(sel('c')).to.deep.equal(['c1', 'a1', 'a2']);
    expect(sel('a2')).to.deep.equal(['a2']);
  });
  it('unions with : and , keep first-seen order', () => {
    expect(sel('a:b')).to.deep.equal(['a1', 'a2', 'b1']);
    expect(sel('a,b')).to.deep.equal(['a1', 'a2', 'b1']);
    expect(sel('b:a1')).to.deep.equal(['b1', 'a1']);
  });
  it('intersections and exclusions apply after the unions, wherever they are written', () => {
    expect(sel('a:&b')).to.deep.equal(['a1']);
    expect(sel('&a:b')).to.deep.equal(['a1']);
    expect(sel('a:!b')).to.deep.equal(['a2']);
    expect(sel('!b:a')).to.deep.equal(['a2']);
    expect(sel('!web')).to.deep.equal(['b1', 'a1', 'c1', 'a2']);
    expect(sel('c:!a1:&a')).to.deep.equal(['a2']);
  });
  it('slices a group: index, negative index, inclusive ranges, open end', () => {
    expect(sel('a[0]')).to.deep.equal(['a1']);
    expect(sel('a[-1]')).to.deep.equal(['a2']);
    expect(sel('c[0:1]')).to.deep.equal(['c1', 'a1']);
    expect(sel('c[1:]')).to.deep.equal(['a1', 'a2']);
    expect(sel('c[1:0]')).to.deep.equal(['a1']);
    expect(sel('a[0]:b[0]')).to.deep.equal(['a1', 'b1']);
    expect(sel('c[9]')).to.deep.equal([]);
  });
  it('globs match group names (all included) and host names', () => {
    expect(sel('a*')).to.deep.equal(sel('all'));
    expect(sel('b*')).to.deep.equal(['b1', 'a1']);
    expect(sel('*1')).to.deep.equal(['a1', 'b1', 'c1']);
    expect(sel('web0?.lab')).to.deep.equal(['web01.lab', 'web02.lab']);
    expect(sel('[!w]*.lab')).to.deep.equal(['db01.lab']);
    // the glob's list has duplicates (group all, group a, then hosts a1 a2) and the slice
    // indexes that list: 7 hosts, then a1 a2 a1 a2
    expect(sel('a*[7]')).to.deep.equal(['a1']);
    expect(sel('a*[10]')).to.deep.equal(['a2']);
  });
  it('~regex matches from the start of names', () => {
    expect(sel('~[ab]1')).to.deep.equal(['a1', 'b1']);
    expect(sel('~web')).to.deep.equal(['web01.lab', 'web02.lab', 'db01.lab']);
    expect(sel('~.*\\.lab')).to.deep.equal(['web01.lab', 'web02.lab', 'db01.lab']);
  });
  it('a glob or regex that matches nothing is an empty selection', () => {
    expect(sel('zz*')).to.deep.equal([]);
    expect(sel('~nomatch')).to.deep.equal([]);
    expect(sel('a:&b1:&a2')).to.deep.equal([]);
  });
  it('a name that is no group and no host is an InputError naming where and the word', () => {
    const where = { file: 'site.yml', line: 3 };
    for (const pattern of ['nope', 'a:nope', 'a:!nope', 'a:&nope']) {
      let caught: unknown;
      try {
        inv.select(pattern, where);
      } catch (err) {
        caught = err;
      }
      expect(caught, pattern).to.be.instanceOf(InputError);
      expect((caught as InputError).where).to.deep.equal(where);
      expect((caught as InputError).message).to.match(/^site\.yml:3: host pattern 'nope' matches no group and no host/);
    }
    expect(() => inv.select('  ')).to.throw(InputError, /empty host pattern/);
  });

  it('splits patterns like Ansible: commas first, whole addresses kept', () => {
    expect(splitHostPattern('a, b[1], c[2:3] , d')).to.deep.equal(['a', 'b[1]', 'c[2:3]', 'd']);
    expect(splitHostPattern('web:&db:!x')).to.deep.equal(['web', '&db', '!x']);
    expect(splitHostPattern('web[0:2]')).to.deep.equal(['web[0:2]']);
    expect(splitHostPattern('g[1:]:h')).to.deep.equal(['g[1:]', 'h']);
    expect(splitHostPattern('fe80::1')).to.deep.equal(['fe80::1']);
  });

  it('translates globs as fnmatch does', () => {
    expect(globToRegExp('web*').test('web01')).to.equal(true);
    expect(globToRegExp('web*').test('xweb')).to.equal(false);
    expect(globToRegExp('h[12]').test('h2')).to.equal(true);
    expect(globToRegExp('h[!12]').test('h2')).to.equal(false);
    expect(globToRegExp('h[').test('h[')).to.equal(true);
    expect(globToRegExp('a.b').test('axb')).to.equal(false);
  });

  it('works on any PatternTarget', () => {
    const target: PatternTarget = {
      hostNames: ['x', 'y'],
      groupNames: ['all', 'ungrouped', 'g'],
      groupHosts: (g) => (g === 'all' ? ['y', 'x'] : g === 'g' ? ['x'] : []),
    };
    expect(selectHosts(target, 'all:!g')).to.deep.equal(['y']);
  });
});
