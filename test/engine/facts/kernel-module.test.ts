import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { kernelModuleFact, parseKernelModuleFact } from '../../../engine/facts/kernel-module.js';
import { TaskError } from '../../../engine/errors.js';
import { runSh } from '../ops/fake-context.js';

const probe = async (name: string) => {
  const fact = kernelModuleFact(name);
  return fact.parse(await runSh(fact.command));
};

describe('facts/kernel-module', () => {
  it('parses each way a module counts as loaded', () => {
    expect(parseKernelModuleFact('module\n')).to.deep.equal({ loaded: true, via: 'module' });
    expect(parseKernelModuleFact('builtin\n')).to.deep.equal({ loaded: true, via: 'builtin' });
    expect(parseKernelModuleFact('feature\n')).to.deep.equal({ loaded: true, via: 'feature' });
    expect(parseKernelModuleFact('absent\n')).to.deep.equal({ loaded: false });
  });

  // The controller's kernel has no loadable modules (everything built in), like the lab's.
  it('counts built-in overlay and br_netfilter as loaded on this kernel', async () => {
    expect((await probe('overlay')).loaded).to.equal(true);
    if (existsSync('/proc/sys/net/bridge')) {
      expect(await probe('br_netfilter')).to.deep.equal(
        existsSync('/sys/module/br_netfilter') ? { loaded: true, via: 'module' } : { loaded: true, via: 'feature' },
      );
    }
  });

  it('reports an unknown module as not loaded, and accepts dashes for underscores', async () => {
    expect(await probe('no_such_module_play')).to.deep.equal({ loaded: false });
    expect(kernelModuleFact('br-netfilter').id).to.equal('kmod:br_netfilter');
  });

  it('rejects a name that is not a module name', () => {
    expect(() => kernelModuleFact('x; reboot')).to.throw(TaskError, /invalid kernel module name/);
  });
});
