import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeLocated, locatePlaybook } from '../../../engine/playbook/locate.js';

describe('locatePlaybook: the project folder first, then the playbooks bundled with play', () => {
  let root: string;
  let project: string;
  let pkg: string;
  const touch = (path: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '- hosts: all\n');
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'play-locate-'));
    project = join(root, 'project');
    pkg = join(root, 'pkg');
    mkdirSync(project);
    for (const name of ['site.yml', 'lb.yml']) touch(join(pkg, 'playbooks', name));
    touch(join(pkg, 'outside.yml'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes the bundled playbook when the project has none, by name or without .yml', () => {
    expect(locatePlaybook('site.yml', project, pkg)).to.deep.equal({ path: join(pkg, 'playbooks', 'site.yml'), origin: 'bundled' });
    expect(locatePlaybook('lb', project, pkg)).to.deep.equal({ path: join(pkg, 'playbooks', 'lb.yml'), origin: 'bundled' });
    expect(locatePlaybook('playbooks/site.yml', project, pkg).origin).to.equal('bundled');
  });

  it("prefers the project's NAME, then its playbooks/NAME, over the bundled one", () => {
    touch(join(project, 'playbooks', 'site.yml'));
    expect(locatePlaybook('site.yml', project, pkg)).to.deep.equal({ path: join('playbooks', 'site.yml'), origin: 'project' });
    touch(join(project, 'site.yml'));
    expect(locatePlaybook('site.yml', project, pkg)).to.deep.equal({ path: 'site.yml', origin: 'given' });
  });

  it('never finds a bundled file outside play’s playbooks/, nor a folder', () => {
    expect(() => locatePlaybook('outside.yml', project, pkg)).to.throw(/playbook not found .*bundled playbooks: lb\.yml, site\.yml/);
    expect(() => locatePlaybook('../outside.yml', project, pkg)).to.throw(/playbook not found/);
    mkdirSync(join(project, 'reset.yml'));
    expect(() => locatePlaybook('reset.yml', project, pkg)).to.throw(/reset\.yml: playbook not found/);
  });

  it('takes an absolute path as it is, or refuses it', () => {
    expect(locatePlaybook(join(pkg, 'outside.yml'), project, pkg)).to.deep.equal({ path: join(pkg, 'outside.yml'), origin: 'given' });
    expect(() => locatePlaybook(join(project, 'none.yml'), project, pkg)).to.throw(/none\.yml: playbook not found/);
  });

  it('says at -v where a playbook was found', () => {
    expect(describeLocated('site.yml', { path: '/p/playbooks/site.yml', origin: 'bundled' }, '/work')).to.equal(
      'playbook site.yml: /p/playbooks/site.yml (bundled with play: no site.yml nor playbooks/site.yml in /work)',
    );
    expect(describeLocated('site.yml', { path: 'playbooks/site.yml', origin: 'project' }, '/work')).to.equal(
      "playbook site.yml: /work/playbooks/site.yml (the project's, in /work)",
    );
  });
});
