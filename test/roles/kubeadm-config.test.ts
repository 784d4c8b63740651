import { expect } from 'chai';
import { load } from 'js-yaml';
import kubeadm from '../../roles/kubeadm/index.js';
import { CRIO_REPO, KUBE_REPO } from '../../roles/kube-shared/apt-repos.js';
import { renderAptSource } from '../../engine/ops/index.js';
import { kubeadmConfigInput } from '../../roles/kubeadm/kubeadm-config-input.js';
import { renderKubeadmConfig } from '../../roles/kubeadm/templates/kubeadm-config.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { expectGolden } from './kubeadm-golden.js';
import { clusterInventory, resolvedVars } from './kubeadm-fixtures.js';
import { dedicatedPair } from './helpers/topologies.js';

const configInput = kubeadmConfigInput;

describe('kubeadm rendered files', () => {
  it('kubeadm-config.yaml for the lab-like pair (golden)', () => {
    const v = resolvedVars(kubeadm, clusterInventory({ control_plane_endpoint_name: 'k8s-lb' }))('master1');
    const text = renderKubeadmConfig(configInput(v));
    expectGolden('kubeadm-config.yaml', text);
    const docs = text.split('\n---\n').map((d) => load(d) as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).to.deep.equal(['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration']);
    expect(docs[0]).to.deep.include({ nodeRegistration: { name: 'master1', criSocket: 'unix:///var/run/containerd/containerd.sock' } });
    expect(docs[1]).to.deep.include({
      controlPlaneEndpoint: 'k8s-lb:6443',
      kubernetesVersion: 'v1.30.2',
      networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12' },
      apiServer: { certSANs: ['10.0.0.10', 'k8s-lb'] },
    });
  });

  it('kubeadm-config.yaml for cri-o on 1.31 (v1beta4, the cri-o socket) (golden)', () => {
    const v = resolvedVars(kubeadm, dedicatedPair({ container_runtime: 'crio', kubernetes_version: '1.31.1', pod_network_cidr: '10.32.0.0/12' }))('master1');
    expectGolden('kubeadm-config-crio-1.31.yaml', renderKubeadmConfig(configInput(v)));
  });

  it('cannot be bent by a value: every value is a quoted YAML string', () => {
    const v = resolvedVars(kubeadm, clusterInventory())('master1');
    const text = renderKubeadmConfig({ ...configInput(v), nodeName: 'x"\nkind: Evil' });
    const doc = load(text.split('\n---\n')[0]!) as { kind: string; nodeRegistration: { name: string } };
    expect(doc.kind).to.equal('InitConfiguration');
    expect(doc.nodeRegistration.name).to.equal('x"\nkind: Evil');
  });

  it('apt sources: signed by a keyring in production, [trusted=yes] only when declared unsigned', () => {
    const prod = resolvedVars(kubeadm, dedicatedPair())('worker1').repo;
    expect(renderAptSource(prod)).to.equal(
      '# Managed by play: local changes are overwritten.\n' +
        'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.30/deb/ /\n',
    );
    const lab = resolvedVars(kubeadm, clusterInventory())('worker1').repo;
    expect(renderAptSource(lab)).to.equal(
      '# Managed by play: local changes are overwritten.\n' +
        '# Unsigned repository (declared so in the inventory): apt trusts it as is.\n' +
        'deb [trusted=yes] http://172.29.10.1:8080/kubernetes/v1.30/deb/ /\n',
    );
    expect(KUBE_REPO.listFile).to.equal('/etc/apt/sources.list.d/kubernetes.list');
    // Where CRI-O publishes since 2025-02 (cri-o/packaging README); 1.33 was never on pkgs.k8s.io.
    expect(CRIO_REPO.defaultUrl({ text: '1.33.1', major: 1, minor: 33, patch: 1, minorText: '1.33' })).to.equal('https://download.opensuse.org/repositories/isv:/cri-o:/stable:/v1.33/deb/');
  });
});
