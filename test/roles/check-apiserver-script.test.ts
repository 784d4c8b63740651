/**
 * /etc/keepalived/check_apiserver.sh run for real with /bin/sh against a local HTTPS server
 * (self-signed, like an apiserver to curl -k): it passes only when /healthz answers 200 on the
 * apiserver port, and, when this host holds the VIP, on VIP:LB port too.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderCheckApiserver } from '../../roles/keepalived/templates/check-apiserver.js';
import { skipLoudly } from '../helpers/skip.js';

function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'play-tls-'));
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')]);
  const tls = r.status === 0 ? { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) } : undefined;
  rmSync(dir, { recursive: true, force: true });
  return tls;
}

async function listen(tls: { key: Buffer; cert: Buffer }, status: number): Promise<{ server: Server; port: number }> {
  const server = createServer(tls, (req, res) => {
    res.writeHead(req.url === '/healthz' ? status : 404);
    res.end(status === 200 ? 'ok' : 'unhealthy');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function runScript(vip: string, apiserverPort: number, lbPort: number): Promise<{ code: number; stderr: string }> {
  // Asynchronously: the HTTPS servers answering curl live in this very process.
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    child.stdin.end(renderCheckApiserver({ vip, apiserverPort, lbPort }));
  });
}

/** TEST-NET-2: documentation only; the before() hook makes sure no interface here has it. */
const ABSENT_VIP = '198.51.100.77';

describe('check_apiserver.sh (for real, against local HTTPS servers)', function () {
  this.timeout(20000);
  let tls: { key: Buffer; cert: Buffer } | undefined;
  const servers: Server[] = [];

  before(function () {
    const missing = ['openssl', 'curl', 'ip'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
    // The script would probe a VIP it finds on an interface: only loopback may ever be probed.
    const addrs = spawnSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
    if (addrs.includes(` ${ABSENT_VIP}/`)) skipLoudly(this, `this machine holds ${ABSENT_VIP}, the address the script must find absent (only loopback may be probed)`);
    tls = missing.length ? undefined : selfSigned();
    if (!tls) skipLoudly(this, `missing ${missing.join(', ') || 'a working openssl'}`);
  });
  after(() => servers.forEach((s) => s.close()));

  it('passes when the local apiserver is healthy and this host does not hold the VIP', async () => {
    const api = await listen(tls!, 200);
    servers.push(api.server);
    // An address on no interface here: the VIP probe is skipped, never sent anywhere.
    expect((await runScript(ABSENT_VIP, api.port, 1)).code).to.equal(0);
  });

  it('fails when /healthz is not 200, or nothing listens', async () => {
    const sick = await listen(tls!, 500);
    servers.push(sick.server);
    const r = await runScript(ABSENT_VIP, sick.port, 1);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(`*** Error GET https://localhost:${sick.port}/healthz`);
  });

  it('while holding the VIP, also needs VIP:LB port to answer', async () => {
    const api = await listen(tls!, 200);
    const lb = await listen(tls!, 200);
    servers.push(api.server, lb.server);
    // 127.0.0.1 is "held" here (it is on lo), so the script probes 127.0.0.1:LB_PORT as the VIP.
    expect((await runScript('127.0.0.1', api.port, lb.port)).code).to.equal(0);
    lb.server.close();
    const r = await runScript('127.0.0.1', api.port, lb.port);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(`*** Error GET https://127.0.0.1:${lb.port}/healthz`);
  });
});
