import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelModules } from '../../../engine/ops/kernel-modules.js';
import { OWNED_FILE_HEADER } from '../../../engine/ops/owned-file.js';
import { FakeContext, converge } from './fake-context.js';

describe('ops/kernelModules', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-kmod-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // This kernel, like the lab's, has everything built in and no modprobe that could work.
  it('for real: writes the file but never runs modprobe for built-in modules', async () => {
    const file = join(dir, 'k8s.conf');
    const task = kernelModules('mods', () => ({ modules: ['overlay'], file }));
    const ctx = new FakeContext({ local: true });
    const change = await converge(task, ctx);
    expect(change?.summary).to.equal(`${file}: create (2 lines)`);
    expect(readFileSync(file, 'utf8')).to.equal(`${OWNED_FILE_HEADER}overlay\n`);
    expect(ctx.ran.join('\n')).not.to.contain('modprobe');
    expect(ctx.factBatches).to.have.length(1);
    const again = new FakeContext({ local: true });
    expect(await converge(task, again)).to.equal(null);
    expect(again.ran).to.deep.equal([]);
  });

  it('modprobes only the modules that are neither loaded nor built in (canned)', async () => {
    const file = '/etc/modules-load.d/k8s.conf';
    const facts = {
      [`file:${file}`]: 'missing\n',
      'kmod:overlay': 'builtin\n',
      'kmod:br_netfilter': 'absent\n',
    };
    const ctx = new FakeContext({ facts });
    const change = await converge(kernelModules('mods', () => ({ modules: ['overlay', 'br-netfilter'], file })), ctx);
    expect(change?.summary).to.equal(`${file}: create (3 lines), not loaded: br_netfilter`);
    expect(ctx.ran).to.have.length(2);
    expect(ctx.ran[0]).to.contain('mv -f -- "$tmp" "$dst"');
    expect(ctx.ran[1]).to.equal('set -e\nmodprobe -- br_netfilter\n');
    expect(ctx.factBatches).to.deep.equal([[`file:${file}`, 'kmod:overlay', 'kmod:br_netfilter']]);
  });
});
