// The stand-in apiserver's etcd backend (playstandin/etcdstore.py) against the real etcd, on loopback.
//
// Debian's etcd 3.4 (bookworm's etcd-server, extracted by .ci/run into /var/cache/play-lab/etcd; or
// PLAY_ETCD_BIN; or /usr/bin/etcd) runs with client TLS on a free port and a temp data dir. One
// Python driver (test/standins/etcd_store_driver.py) keeps one store, so one connection pool, for the
// whole file: it is told about an endpoint that is down first, so every call also shows the failover
// to the next one. A stand-in apiserver started with settings.json "apiserver_storage": "etcd"
// shows the HTTP side. Without etcd the file skips loudly, and fails under CI.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { REPO_ROOT } from '../helpers/run-play.js';
import { requirePrerequisite } from '../helpers/skip.js';
import { executable, findEtcd, HOST, stopChild, unusedPort, untilOutput } from '../helpers/real-etcd.js';
import { STANDINS_SRC } from '../helpers/standin-driver.js';

const STORAGE_TIMEOUT = 2; // settings.json storage_timeout_seconds for this test: the bound of every etcd call
const TIMEOUT_MESSAGE = 'Timeout: request did not complete within requested timeout - context deadline exceeded';

interface Answer {
  ok?: unknown;
  code?: number;
  reason?: string;
  message?: string;
  body?: Record<string, unknown>;
  seconds: number;
}

interface Meta {
  name: string;
  resourceVersion: string;
  generation?: number;
}

/** The driver: one JSON command per line in, one JSON answer per line out. */
class Driver {
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';

  constructor(readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  send(command: Record<string, unknown>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`driver: no answer to ${JSON.stringify(command)}\n${this.stderr}`)), 30_000);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Answer);
      });
      this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
  }

  async ok<T>(command: Record<string, unknown>): Promise<T> {
    const answer = await this.send(command);
    if (answer.ok === undefined) throw new Error(`${JSON.stringify(command)} failed: ${JSON.stringify(answer)}`);
    return answer.ok as T;
  }
}

