// Issue 13 row 4: the ssh options that turn host key checking into "accept anything", found in
// every spelling ssh itself accepts (checked against `ssh -G` where it can say), in -F files and
// what they Include, and in the ssh of a ProxyCommand; the lab's own strict options pass.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argvSplit, hostKeyWeakenings, parseConfigLine, type ScanEnv } from '../../../engine/connection/host-key-options.js';
import { requirePrerequisite } from '../../helpers/skip.js';

function hasSsh(): boolean {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('connection/host-key-options: ssh arguments that weaken host key checking', () => {
  let dir: string;
  let where: ScanEnv;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-hostkeys-'));
    mkdirSync(join(dir, 'home', '.ssh', 'conf.d'), { recursive: true });
    where = { env: { NULL_FILE: '/dev/null' }, cwd: dir, home: join(dir, 'home') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const options = async (args: string[]): Promise<string[]> => (await hostKeyWeakenings(args, where)).map((w) => w.option + (w.via ? ` @ ${w.via}` : ''));

  const WEAK: Array<[string[], string]> = [
    [['-o', 'UserKnownHostsFile=/dev/null'], 'UserKnownHostsFile'],
    [['-oUserKnownHostsFile=/dev/null'], 'UserKnownHostsFile'],
    [['-o', 'userknownhostsfile /dev/null'], 'UserKnownHostsFile'],
    [['-o', '  UserKnownHostsFile = /dev/null'], 'UserKnownHostsFile'],
    [['-o', '"UserKnownHostsFile" "/dev/null"'], 'UserKnownHostsFile'],
    [['-o', 'UserKnownHostsFile=~/.ssh/known_hosts /dev/null'], 'UserKnownHostsFile'],
    [['-o', 'UserKnownHostsFile=none'], 'UserKnownHostsFile'],
    [['-o', 'UserKnownHostsFile=/dev/zero'], 'UserKnownHostsFile'],
    [['-o', 'UserKnownHostsFile=/dev/../dev//null'], 'UserKnownHostsFile'],
    [['-o', 'UserKnownHostsFile=${NULL_FILE}'], 'UserKnownHostsFile'],
    [['-o', 'GLOBALKNOWNHOSTSFILE=/dev/null'], 'GlobalKnownHostsFile'],
    [['-o', 'KnownHostsCommand=/usr/bin/printf %H'], 'KnownHostsCommand'],
    [['-o', 'StrictHostKeyChecking=no'], 'StrictHostKeyChecking'],
    [['-o', 'stricthostkeychecking OFF'], 'StrictHostKeyChecking'],
    [['-o', 'StrictHostKeyChecking=false'], 'StrictHostKeyChecking'],
    [['-vo', 'StrictHostKeyChecking=no'], 'StrictHostKeyChecking'],
    [['-4voStrictHostKeyChecking=no'], 'StrictHostKeyChecking'],
    [['-o', 'NoHostAuthenticationForLocalhost=yes'], 'NoHostAuthenticationForLocalhost'],
  ];
  for (const [args, option] of WEAK) {
    it(`finds ${option} in ${JSON.stringify(args)}`, async () => {
      expect(await options(args)).to.deep.equal([option]);
    });
  }

  it('lets strict and harmless options pass, the lab inventory’s among them', async () => {
    const lab = argvSplit('-o UserKnownHostsFile=/var/lib/play-lab/ssh/known_hosts -o StrictHostKeyChecking=yes')!;
    expect(await options(lab)).to.deep.equal([]);
    expect(await options(['-o', 'StrictHostKeyChecking=accept-new', '-o', 'KnownHostsCommand none', '-F', '/dev/null', '-C', '-J', 'bastion'])).to.deep.equal([]);
    // An option's argument is not an option: -l takes "-oStrict..." as a user name, as ssh's getopt does.
    expect(await options(['-l', '-oStrictHostKeyChecking=no'])).to.deep.equal([]);
    expect(await options(['--', '-o', 'StrictHostKeyChecking=no'])).to.deep.equal([]);
  });

  it('reads -F files and what they Include (relative to ~/.ssh, globbed), in any Host block, naming the line', async () => {
    writeFileSync(join(dir, 'home', '.ssh', 'conf.d', '10-lab.conf'), 'Host lab-*\n  # a comment\n  StrictHostKeyChecking no\n');
    writeFileSync(join(dir, 'ssh.conf'), 'Host bastion\n  User jump\n\nHost 10.*\n  UserKnownHostsFile /dev/null\nInclude conf.d/*.conf\n');
    expect(await options(['-F', 'ssh.conf'])).to.deep.equal([
      'UserKnownHostsFile @ the -F file, line 5',
      'StrictHostKeyChecking @ a file the -F file includes, line 3',
    ]);
    expect(await options([`-F${join(dir, 'missing.conf')}`])).to.deep.equal([]);
  });

  it('reads the ssh command of a ProxyCommand', async () => {
    expect(await options(['-o', 'ProxyCommand=ssh -o StrictHostKeyChecking=no -W %h:%p bastion'])).to.deep.equal(['StrictHostKeyChecking @ ProxyCommand']);
    expect(await options(['-o', 'ProxyCommand /usr/bin/nc -X connect %h %p'])).to.deep.equal([]);
  });

  it('parses config lines as readconf.c does: keyword case, "=", quotes, comments', () => {
    expect(parseConfigLine('  UserKnownHostsFile = "/a b" c')).to.deep.equal({ keyword: 'userknownhostsfile', rest: '"/a b" c' });
    expect(parseConfigLine('X=Y')).to.deep.equal({ keyword: 'x', rest: 'Y' });
    expect(parseConfigLine('# StrictHostKeyChecking no')).to.equal(undefined);
    expect(parseConfigLine('   ')).to.equal(undefined);
    expect(argvSplit(`"/a b" c\\ d 'e' # comment`)).to.deep.equal(['/a b', 'c d', 'e']);
    expect(argvSplit('"open')).to.equal(undefined);
  });

  it('agrees with ssh -G on what each -o spelling sets', function () {
    requirePrerequisite(this, hasSsh() ? undefined : 'needs OpenSSH (ssh -G)');
    for (const [args, option] of WEAK.filter(([a]) => a[0] === '-o')) {
      const out = execFileSync('ssh', ['-G', '-F', '/dev/null', ...args, 'example.invalid'], { encoding: 'utf8', env: { ...process.env, ...where.env }, stdio: ['ignore', 'pipe', 'ignore'] });
      const line = out.split('\n').find((l) => l.startsWith(`${option.toLowerCase()} `));
      expect(line, `ssh -G ${args.join(' ')}`).to.match(/ (\/dev\/|none|no|false|yes|\/usr\/bin\/printf)/);
    }
  });
});
