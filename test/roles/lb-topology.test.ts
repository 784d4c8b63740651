import { expect } from 'chai';
import type { Inventory, Vars } from '../../engine/types.js';
import { TypedVars } from '../../engine/vars.js';
import { LB_DEFAULTS } from '../../roles/lb-shared/defaults.js';
import { controlPlaneEndpoint, readLbTopology } from '../../roles/lb-shared/topology.js';
import { expectVarsError } from './helpers/expect-error.js';
import { ALL_FILE } from './helpers/inventory.js';
import { roleScope, runVarsOf } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';

function topology(inventory: Inventory, host = [...inventory.hosts.keys()][0]!) {
  const { vars, view } = runVarsOf(inventory);
  const scope = roleScope(vars, host, LB_DEFAULTS as Vars, 'roles/lb-shared/defaults.ts');
  return readLbTopology(new TypedVars(scope, { file: 'play.yml' }), view);
}

describe('lb-shared topology', () => {
  it('dedicated pair: keepalived on, endpoint at the VIP on 6443', () => {
    const t = topology(dedicatedPair({ control_plane_endpoint_name: 'k8s-api' }));
    expect(t).to.include({ stacked: false, keepalived: true, lbPort: 6443, apiserverPort: 6443, endpointAddress: '10.0.0.10' });
    expect(controlPlaneEndpoint(t)).to.equal('k8s-api:6443');
  });

  it('stacked: the LB hosts are masters, so the frontend defaults to 8443', () => {
    const t = topology(stacked());
    expect(t).to.include({ stacked: true, keepalived: true, lbPort: 8443 });
    expect(controlPlaneEndpoint(t)).to.equal('10.0.0.10:8443');
  });

  it('single LB: no keepalived, the endpoint is the LB host', () => {
    const t = topology(singleLb());
    expect(t).to.include({ keepalived: false, endpointAddress: '10.0.0.100', lbPort: 6443 });
    expect(t.vip).to.equal(undefined);
  });

  it('refuses a malformed endpoint name and group name', () => {
    expectVarsError(() => topology(singleLb({ control_plane_endpoint_name: 'k8s_lb!' })), 'control_plane_endpoint_name', `${ALL_FILE}:1`, /DNS name/);
    expectVarsError(() => topology(singleLb({ lb_group: 'lb group' })), 'lb_group', `${ALL_FILE}:1`, /group name/);
  });

  it('refuses a VIP that is not an IPv4 address', () => {
    expectVarsError(() => topology(dedicatedPair({ apiserver_vip: '10.0.0.300' })), 'apiserver_vip', `${ALL_FILE}:1`, /IPv4/);
  });
});
