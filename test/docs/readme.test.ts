// The README guard: every example command of the README is run by some test (here, in the
// package test, in the lab suite, or by .ci/run), or excluded with a reason in readme-catalog.ts;
// the commands that need no lab run here and must do what the catalogue says. The flag table is
// checked against the real `play --help`.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAY_BIN, REPO_ROOT, runPlay } from '../helpers/run-play.js';
import { README_COMMANDS } from './readme-catalog.js';
import { expectOutcome, helpFlags, readmeCommands, readmeCopyFolder, readReadme, runReadmeCommand, tableFlags } from './readme.js';

const markdown = readReadme();
const commands = readmeCommands(markdown);

describe('the README: every example command is run by a test, the flag table is play --help', function () {
  this.timeout(60_000);
  let dir: string;
  let marker: string;
  let path: string;
  let npmCache: string;
  /** The copy of inventories/ the `cwd: 'copy'` commands share (readmeCopyFolder), made at the first. */
  let copy: string | undefined;
  // npm's registry for these commands: a server on loopback that records every request and has
  // nothing; and npm's cache, an empty folder. A README command that asks the registry, or that
  // installs something into the cache (a plain `npx play` in the clone installs the clone there and
  // compiles it again: 10-20 s), fails.
  let registry: Server;
  let registryUrl: string;
  const registryRequests: string[] = [];

  before(async () => {
    registry = createServer((req, res) => {
      registryRequests.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
    dir = mkdtempSync(join(tmpdir(), 'play-readme-'));
    marker = join(dir, 'ssh-was-called');
    npmCache = join(dir, 'npm-cache');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'home'));
    // An ssh earlier on PATH records any call: these commands must contact no host.
    writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\necho "$@" >> ${marker}\nexit 255\n`);
    chmodSync(join(dir, 'bin', 'ssh'), 0o755);
    path = `${join(dir, 'bin')}:${process.env.PATH}`;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (copy) rmSync(copy, { recursive: true, force: true });
    await new Promise((resolve) => registry.close(resolve));
  });

  it('reads the examples of shell blocks and tables; not prose, not file blocks', () => {
    const md = [
      'Prose names `play NAME` and `npm run x`.',
      '```sh',
      'play a.yml -i inv      # a comment',
      '# a comment line',
      'npm run demo',
      'kubectl get nodes \\',
      '  -o wide',
      '```',
      '```yaml',
      '- play b.yml',
      '```',
      '```',
      'changed: [lb1] haproxy : Write haproxy.cfg',
      'play c.yml -i inv',
      '```',
      '| flag | example |',
      '|---|---|',
      '| `-l` | `-l worker1`, `play d.yml --list-hosts \\| jq .` |',
    ].join('\n');
    expect(readmeCommands(md)).to.deep.equal([
      { command: 'play a.yml -i inv', line: 3 },
      { command: 'npm run demo', line: 5 },
      { command: 'kubectl get nodes -o wide', line: 7 },
      { command: 'play c.yml -i inv', line: 14 },
      { command: 'play d.yml --list-hosts | jq .', line: 18 },
    ]);
  });

  it('every README command is in the catalogue, and the catalogue lists none the README lost', () => {
    expect(commands.length, 'commands found in README.md').to.be.greaterThan(20);
    const uncovered = commands.filter((c) => !(c.command in README_COMMANDS)).map((c) => `README.md:${c.line}: ${c.command}`);
    expect(uncovered, 'README commands no test runs: add each to test/docs/readme-catalog.ts (unit, package, lab, ci, or excluded with a reason)').to.deep.equal([]);
    const lost = Object.keys(README_COMMANDS).filter((k) => !commands.some((c) => c.command === k));
    expect(lost, 'catalogue entries the README no longer shows').to.deep.equal([]);
  });

  it('what it leaves to .ci/run is a line of .ci/run, and every exclusion says why', () => {
    const ciLines = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8').split('\n').map((l) => l.trim());
    for (const [command, coverage] of Object.entries(README_COMMANDS)) {
      if (coverage.by === 'ci') expect(ciLines, `.ci/run runs \`${command}\``).to.include(command);
      if (coverage.by === 'excluded' || coverage.by === 'ci') {
        expect(coverage.why.length, `why \`${command}\``).to.be.greaterThan(10);
        expect(coverage.why, `\`${command}\` is excluded for now only`).not.to.match(/temporar|for now|\btodo\b|later|next commit/i);
      }
    }
  });

  for (const { command, line } of commands) {
    const coverage = README_COMMANDS[command];
    if (coverage?.by !== 'unit') continue;
    it(`README.md:${line}: \`${command}\``, async () => {
      copy ??= coverage.cwd === 'copy' ? readmeCopyFolder() : undefined;
      const run = await runReadmeCommand(command, {
        cwd: coverage.cwd === 'copy' ? copy! : REPO_ROOT,
        home: join(dir, 'home'),
        programs: { play: [process.execPath, PLAY_BIN] },
        env: { PATH: path, npm_config_registry: registryUrl, npm_config_update_notifier: 'false', npm_config_cache: npmCache, ...coverage.env },
      });
      expectOutcome(command, run, coverage.expect);
      expect(existsSync(marker), `\`${command}\` started ssh`).to.equal(false);
      expect(registryRequests.splice(0), `\`${command}\` asked the npm registry`).to.deep.equal([]);
      const cached = existsSync(npmCache) ? readdirSync(npmCache).filter((entry) => entry !== '_logs') : [];
      rmSync(npmCache, { recursive: true, force: true });
      expect(cached, `\`${command}\` put something in npm's cache (an npx install?)`).to.deep.equal([]);
    });
  }

  it('the flag table lists exactly the flags of play --help', async () => {
    const run = await runPlay(['--help']);
    expect(run.code).to.equal(0);
    const help = helpFlags(run.stdout);
    const table = tableFlags(markdown, /Options of `play PLAYBOOK/);
    expect(help.size, 'flags parsed from play --help').to.be.greaterThan(15);
    expect([...help].filter((f) => !table.has(f)), 'in play --help, missing from the README table').to.deep.equal([]);
    expect([...table].filter((f) => !help.has(f)), 'in the README table, unknown to play --help').to.deep.equal([]);
  });
});