describe('etcd store: the stand-in apiserver keeps its objects in the real etcd', function () {
  this.timeout(60_000);
  const root = REPO_ROOT;
  const pythonPath = STANDINS_SRC;
  let work = '';
  let pki = '';
  let etcdBin = '';
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  let driver: Driver | undefined;
  const others: ChildProcess[] = [];
  let clientPort = 0;
  let peerPort = 0;
  let apiPort = 0;
  let deadPort = 0;

  const endpoint = () => `https://${HOST}:${clientPort}`;

  /** One etcd member with client TLS; peers in plain HTTP on loopback. */
  async function runEtcd(name: string, client: number, peer: number, cluster: string, extra: string[] = []): Promise<ChildProcess> {
    const url = `https://${HOST}:${client}`;
    const member = spawn(etcdBin, [
      `--name=${name}`, `--data-dir=${path.join(work, name)}`, `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://${HOST}:${peer}`, `--initial-advertise-peer-urls=http://${HOST}:${peer}`, `--initial-cluster=${cluster}`,
      `--cert-file=${pki}/server.crt`, `--key-file=${pki}/server.key`, `--trusted-ca-file=${pki}/ca.crt`, '--client-cert-auth=true', ...extra,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    await untilOutput(member, 'ready to serve client requests', `etcd ${name}`);
    return member;
  }

  async function startEtcd(): Promise<void> {
    etcd = await runEtcd('t', clientPort, peerPort, `t=http://${HOST}:${peerPort}`);
  }

  function startDriver(endpoints: string, timeout: number): Driver {
    const child = spawn('python3', [path.join(root, 'test', 'standins', 'etcd_store_driver.py'), 'serve', endpoints, pki, String(timeout)],
      { env: { ...process.env, PYTHONPATH: pythonPath, PLAY_CLUSTER_STATE: path.join(work, 'state') }, stdio: ['pipe', 'pipe', 'pipe'] });
    others.push(child);
    return new Driver(child);
  }

  function api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const request = https.request({
        host: HOST, port: apiPort, method, path: urlPath, agent: false, timeout: 20_000,
        ca: readFileSync(`${pki}/ca.crt`), cert: readFileSync(`${pki}/client.crt`), key: readFileSync(`${pki}/client.key`),
        headers: { 'Content-Type': 'application/json' },
      }, (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => (text += chunk.toString()));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, ms: Date.now() - started }));
      });
      request.on('error', reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  before(async function () {
    etcdBin = findEtcd() ?? '';
    requirePrerequisite(this, etcdBin ? undefined : 'no etcd binary (.ci/run extracts bookworm\'s etcd-server into /var/cache/play-lab/etcd; or set PLAY_ETCD_BIN)');
    const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
    requirePrerequisite(this, python.status === 0 ? undefined : `python3 with yaml is needed: ${python.stderr || python.error}`);
    work = mkdtempSync(path.join(tmpdir(), 'play-etcd-store-'));
    pki = path.join(work, 'pki');
    const env = { ...process.env, PYTHONPATH: pythonPath };
    const made = spawnSync('python3', [path.join(root, 'test', 'standins', 'etcd_store_driver.py'), 'pki', pki], { env, encoding: 'utf8' });
    expect(made.status, made.stderr).to.equal(0);
    [clientPort, peerPort, apiPort, deadPort] = await Promise.all([unusedPort(), unusedPort(), unusedPort(), unusedPort()]);
    await startEtcd();
    const state = path.join(work, 'state');
    mkdirSync(state);
    writeFileSync(path.join(state, 'settings.json'), JSON.stringify({ apiserver_storage: 'etcd', storage_timeout_seconds: STORAGE_TIMEOUT }));
    // the first endpoint never answers: every call also goes through the failover to the next
    driver = startDriver(`https://${HOST}:${deadPort},${endpoint()}`, STORAGE_TIMEOUT);
    apiserver = spawn('python3', ['-m', 'playstandin.apiserver', `--bind-address=${HOST}`, `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki}/server.crt`, `--tls-private-key-file=${pki}/server.key`, `--client-ca-file=${pki}/ca.crt`,
      `--etcd-servers=${endpoint()}`, `--etcd-cafile=${pki}/ca.crt`, `--etcd-certfile=${pki}/client.crt`,
      `--etcd-keyfile=${pki}/client.key`], { env: { ...env, PLAY_CLUSTER_STATE: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    await untilOutput(apiserver, 'Serving securely', 'the apiserver');
  });

  after(async () => {
    await Promise.all([stopChild(apiserver), stopChild(etcd), ...others.map(stopChild)]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('creates, gets, lists, updates and deletes with the real answers: AlreadyExists, Conflict, NotFound', async () => {
    const d = driver!;
    expect(await d.send({ op: 'get', name: 'web' })).to.include({ code: 404, reason: 'NotFound', message: 'configmaps "web" not found' });
    const created = await d.ok<{ metadata: Meta }>({ op: 'create', name: 'web', data: { a: '1' } });
    expect(created.metadata.resourceVersion).to.match(/^\d+$/);
    expect(await d.send({ op: 'create', name: 'web', data: { a: '1' } })).to.include({ code: 409, reason: 'AlreadyExists', message: 'configmaps "web" already exists' });
    const got = await d.ok<{ metadata: Meta; data: Record<string, string> }>({ op: 'get', name: 'web' });
    expect(got.metadata.resourceVersion).to.equal(created.metadata.resourceVersion);
    const updated = await d.ok<{ metadata: Meta }>({ op: 'update', name: 'web', data: { a: '2' }, resourceVersion: created.metadata.resourceVersion });
    expect(Number(updated.metadata.resourceVersion)).to.be.greaterThan(Number(created.metadata.resourceVersion));
    expect(updated.metadata.generation).to.equal(2);
    const stale = await d.send({ op: 'update', name: 'web', data: { a: '3' }, resourceVersion: created.metadata.resourceVersion });
    expect(stale).to.include({ code: 409, reason: 'Conflict' });
    expect(stale.message).to.equal('Operation cannot be fulfilled on configmaps "web": the object has been modified; please apply your changes to the latest version and try again');
    expect(await d.send({ op: 'update', name: 'nope', data: {} })).to.include({ code: 404, reason: 'NotFound' });
    await d.ok({ op: 'create', name: 'other', data: {}, namespace: 'kube-system' });
    const [items, listRevision] = await d.ok<[{ metadata: Meta & { namespace: string } }[], string]>({ op: 'list' });
    expect(items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`)).to.deep.equal(['default/web', 'kube-system/other']);
    expect(Number(listRevision)).to.be.at.least(Math.max(...items.map((item) => Number(item.metadata.resourceVersion))));
    const [namespaced] = await d.ok<[{ metadata: Meta }[], string]>({ op: 'list', namespace: 'kube-system' });
    expect(namespaced.map((item) => item.metadata.name)).to.deep.equal(['other']);
    expect(await d.send({ op: 'create', name: 'x', data: {}, namespace: 'missing' })).to.include({ code: 404, message: 'namespaces "missing" not found' });
    expect(await d.ok<{ metadata: Meta }>({ op: 'delete', name: 'other', namespace: 'kube-system' })).to.have.nested.property('metadata.name', 'other');
    expect(await d.send({ op: 'delete', name: 'other', namespace: 'kube-system' })).to.include({ code: 404, reason: 'NotFound' });
  });

  it('keeps them under the real keys: /registry/configmaps/NS/NAME, /registry/minions/NAME, JSON values without resourceVersion', async () => {
    const d = driver!;
    await d.ok({ op: 'node', name: 'cp1' });
    const raw = await d.ok<{ key: string; value: { metadata: Record<string, unknown> } }[]>({ op: 'raw', prefix: '/registry/' });
    const keys = raw.map((entry) => entry.key);
    expect(keys).to.include.members(['/registry/configmaps/default/web', '/registry/minions/cp1']);
    for (const entry of raw) expect(entry.value.metadata, entry.key).to.not.have.property('resourceVersion');
    const etcdctl = path.join(path.dirname(etcdBin), 'etcdctl');
    if (executable(etcdctl)) {
      const listed = spawnSync(etcdctl, [`--endpoints=${endpoint()}`, `--cacert=${pki}/ca.crt`, `--cert=${pki}/client.crt`,
        `--key=${pki}/client.key`, 'get', '/registry/', '--prefix', '--keys-only'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
      expect(listed.status, listed.stderr).to.equal(0);
      expect(listed.stdout.split('\n').filter(Boolean)).to.include.members(['/registry/configmaps/default/web', '/registry/minions/cp1']);
    }
    const nodes = await d.ok<{ metadata: Meta }[]>({ op: 'nodes' });
    expect(nodes.map((node) => node.metadata.name)).to.deep.equal(['cp1']);
    expect(await d.ok({ op: 'delete-node', name: 'cp1' })).to.equal(true);
    expect(await d.ok({ op: 'delete-node', name: 'cp1' })).to.equal(false);
  });

  it('loses no update in a race of read-modify-writes: the txn on mod_revision fails and retries', async () => {
    // the podSubnet Nodes get their podCIDR from (here and below): kubeadm-config's ClusterConfiguration,
    // an object in etcd as well; once a Node has its podCIDR, an update reads no more
    await driver!.ok({ op: 'apply', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: 'kind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n' } } });
    const threads = 6;
    const rounds = 15;
    const race = await driver!.ok<{ counter: string; node: string; conflicts: number }>({ op: 'race', threads, rounds });
    expect(race.counter).to.equal(String(threads * rounds));
    expect(race.node).to.equal(String(threads * rounds));
    expect(race.conflicts, 'the writers never collided: the race proved nothing').to.be.greaterThan(0);
  });

  it('gives Nodes registered at once different podCIDRs: the txn also guards the Node list', async () => {
    const cidrs = await driver!.ok<Record<string, string>>({ op: 'register', threads: 6 });
    expect(Object.keys(cidrs)).to.have.length(6);
    for (const cidr of Object.values(cidrs)) expect(cidr).to.match(/^10\.244\.\d+\.0\/24$/);
    expect(new Set(Object.values(cidrs)).size, JSON.stringify(cidrs)).to.equal(6);
  });

  it('reuses its TLS connections across requests and threads', async () => {
    const before = await driver!.ok<{ requests: number; connections: number }>({ op: 'counters' });
    const bench = await driver!.ok<{ pooled_ms: number; fresh_ms: number; fresh_connections: number }>({ op: 'bench', count: 200 });
    const counters = await driver!.ok<{ requests: number; connections: number }>({ op: 'counters' });
    // everything so far (about 450 requests from up to 6 threads) went over a few connections, the
    // 200 fresh ones of the bench aside; each attempt on the dead endpoint counts as one
    expect(before.requests).to.be.greaterThan(300);
    expect(before.connections).to.be.at.most(20);
    expect(bench.fresh_connections).to.equal(200);
    expect(counters.connections - before.connections).to.be.at.most(201);
    process.stdout.write(`      etcd range latency on loopback: ${bench.pooled_ms} ms reusing a connection, ${bench.fresh_ms} ms with a new TLS connection each\n`);
  });

  it('answers an error etcd reports as the real apiserver: 500, no reason, etcd\'s message', async () => {
    const answer = await driver!.send({ op: 'call', path: '/v3/kv/put', body: {} });
    expect(answer).to.include({ code: 500, message: 'etcdserver: key is not provided' });
    expect(answer.body).to.not.have.property('reason');
  });

  it('serves the API from etcd when settings.json says "apiserver_storage": "etcd"', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'through-api', namespace: 'default' }, data: { k: 'v' } };
    const put = await api('PUT', '/api/v1/namespaces/default/configmaps/through-api', cm);
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    const got = await api('GET', '/api/v1/namespaces/default/configmaps/through-api');
    expect(got.body).to.have.nested.property('data.k', 'v');
    const raw = await driver!.ok<{ key: string }[]>({ op: 'raw', prefix: '/registry/configmaps/default/' });
    expect(raw.map((entry) => entry.key)).to.include('/registry/configmaps/default/through-api');
    const node = await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1' }, status: {} });
    expect(node.status, JSON.stringify(node.body)).to.equal(201);
    const minions = await driver!.ok<{ key: string }[]>({ op: 'raw', prefix: '/registry/minions/' });
    expect(minions.map((entry) => entry.key)).to.include('/registry/minions/w1');
    const listed = await api('GET', '/api/v1/nodes');
    expect((listed.body['items'] as { metadata: Meta }[]).map((item) => item.metadata.name)).to.include('w1');
  });

  it('etcd down: reads and writes fail with the timeout within the bound; etcd back: the same clients work again', async () => {
    await stopChild(etcd);
    const bound = STORAGE_TIMEOUT + 1.5;
    const [read, viaApi] = await Promise.all([driver!.send({ op: 'get', name: 'web' }),
      api('GET', '/api/v1/namespaces/default/configmaps/through-api')]);
    expect(read).to.include({ code: 504, reason: 'Timeout', message: TIMEOUT_MESSAGE });
    expect(read.seconds).to.be.within(STORAGE_TIMEOUT - 0.2, bound);
    // discovery and OpenAPI come from the apiserver's memory (its CRD informer's cache), as the real
    // one's do: kubectl apply reads both before its request, which must then fail with etcd's error
    for (const path of ['/apis', '/openapi/v3']) {
      const served = await api('GET', path);
      expect(served.status, `${path} while etcd is down`).to.equal(200);
      expect(served.ms, `${path} does not wait for etcd`).to.be.below(1000);
    }
    const health = await driver!.send({ op: 'health' });
    expect(health.ok, 'the health check while etcd is down').to.equal('context deadline exceeded');
    expect(health.seconds, 'the health check is bounded by --etcd-healthcheck-timeout (2 s)').to.be.below(2.5);
    const write = await driver!.send({ op: 'create', name: 'late', data: {} });
    expect(write).to.include({ code: 504, reason: 'Timeout' });
    expect(write.seconds).to.be.below(bound);
    expect(viaApi.status).to.equal(504);
    expect(viaApi.body).to.include({ reason: 'Timeout', message: TIMEOUT_MESSAGE });
    expect(viaApi.ms).to.be.below(bound * 1000);
    await startEtcd();
    expect((await driver!.send({ op: 'health' })).ok, 'the health check once etcd is back').to.equal(null);
    expect(await driver!.ok<{ data: Record<string, string> }>({ op: 'get', name: 'web' })).to.have.nested.property('data.a', '2');
    expect((await api('GET', '/api/v1/namespaces/default/configmaps/through-api')).status).to.equal(200);
  });

  it('a member that lost quorum: reads and writes answer etcd\'s timeout as a 500 with its message', async function () {
    // three members with short elections (request timeout 5 s + 2 x 100 ms), two of them stopped; a read
    // may wait for two rounds of etcd's read-index loop (up to twice the request timeout)
    const ports = await Promise.all([1, 2, 3, 4, 5, 6].map(() => unusedPort()));
    const cluster = [0, 1, 2].map((i) => `q${i}=http://${HOST}:${ports[3 + i]}`).join(',');
    const members = await Promise.all([0, 1, 2].map((i) => runEtcd(`q${i}`, ports[i]!, ports[3 + i]!, cluster,
      ['--heartbeat-interval=20', '--election-timeout=100'])));
    others.push(...members);
    const [reader, writer] = [startDriver(`https://${HOST}:${ports[0]}`, 15), startDriver(`https://${HOST}:${ports[0]}`, 15)];
    await writer.ok({ op: 'create', name: 'before', data: {} });
    await Promise.all([stopChild(members[1]), stopChild(members[2])]);
    const commands = [{ op: 'get', name: 'before' }, { op: 'delete', name: 'before' }]; // a range; a write through raft
    const answers = await Promise.all([reader.send(commands[0]!), writer.send(commands[1]!)]);
    // etcd's own words: 3.4 times the proposal out itself (on a loaded machine its gateway's context
    // may expire first); 3.5's raft takes no proposal without a leader, so the write's context expires first
    const version = /etcd Version: (\d+\.\d+)/.exec(spawnSync(etcdBin, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    const writeMessages = version === '3.4' ? ['etcdserver: request timed out', 'context deadline exceeded'] : ['context deadline exceeded'];
    answers.forEach((answer, i) => {
      const messages = i === 0 ? ['etcdserver: request timed out'] : writeMessages;
      const what = `${JSON.stringify(commands[i])} on etcd ${version}`;
      expect(answer, what).to.include({ code: 500 });
      expect(messages, what).to.include(answer.message);
      expect(answer.body).to.not.have.property('reason');
      expect(answer.seconds).to.be.below(15);
      process.stdout.write(`      quorum lost: ${commands[i]!.op} answered in ${answer.seconds} s\n`);
    });
  });

  it('an apiserver whose etcd takes no connection does not listen; after its dial timeout it exits with "context deadline exceeded"', async () => {
    // as the real one (grpc.WithBlock, DialTimeout): a joining master's apiserver, started before its
    // etcd member, must not be counted up by a TCP health check
    const state = path.join(work, 'state-dial');
    mkdirSync(state);
    writeFileSync(path.join(state, 'settings.json'), JSON.stringify({ apiserver_storage: 'etcd', etcd_dial_timeout_seconds: 2 }));
    const port = await unusedPort();
    const started = Date.now();
    const child = spawn('python3', ['-m', 'playstandin.apiserver', `--bind-address=${HOST}`, `--secure-port=${port}`,
      `--tls-cert-file=${pki}/server.crt`, `--tls-private-key-file=${pki}/server.key`, `--client-ca-file=${pki}/ca.crt`,
      `--etcd-servers=https://${HOST}:${deadPort}`, `--etcd-cafile=${pki}/ca.crt`, `--etcd-certfile=${pki}/client.crt`,
      `--etcd-keyfile=${pki}/client.key`], { env: { ...process.env, PYTHONPATH: pythonPath, PLAY_CLUSTER_STATE: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    others.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: HOST, port }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused, 'a connection to the apiserver while it waits for etcd').to.equal('ECONNREFUSED');
    expect(await exited, stderr).to.equal(1);
    expect(stderr).to.include('"command failed" err="context deadline exceeded"');
    expect(stderr).to.not.include('Serving securely');
    expect(Date.now() - started).to.be.at.least(2000);
  });
});
