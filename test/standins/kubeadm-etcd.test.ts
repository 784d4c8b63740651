// The stand-in kubeadm with the cluster's data in the real etcd (settings.json "apiserver_storage":
// "etcd"), on loopback: Debian's etcd (one member), the stand-in apiserver in etcd mode, and
// kubeadm's flows that keep cluster data, run the way the real kubeadm runs them, through the API:
// init's uploads (kubeadm-config, kubelet-config, cluster-info, its token, kubeadm-certs, the
// control-plane marks, the addons) with admin.conf; `kubeadm token create|list|delete` and
// `kubeadm init phase upload-certs` as commands; a join's reads with the bootstrap token only
// (discovery, kubeadm-config, kubelet-config, download-certs, the Ready namesake check); kubeadm's
// etcd membership. Every effect is checked in etcd's raw keys with Debian's real etcdctl, and the
// state folder is checked to hold nothing but the lab's settings.json.
//
// kubeadm's commands run in a fake root (PLAY_STANDIN_ROOT) whose /etc/kubernetes holds admin.conf and
// the shared PKI (test/standins/kubeadm_etcd_driver.py setup). Secrets (certificate keys, tokens) go
// to the children on stdin or in 0600 files and never appear in arguments or in failure messages.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCaptured, type PlayRun } from '../helpers/run-play.js';
import { requirePrerequisite } from '../helpers/skip.js';
import { executable, findEtcd, HOST, stopChild, unusedPort, untilOutput } from '../helpers/real-etcd.js';
import { STANDINS_SRC } from '../helpers/standin-driver.js';

