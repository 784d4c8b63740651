import { expect } from 'chai';
import { shouldRun, unknownTags } from '../../../engine/playbook/tags.js';

describe('tags (Ansible rules)', () => {
  const all = { only: ['all'], skip: [] };
  it('runs everything but never-tagged tasks by default', () => {
    expect(shouldRun([], all)).to.equal(true);
    expect(shouldRun(['haproxy'], all)).to.equal(true);
    expect(shouldRun(['never', 'debug'], all)).to.equal(false);
  });
  it('--tags selects by any matching tag; always still runs', () => {
    const f = { only: ['haproxy'], skip: [] };
    expect(shouldRun(['haproxy', 'lb'], f)).to.equal(true);
    expect(shouldRun(['keepalived'], f)).to.equal(false);
    expect(shouldRun(['always'], f)).to.equal(true);
    expect(shouldRun([], f)).to.equal(false);
  });
  it('never-tagged tasks run when one of their other tags is asked', () => {
    expect(shouldRun(['never', 'debug'], { only: ['debug'], skip: [] })).to.equal(true);
    expect(shouldRun(['never', 'debug'], { only: ['never'], skip: [] })).to.equal(true);
  });
  it('--skip-tags wins, also over always when always is skipped', () => {
    expect(shouldRun(['haproxy'], { only: ['all'], skip: ['haproxy'] })).to.equal(false);
    expect(shouldRun(['always'], { only: ['all'], skip: ['haproxy'] })).to.equal(true);
    expect(shouldRun(['always'], { only: ['all'], skip: ['always'] })).to.equal(false);
  });
  it('tagged and untagged', () => {
    expect(shouldRun([], { only: ['untagged'], skip: [] })).to.equal(true);
    expect(shouldRun(['x'], { only: ['untagged'], skip: [] })).to.equal(false);
    expect(shouldRun(['x'], { only: ['tagged'], skip: [] })).to.equal(true);
  });
  it('reports asked tags that no task has', () => {
    expect(unknownTags({ only: ['haproxy', 'nope'], skip: ['always'] }, new Set(['haproxy']))).to.deep.equal(['nope']);
  });
});
