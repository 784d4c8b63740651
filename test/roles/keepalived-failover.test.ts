/**
 * The role's keepalived.conf on the real keepalived, two LB hosts in network namespaces: the
 * VIP starts on the MASTER, moves within 5 s (the limit) when haproxy dies there, and
 * comes back when haproxy returns. And the weighted mode's promise: with the check failing on
 * every host (no apiserver before kubeadm init), the VIP still lives on the top host.
 */
import { expect } from 'chai';
import type { Vars } from '../../engine/types.js';
import keepalived from '../../roles/keepalived/index.js';
import { renderKeepalivedConf } from '../../roles/keepalived/templates/keepalived-conf.js';
import type { KeepalivedOn } from '../../roles/keepalived/vars.js';
import { resolveRole } from './helpers/resolve.js';
import { dedicatedPair } from './helpers/topologies.js';
import { VrrpPair } from './helpers/vrrp-pair.js';
import { requirePrerequisite } from '../helpers/skip.js';

/** The failover limit. */
const FAILOVER_LIMIT_MS = 5000;

function confs(all: Vars): Record<'a' | 'b', string> {
  const vars = resolveRole(keepalived, dedicatedPair(all), 'lb').vars;
  return {
    a: renderKeepalivedConf(vars.get('lb1') as KeepalivedOn, 'eth0'),
    b: renderKeepalivedConf(vars.get('lb2') as KeepalivedOn, 'eth0'),
  };
}

describe('keepalived for real: two LB hosts in network namespaces', function () {
  this.timeout(60_000);
  let pair: VrrpPair | undefined;

  before(function () {
    requirePrerequisite(this, VrrpPair.missing());
  });

  afterEach(() => {
    pair?.stop();
    pair = undefined;
  });

  const start = (all: Vars, haproxyUp: { a: boolean; b: boolean }): VrrpPair =>
    VrrpPair.start({ confs: confs(all), addresses: { a: '10.0.0.11', b: '10.0.0.12' }, prefix: 24, vip: '10.0.0.10', haproxyUp });

  for (const unicast of [false, true]) {
    it(`${unicast ? 'unicast' : 'multicast'}: moves the VIP within 5 s when haproxy dies, and back when it returns`, async () => {
      pair = start({ keepalived_unicast: unicast }, { a: true, b: true });
      await pair.waitSoleHolder('a', 15_000);
      pair.setHaproxy('a', false);
      const failover = await pair.waitSoleHolder('b', 15_000);
      console.log(`      [measure] ${unicast ? 'unicast' : 'multicast'} failover after haproxy died: ${(failover / 1000).toFixed(2)} s`);
      expect(failover, pair.logs()).to.be.at.most(FAILOVER_LIMIT_MS);
      pair.setHaproxy('a', true);
      const back = await pair.waitSoleHolder('a', 15_000);
      console.log(`      [measure] ${unicast ? 'unicast' : 'multicast'} VIP back on the MASTER after haproxy returned: ${(back / 1000).toFixed(2)} s`);
    });
  }

  it('weighted check failing everywhere (no apiserver yet): the VIP still lives on the top host', async () => {
    pair = start({ keepalived_check_weight: -100 }, { a: false, b: false });
    await pair.waitSoleHolder('a', 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(pair.holders(), pair.logs()).to.deep.equal(['a']);
  });
});