const KUBEADM_VERSION = '1.30.2';
const STANDINS = STANDINS_SRC;
const DRIVER = path.join(REPO_ROOT, 'test', 'standins', 'kubeadm_etcd_driver.py');
const STORE_DRIVER = path.join(REPO_ROOT, 'test', 'standins', 'etcd_store_driver.py');
const KUBEADM = ['-c', `import sys; from playstandin.kubeadm.cli import main; sys.exit(main("${KUBEADM_VERSION}", sys.argv[1:]))`];
const STORAGE_TIMEOUT = 12; // settings.json storage_timeout_seconds: how long an API request may wait for etcd
const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const SHARED_FILES = ['ca.crt', 'ca.key', 'etcd/ca.crt', 'etcd/ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'sa.key', 'sa.pub'];

interface Secret {
  type: string;
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  data: Record<string, string>;
}

/** Output with the secrets it may hold (tokens, 64-hex keys) blanked: what a failure message may show. */
function redact(text: string): string {
  return text.replace(/[a-z0-9]{6}\.[a-z0-9]{16}/g, '<token>').replace(/\b[0-9a-f]{64}\b/g, '<key>');
}

function unb64(text: string | undefined): string {
  return Buffer.from(text ?? '', 'base64').toString();
}

describe('kubeadm with the cluster in etcd: its data are API objects under etcd\'s /registry keys', function () {
  this.timeout(300_000);   // each step is a Python process: slow on a loaded machine
  let work = '';
  let pki = '';
  let state = '';
  let etcdBin = '';
  let etcdctlBin = '';
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  let clientPort = 0;
  let peerPort = 0;
  let apiPort = 0;
  let caCertHash = '';
  const certificateKey = randomBytes(32).toString('hex');

  const etcdUrl = () => `https://${HOST}:${clientPort}`;
  const endpoint = () => `${HOST}:${apiPort}`;
  const root = (host: string) => path.join(work, host);
  const env = (host: string): NodeJS.ProcessEnv => ({ ...process.env, PYTHONPATH: STANDINS, PLAY_CLUSTER_STATE: state, PLAY_STANDIN_ROOT: root(host) });

  function kubeadm(args: string[]): Promise<PlayRun> {
    return runCaptured('python3', [...KUBEADM, ...args], { cwd: work, env: env('cp1') });
  }

  /** A driver command's JSON answer; secrets go in on stdin. */
  async function driver<T>(host: string, args: string[], secrets?: Record<string, string>): Promise<T & { error?: string }> {
    const result = await runCaptured('python3', [DRIVER, ...args], { cwd: work, env: env(host), input: JSON.stringify(secrets ?? {}) });
    expect(result.code, redact(result.stderr)).to.equal(0);
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as T & { error?: string };
  }

  async function etcdctl(args: string[]): Promise<string> {
    const result = await runCaptured(etcdctlBin, [`--endpoints=${etcdUrl()}`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/client.crt`,
      `--key=${pki}/client.key`, ...args], { cwd: work, env: { ...process.env, ETCDCTL_API: '3' } });
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout;
  }

  const keys = async (prefix: string) => (await etcdctl(['get', prefix, '--prefix', '--keys-only'])).split('\n').filter(Boolean);
  const value = async <T>(key: string) => JSON.parse(await etcdctl(['get', key, '--print-value-only'])) as T;
  const tokenKeys = async () => (await keys('/registry/secrets/kube-system/bootstrap-token-')).sort();

  /** One HTTPS request to the apiserver: anonymous, or with a bootstrap token as the bearer. */
  function api(urlPath: string, bearer?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = https.request({
        host: HOST, port: apiPort, method: 'GET', path: urlPath, agent: false, timeout: 20_000, ca: readFileSync(`${pki}/ca.crt`),
        headers: bearer ? { Authorization: `Bearer ${bearer}` } : {},
      }, (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.end();
    });
  }

  async function clusterInfoSignatures(): Promise<string[]> {
    const answer = await api('/api/v1/namespaces/kube-public/configmaps/cluster-info');
    expect(answer.status, answer.text).to.equal(200);
    return Object.keys((JSON.parse(answer.text) as { data: Record<string, string> }).data).filter((key) => key.startsWith('jws-kubeconfig-'));
  }

  async function createToken(): Promise<string> {
    const created = await kubeadm(['token', 'create']);
    expect(created.code, redact(created.stderr)).to.equal(0);
    const token = created.stdout.trim();
    expect(TOKEN_RE.test(token), 'token create prints one token').to.equal(true);
    return token;
  }

  before(async function () {
    etcdBin = findEtcd() ?? '';
    etcdctlBin = path.join(path.dirname(etcdBin), 'etcdctl');
    requirePrerequisite(this, etcdBin && executable(etcdctlBin) ? undefined
      : 'no etcd and etcdctl (.ci/run extracts bookworm\'s etcd-server and etcd-client into /var/cache/play-lab/etcd; or set PLAY_ETCD_BIN)');
    work = mkdtempSync(path.join(tmpdir(), 'play-kubeadm-etcd-'));
    pki = path.join(work, 'pki');
    state = path.join(work, 'state');
    const made = await runCaptured('python3', [STORE_DRIVER, 'pki', pki], { cwd: work, env: { ...process.env, PYTHONPATH: STANDINS } });
    expect(made.code, made.stderr).to.equal(0);
    [clientPort, peerPort, apiPort] = await Promise.all([unusedPort(), unusedPort(), unusedPort()]);
    etcd = spawn(etcdBin, [`--name=t`, `--data-dir=${path.join(work, 'etcd')}`, `--listen-client-urls=${etcdUrl()}`,
      `--advertise-client-urls=${etcdUrl()}`, `--listen-peer-urls=http://${HOST}:${peerPort}`,
      `--initial-advertise-peer-urls=http://${HOST}:${peerPort}`, `--initial-cluster=t=http://${HOST}:${peerPort}`,
      `--cert-file=${pki}/server.crt`, `--key-file=${pki}/server.key`, `--trusted-ca-file=${pki}/ca.crt`, '--client-cert-auth=true'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    await untilOutput(etcd, 'ready to serve client requests', 'etcd');
    mkdirSync(state);
    // a long storage timeout: the health checks must answer within their own bound (2 s), well before it
    writeFileSync(path.join(state, 'settings.json'), JSON.stringify({ apiserver_storage: 'etcd', storage_timeout_seconds: STORAGE_TIMEOUT }));
    apiserver = spawn('python3', ['-m', 'playstandin.apiserver', `--bind-address=${HOST}`, `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki}/server.crt`, `--tls-private-key-file=${pki}/server.key`, `--client-ca-file=${pki}/ca.crt`,
      `--etcd-servers=${etcdUrl()}`, `--etcd-cafile=${pki}/ca.crt`, `--etcd-certfile=${pki}/client.crt`,
      `--etcd-keyfile=${pki}/client.key`], { env: { ...process.env, PYTHONPATH: STANDINS, PLAY_CLUSTER_STATE: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    await untilOutput(apiserver, 'Serving securely', 'the apiserver');
    expect(await driver('cp1', ['setup', pki, `https://${endpoint()}`])).to.not.have.property('error');
    expect(await driver('cp1', ['register', 'cp1', etcdUrl()])).to.deep.equal({ status: 201 });
  });

  after(async () => {
    await Promise.all([stopChild(apiserver), stopChild(etcd)]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('init uploads kubeadm-config, kubelet-config, cluster-info, a token, kubeadm-certs, the marks and the addons to etcd, nothing to the folder', async () => {
    const init = await driver<{ caCertHash: string }>('cp1', ['init', endpoint()], { key: certificateKey });
    expect(init.error).to.equal(undefined);
    caCertHash = init.caCertHash;
    const stored = await keys('/registry/');
    expect(stored).to.include.members(['/registry/configmaps/kube-system/kubeadm-config', '/registry/configmaps/kube-system/kubelet-config',
      '/registry/configmaps/kube-system/kube-proxy', '/registry/configmaps/kube-public/cluster-info', '/registry/secrets/kube-system/kubeadm-certs',
      '/registry/deployments/kube-system/coredns', '/registry/daemonsets/kube-system/kube-proxy', '/registry/services/specs/kube-system/kube-dns']);
    const config = await value<{ data: { ClusterConfiguration: string } }>('/registry/configmaps/kube-system/kubeadm-config');
    expect(config.data.ClusterConfiguration).to.include(`controlPlaneEndpoint: ${endpoint()}`).and.include('podSubnet: 10.244.0.0/16');
    // init's token and the proxy token that owns kubeadm-certs, as bootstrap token Secrets
    const tokens = await tokenKeys();
    expect(tokens).to.have.length(2);
    const secrets = await Promise.all(tokens.map((key) => value<Secret>(key)));
    const byDescription = Object.fromEntries(secrets.map((secret) => [unb64(secret.data['description']), secret]));
    const initToken = byDescription['The default bootstrap token generated by \'kubeadm init\'.']!;
    expect(initToken.type).to.equal('bootstrap.kubernetes.io/token');
    expect(Object.keys(initToken.data).sort()).to.deep.equal(['auth-extra-groups', 'description', 'expiration', 'token-id', 'token-secret',
      'usage-bootstrap-authentication', 'usage-bootstrap-signing']);
    expect(unb64(initToken.data['auth-extra-groups'])).to.equal('system:bootstrappers:kubeadm:default-node-token');
    const proxy = byDescription['Proxy for managing TTL for the kubeadm-certs secret']!;
    // kubeadm-certs: one key per file, each encrypted, owned by the proxy token
    const certs = await value<Secret>('/registry/secrets/kube-system/kubeadm-certs');
    expect(certs.type).to.equal('Opaque');
    expect(Object.keys(certs.data).sort()).to.deep.equal(SHARED_FILES.map((name) => name.replace('/', '-')).sort());
    const caKey = readFileSync(path.join(root('cp1'), 'etc/kubernetes/pki/ca.key'));
    const sealed = Buffer.from(certs.data['ca.key']!, 'base64');
    expect(sealed.includes(caKey.subarray(0, 40)), 'ca.key is stored in clear').to.equal(false);
    expect(sealed.length).to.equal(caKey.length + 16 + 32);   // IV, ciphertext, MAC
    expect(certs.metadata.ownerReferences?.[0]).to.include({ kind: 'Secret', name: proxy.metadata.name });
    // the control-plane marks on the Node object
    const node = await value<{ metadata: { labels: Record<string, string> }; spec: { taints: unknown[] } }>('/registry/minions/cp1');
    expect(node.metadata.labels).to.include({ 'node-role.kubernetes.io/control-plane': '' });
    expect(node.spec.taints).to.deep.equal([{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }]);
    // cluster-info as stored holds the kubeconfig; the apiserver signs it for the token when it is read
    const info = await value<{ data: Record<string, string> }>('/registry/configmaps/kube-public/cluster-info');
    expect(Object.keys(info.data)).to.deep.equal(['kubeconfig']);
    expect(await clusterInfoSignatures()).to.deep.equal([`jws-kubeconfig-${unb64(initToken.data['token-id'])}`]);
    expect(readdirSync(state), 'the state folder').to.deep.equal(['settings.json']);
  });

  it('kubeadm token create, list and delete: bootstrap-token-<id> Secrets in etcd, cluster-info signed for each', async () => {
    const token = await createToken();
    const [id, secret] = token.split('.') as [string, string];
    const key = `/registry/secrets/kube-system/bootstrap-token-${id}`;
    expect(await tokenKeys()).to.include(key);
    const stored = await value<Secret>(key);
    expect(stored.type).to.equal('bootstrap.kubernetes.io/token');
    expect(unb64(stored.data['token-secret']) === secret, 'the Secret holds the token\'s secret').to.equal(true);
    expect(await clusterInfoSignatures()).to.include(`jws-kubeconfig-${id}`);
    const listed = await kubeadm(['token', 'list']);
    expect(listed.code, redact(listed.stderr)).to.equal(0);
    expect(listed.stdout.split('\n').some((line) => line.startsWith(`${token} `)), 'token list shows the new token').to.equal(true);
    const deleted = await kubeadm(['token', 'delete', id]);
    expect(deleted.code, redact(deleted.stderr)).to.equal(0);
    expect(deleted.stdout).to.equal(`bootstrap token "${id}" deleted\n`);
    expect(await tokenKeys()).to.not.include(key);
    expect(await clusterInfoSignatures()).to.not.include(`jws-kubeconfig-${id}`);
    const again = await kubeadm(['token', 'delete', id]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include(`secrets "bootstrap-token-${id}" not found`);
    expect(readdirSync(state), 'the state folder').to.deep.equal(['settings.json']);
  });

  it('upload-certs, then a join reads the cluster with the bootstrap token alone and downloads the certificates', async () => {
    const newKey = randomBytes(32).toString('hex');
    const configFile = path.join(work, 'upload-certs.yaml');
    writeFileSync(configFile, `apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\ncertificateKey: ${newKey}\n`, { mode: 0o600 });
    const upload = await kubeadm(['init', 'phase', 'upload-certs', '--upload-certs', '--skip-certificate-key-print', `--config=${configFile}`]);
    expect(upload.code, redact(upload.stderr)).to.equal(0);
    expect(upload.stdout).to.include('<value withheld>').and.not.include(newKey);
    const token = await createToken();
    expect(await driver('cp1', ['register', 'cp1', etcdUrl()])).to.deep.equal({ status: 200 });   // a fresh heartbeat: Ready
    const joined = await driver<{ server: string; podSubnet: string; controlPlaneEndpoint: string; files: string[]; namesake: string;
      kubeletCgroupDriver: string }>('cp2', ['join', endpoint(), 'cp1'], { token, key: newKey, hash: caCertHash });
    expect(joined.error).to.equal(undefined);
    expect(joined).to.include({ server: `https://${endpoint()}`, podSubnet: '10.244.0.0/16', controlPlaneEndpoint: endpoint(),
      kubeletCgroupDriver: 'systemd' });
    expect(joined.files).to.deep.equal(SHARED_FILES);
    for (const file of SHARED_FILES) {
      const copied = readFileSync(path.join(root('cp2'), 'etc/kubernetes/pki', file));
      expect(copied.equals(readFileSync(path.join(root('cp1'), 'etc/kubernetes/pki', file))), file).to.equal(true);
    }
    expect(joined.namesake).to.equal('a Node with name "cp1" and status "Ready" already exists in the cluster. You must delete the '
      + 'existing Node or change the name of this new joining Node');
    // init's key no longer opens the Secret the upload replaced
    const wrong = await driver('cp2', ['join', endpoint(), 'cp2'], { token, key: certificateKey, hash: caCertHash });
    expect(wrong.error).to.equal('error decoding secret data with provided key: cipher: message authentication failed');
    // what kubeadm's RBAC gives the token: kubeadm-certs and the join's ConfigMaps, not the other Secrets
    expect((await api('/api/v1/namespaces/kube-system/secrets/kubeadm-certs', token)).status).to.equal(200);
    expect((await api('/api/v1/namespaces/kube-system/configmaps/kubeadm-config', token)).status).to.equal(200);
    const others = await api('/api/v1/namespaces/kube-system/secrets', token);
    expect(others.status).to.equal(403);
    expect(others.text).to.include(`User \\"system:bootstrap:${token.split('.')[0]}\\" cannot get path`);
  });

  it('kubeadm-certs goes when its proxy token expires: the join finds no Secret, as after the real 2 h', async () => {
    const settings = path.join(state, 'settings.json');
    const saved = readFileSync(settings, 'utf8');
    const ttl = 10; // seconds: room for the first check on a loaded machine
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(saved) as object, certificate_key_ttl_seconds: ttl }));
    try {
      const key = randomBytes(32).toString('hex');
      const configFile = path.join(work, 'short-lived.yaml');
      writeFileSync(configFile, `apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\ncertificateKey: ${key}\n`, { mode: 0o600 });
      const token = await createToken();
      const upload = await kubeadm(['init', 'phase', 'upload-certs', '--upload-certs', '--skip-certificate-key-print', `--config=${configFile}`]);
      const uploaded = Date.now();   // the proxy token expires at most ttl seconds from here
      expect(upload.code, redact(upload.stderr)).to.equal(0);
      expect((await api('/api/v1/namespaces/kube-system/secrets/kubeadm-certs', token)).status, 'before the expiry').to.equal(200);
      await new Promise((resolve) => setTimeout(resolve, uploaded + (ttl + 1.5) * 1000 - Date.now()));
      expect((await api('/api/v1/namespaces/kube-system/secrets/kubeadm-certs', token)).status, 'after the expiry').to.equal(404);
      const joined = await driver('cp2', ['join', endpoint(), 'cp2'], { token, key, hash: caCertHash });
      expect(joined.error).to.equal('error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. '
        + 'This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one');
    } finally {
      writeFileSync(settings, saved);
    }
  });

  it('kubeadm\'s etcd members are etcd\'s own MemberList: a learner added, then removed; no member list in the folder', async () => {
    const added = await driver<{ initialCluster: string; client: boolean }>('cp1', ['add-member', 'cp2', '127.0.0.9']);
    expect(added.client).to.equal(true);
    // the --initial-cluster of the new member's manifest: every member, in etcd's order (by ID)
    expect(added.initialCluster.split(',')).to.have.members(['cp2=https://127.0.0.9:2380', `t=http://${HOST}:${peerPort}`]);
    type Members = { members: { name?: string; peerURLs: string[]; isLearner?: boolean }[] };
    const listed = JSON.parse(await etcdctl(['member', 'list', '-w', 'json'])) as Members;
    expect(listed.members.map((member) => [member.peerURLs[0], Boolean(member.isLearner)])).to.have.deep.members([
      ['https://127.0.0.9:2380', true], [`http://${HOST}:${peerPort}`, false]]);
    expect(await driver('cp1', ['remove-member', 'cp2', '127.0.0.9', etcdUrl()])).to.deep.equal({ removed: true });
    const after = JSON.parse(await etcdctl(['member', 'list', '-w', 'json'])) as Members;
    expect(after.members.map((member) => member.name)).to.deep.equal(['t']);
    expect(readdirSync(state), 'the state folder').to.deep.equal(['settings.json']);
  });

  it('/healthz, /livez and /readyz report etcd as the real apiserver does: "[-]etcd failed: reason withheld", 500', async () => {
    expect(await api('/healthz')).to.deep.equal({ status: 200, text: 'ok' });
    const verbose = await api('/readyz?verbose');
    expect(verbose.status).to.equal(200);
    expect(verbose.text).to.include('[+]etcd ok\n').and.include('[+]etcd-readiness ok\n');
    expect(verbose.text.endsWith('readyz check passed\n')).to.equal(true);
    await stopChild(etcd);
    for (const endpointName of ['healthz', 'livez', 'readyz']) {
      const started = Date.now();
      const answer = await api(`/${endpointName}`);
      expect(answer.status, endpointName).to.equal(500);
      expect(answer.text).to.include('[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n');
      expect(answer.text.endsWith(`${endpointName} check failed\n`), answer.text).to.equal(true);
      const took = Date.now() - started;
      expect(took, 'bounded by --etcd-healthcheck-timeout (2 s), not the storage timeout').to.be.below(STORAGE_TIMEOUT * 1000 / 2);
      process.stdout.write(`      etcd down: /${endpointName} answered 500 in ${took} ms\n`);
    }
    expect((await api('/readyz')).text).to.include('[-]etcd-readiness failed: reason withheld\n');
  });
});

describe('kubeadm in folder mode (the default): the same flows keep writing the shared folder', function () {
  this.timeout(300_000);
  let work = '';

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('init\'s uploads go to cluster.json, tokens.json, kubeadm-certs.json, objects.json, nodes/ and the fake-root member list', async () => {
    work = mkdtempSync(path.join(tmpdir(), 'play-kubeadm-folder-'));
    const state = path.join(work, 'state');
    const env = { ...process.env, PYTHONPATH: STANDINS, PLAY_CLUSTER_STATE: state, PLAY_STANDIN_ROOT: path.join(work, 'cp1') };
    const made = await runCaptured('python3', [STORE_DRIVER, 'pki', path.join(work, 'pki')], { cwd: work, env });
    expect(made.code, made.stderr).to.equal(0);
    // admin.conf names a server nobody listens on: the folder mode must not need one
    const unused = await unusedPort();
    for (const [args, input] of [[['setup', path.join(work, 'pki'), `https://${HOST}:${unused}`], '{}'],
      [['init', `${HOST}:${unused}`], JSON.stringify({ key: randomBytes(32).toString('hex') })]] as const) {
      const result = await runCaptured('python3', [DRIVER, ...args], { cwd: work, env, input });
      expect(result.code, redact(result.stderr)).to.equal(0);
      expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'), redact(result.stderr)).to.not.have.property('error');
    }
    expect(readdirSync(state).filter((name) => name !== '.lock').sort()).to.deep.equal(['cluster.json', 'etcd-members.json',
      'kubeadm-certs.json', 'nodes', 'objects.json', 'tokens.json']);
    expect(readdirSync(path.join(state, 'nodes'))).to.deep.equal(['cp1.json']);
    const cluster = JSON.parse(readFileSync(path.join(state, 'cluster.json'), 'utf8')) as Record<string, unknown>;
    expect(cluster).to.include({ initialised: true, apiServerEndpoint: `${HOST}:${unused}`, podSubnet: '10.244.0.0/16', initNode: 'cp1' });
    expect(JSON.parse(readFileSync(path.join(state, 'etcd-members.json'), 'utf8'))).to.deep.equal({ members: ['cp1'] });
    const tokens = JSON.parse(readFileSync(path.join(state, 'tokens.json'), 'utf8')) as { tokens: unknown[] };
    expect(tokens.tokens).to.have.length(2);   // init's and kubeadm-certs' proxy
  });
});
