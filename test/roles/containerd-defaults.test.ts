// /etc/containerd/config.toml rendered from the real `containerd config default` of every
// containerd line play meets (test/fixtures/containerd/README.md says where each came from):
// SystemdCgroup = true in the runc options table whether the default prints the key (1.6, 1.7,
// 2.2) or not (1.4: bullseye's; 2.0.0-2.0.6, 2.1.0-2.1.4), the sandbox image kubeadm expects,
// nothing else changed.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/run-play.js';
import { renderContainerdConfig } from '../../roles/crio-or-docker/templates/containerd-config.js';

const SANDBOX = 'registry.k8s.io/pause:3.10';
const fixture = (version: string): string => readFileSync(join(REPO_ROOT, 'test/fixtures/containerd', `config-default-${version}.toml`), 'utf8');

/** The keys of the runc options table of a rendered config, in order. */
function runcOptions(text: string): string[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /\.containerd\.runtimes\.runc\.options\]\s*$/.test(l));
  expect(header, 'the runc options table').to.be.greaterThan(-1);
  const keys: string[] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '' || line.trim().startsWith('[')) break;
    keys.push(line.trim());
  }
  return keys;
}

describe('containerd config from each release\'s real defaults', () => {
  for (const version of ['1.4.13', '1.6.20', '1.7.24', '2.0.0', '2.1.0', '2.2.0']) {
    it(`${version}: SystemdCgroup = true in the runc options table, the sandbox image set, nothing else changed`, () => {
      const defaults = fixture(version);
      const text = renderContainerdConfig(defaults, { sandboxImage: SANDBOX });
      const options = runcOptions(text);
      expect(options.filter((k) => k.startsWith('SystemdCgroup'))).to.deep.equal(['SystemdCgroup = true']);
      expect(text.split('\n').filter((l) => !l.startsWith('#') && l.includes('SystemdCgroup'))).to.have.length(1);
      const sandbox = version.startsWith('1.') ? `sandbox_image = "${SANDBOX}"` : `sandbox = '${SANDBOX}'`;
      expect(text).to.contain(sandbox);
      // Every line of the default is there, in order, apart from the two play sets.
      const kept = text.split('\n').slice(2).filter((l) => !/SystemdCgroup|sandbox(_image)? =/.test(l));
      const original = defaults.replace(/\n+$/, '').split('\n').filter((l) => !/SystemdCgroup|sandbox(_image)? =/.test(l));
      expect(kept.slice(0, -1)).to.deep.equal(original);
    });
  }

  it('1.4.13 (bullseye) prints the runc options table empty: the key goes under its header', () => {
    expect(fixture('1.4.13')).not.to.contain('SystemdCgroup');
    const text = renderContainerdConfig(fixture('1.4.13'), { sandboxImage: SANDBOX });
    expect(text).to.match(/\n {10}\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.runc\.options\]\n {12}SystemdCgroup = true\n {4}\[plugins\."io\.containerd\.grpc\.v1\.cri"\.cni\]\n/);
  });

  it('2.0.0 and 2.1.0 print no SystemdCgroup: the key is inserted, indented like the table\'s keys', () => {
    for (const version of ['2.0.0', '2.1.0']) {
      expect(fixture(version)).not.to.contain('SystemdCgroup');
      const text = renderContainerdConfig(fixture(version), { sandboxImage: SANDBOX });
      expect(text).to.match(/\n {12}ShimCgroup = ''\n {12}SystemdCgroup = true\n\n/);
    }
  });

  it('a default with neither the key nor the runc options table is refused, not half-adjusted', () => {
    const noRunc = fixture('2.0.0').replace(/\n *\[plugins\.'io\.containerd\.cri\.v1\.runtime'\.containerd\.runtimes\.runc\.options\]/, '\n');
    expect(() => renderContainerdConfig(noRunc, { sandboxImage: SANDBOX })).to.throw(/no SystemdCgroup setting and no runc options table/);
  });
});
