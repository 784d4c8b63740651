import { expect } from 'chai';
import * as facts from '../../../engine/facts/index.js';
import * as ops from '../../../engine/ops/index.js';
import type { Task, Vars } from '../../../engine/types.js';

interface RoleVars {
  haproxyPort: number;
}

describe('ops/index', () => {
  it('exports every primitive, and their tasks fit a role task list (Task<V>)', () => {
    // Compiling this list is the real test: each op's precise Change type must be assignable.
    const tasks: Task<RoleVars>[] = [
      ops.file<RoleVars>('f', (ctx) => ({ path: '/etc/x', content: String(ctx.vars.haproxyPort) }), { notify: ['reload'], tags: ['cfg'] }),
      ops.absent('a', () => ({ path: '/etc/y' })),
      ops.directory('d', () => ({ path: '/etc/z' })),
      ops.packages('p', () => ({ names: ['haproxy'] })),
      ops.service('s', () => ({ name: 'haproxy', enabled: true, state: 'started' })),
      ops.sysctl('c', () => ({ file: '/etc/sysctl.d/99-k8s.conf', values: { 'net.ipv4.ip_forward': 1 } })),
      ops.kernelModules('k', () => ({ modules: ['overlay'], file: '/etc/modules-load.d/k8s.conf' })),
      ops.lineInFile('l', () => ({ path: '/etc/fstab', line: '', regexp: '\\sswap\\s', state: 'absent' })),
      ops.blockInFile('b', () => ({ path: '/etc/hosts', block: '10.0.0.1 m1' })),
      ops.command('x', async () => ({ command: 'true', creates: '/etc/done' }), { register: 'out', when: () => true }),
      ops.waitFor('w', () => ({ probe: facts.pathExistsFact('/etc/ok'), retries: 1, delayMs: 1, failMessage: 'no' })),
    ];
    expect(tasks.map((t) => t.name)).to.deep.equal(['f', 'a', 'd', 'p', 's', 'c', 'k', 'l', 'b', 'x', 'w']);
    expect(tasks[0]).to.deep.include({ notify: ['reload'], tags: ['cfg'] });
    expect(tasks[9]?.register).to.equal('out');
    const generic: Task<Vars>[] = [ops.file('f', () => ({ path: '/x', content: '' }))];
    expect(generic).to.have.length(1);
  });
});
