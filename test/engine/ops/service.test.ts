import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { service } from '../../../engine/ops/service.js';
import type { ServiceSpec } from '../../../engine/ops/service.js';
import { FakeContext, converge } from './fake-context.js';

// `systemctl show` output in systemd's format (see test/engine/facts/service.test.ts).
const show = (load: string, active: string, sub: string, file: string, reload = 'no') =>
  `LoadState=${load}\nActiveState=${active}\nSubState=${sub}\nUnitFileState=${file}\nNeedDaemonReload=${reload}\n`;

const run = async (spec: ServiceSpec, stdout: string) => {
  const ctx = new FakeContext({ facts: { [`service:${spec.name}`]: stdout } });
  const change = await converge(service('svc', () => spec), ctx);
  return { change, ran: ctx.ran };
};

describe('ops/service (canned facts)', () => {
  const UP: ServiceSpec = { name: 'haproxy', enabled: true, state: 'started' };

  it('enables and starts a stopped disabled unit', async () => {
    const { change, ran } = await run(UP, show('loaded', 'inactive', 'dead', 'disabled'));
    expect(change?.summary).to.equal('disabled -> enabled, inactive -> started');
    expect(ran).to.deep.equal(['set -e\nsystemctl enable -- haproxy\nsystemctl start -- haproxy\n']);
  });

  it('is converged when running and enabled (or static): runs nothing', async () => {
    expect(await run(UP, show('loaded', 'active', 'running', 'enabled'))).to.deep.equal({ change: null, ran: [] });
    expect(await run(UP, show('loaded', 'active', 'exited', 'static'))).to.deep.equal({ change: null, ran: [] });
  });

  it('starts a failed unit and one stuck restarting', async () => {
    expect((await run(UP, show('loaded', 'failed', 'failed', 'enabled'))).change?.summary).to.equal('failed -> started');
    expect((await run(UP, show('loaded', 'activating', 'auto-restart', 'enabled'))).change?.summary).to.equal('activating -> started');
  });

  it('stops and disables', async () => {
    const { change, ran } = await run({ name: 'ufw', enabled: false, state: 'stopped' }, show('loaded', 'active', 'exited', 'enabled'));
    expect(change?.summary).to.equal('enabled -> disabled, active -> stopped');
    expect(ran).to.deep.equal(['set -e\nsystemctl disable -- ufw\nsystemctl stop -- ufw\n']);
    expect(await run({ name: 'ufw', enabled: false, state: 'stopped' }, show('not-found', 'inactive', 'dead', ''))).to.deep.equal({
      change: null,
      ran: [],
    });
  });

  it('reloads systemd first when the unit file changed on disk and daemonReload is set', async () => {
    const { change, ran } = await run({ ...UP, daemonReload: true }, show('loaded', 'active', 'running', 'enabled', 'yes'));
    expect(change?.summary).to.equal('unit file changed: daemon-reload');
    expect(ran).to.deep.equal(['set -e\nsystemctl daemon-reload\n']);
    expect((await run(UP, show('loaded', 'active', 'running', 'enabled', 'yes'))).change).to.equal(null);
  });

  it('tries a unit that is not found yet (daemon-reload first) and lets systemctl judge', async () => {
    const { change, ran } = await run({ ...UP, daemonReload: true }, show('not-found', 'inactive', 'dead', ''));
    expect(change?.summary).to.equal('unit haproxy not found: no unit file -> enabled, inactive -> started');
    expect(ran).to.deep.equal(['set -e\nsystemctl daemon-reload\nsystemctl enable -- haproxy\nsystemctl start -- haproxy\n']);
  });

  it('refuses to start a masked unit', async () => {
    let error: unknown;
    await run(UP, show('masked', 'inactive', 'dead', 'masked')).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TaskError);
    expect((error as Error).message).to.match(/masked/);
  });
});
