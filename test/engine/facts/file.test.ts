import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileFact, parseFileFact, MAX_CONTENT_BYTES } from '../../../engine/facts/file.js';
import { readTar } from '../../../engine/facts/tar-read.js';
import { sha256Of } from '../../../engine/ops/file-plan.js';
import { runSh } from '../ops/fake-context.js';

describe('facts/file', () => {
  // Captured on the controller: `printf 'hi\n' > f; chmod 640 f`, then the fact's command.
  it('parses a captured regular file', () => {
    const stdout =
      'stat 640 root adm 3 regular file\n' +
      'content\naGkK\n';
    expect(parseFileFact('file:/f', { code: 0, stdout, stderr: '' })).to.deep.equal({
      exists: true,
      isDir: false,
      type: 'regular file',
      mode: 0o640,
      owner: 'root',
      group: 'adm',
      size: 3,
      sha256: '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4',
      content: 'hi\n',
    });
  });

  it('takes the hash of a file too large to send from sha256sum', () => {
    const stdout = 'stat 600 root root 2000000 regular file\nsha256 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  -\n';
    const state = parseFileFact('file:/big', { code: 0, stdout, stderr: '' });
    expect(state).to.deep.include({ size: 2000000, sha256: '98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4' });
    expect(state.exists && state.content).to.equal(undefined);
  });

  it('hashes the bytes received, not their UTF-8 reading', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x0a]);
    const stdout = `stat 644 root root 3 regular file\ncontent\n${bytes.toString('base64')}\n`;
    const state = parseFileFact('file:/bin', { code: 0, stdout, stderr: '' });
    expect(state.exists && state.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
  });

  it('parses missing and rejects garbage', () => {
    expect(parseFileFact('file:/x', { code: 0, stdout: 'missing\n', stderr: '' })).to.deep.equal({ exists: false });
    expect(() => parseFileFact('file:/x', { code: 127, stdout: '', stderr: 'sh: stat: not found' })).to.throw(/file:\/x: unexpected output: sh: stat: not found/);
  });

  describe('for real, in a temp dir', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'play-filefact-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const read = async (path: string) => {
      const fact = fileFact(path);
      return fact.parse(await runSh(fact.command));
    };

    it('reads a file with awkward bytes, its mode and hash', async () => {
      const content = "line 1\n'quoted' $(x) `y`\n\ttab\n\nno final newline";
      const path = join(dir, "it's here.conf");
      writeFileSync(path, content);
      chmodSync(path, 0o4750);
      const state = await read(path);
      expect(state).to.deep.include({ exists: true, isDir: false, mode: 0o4750, owner: 'root', content });
      expect(state.exists && state.sha256).to.equal(sha256Of(content));
    });

    it('reads an empty file', async () => {
      const path = join(dir, 'empty');
      writeFileSync(path, '');
      expect(await read(path)).to.deep.include({ exists: true, type: 'regular empty file', content: '', size: 0 });
    });

    it('reports a directory without content', async () => {
      const path = join(dir, 'sub');
      mkdirSync(path, { mode: 0o750 });
      const state = await read(path);
      expect(state).to.deep.include({ exists: true, isDir: true, mode: 0o750 });
      expect(state.exists && state.content).to.equal(undefined);
    });

    it('follows a symlink and treats a dangling one as missing', async () => {
      const target = join(dir, 'target');
      writeFileSync(target, 'through the link\n');
      symlinkSync(target, join(dir, 'link'));
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
      expect(await read(join(dir, 'link'))).to.deep.include({ exists: true, content: 'through the link\n' });
      expect(await read(join(dir, 'dangling'))).to.deep.equal({ exists: false });
      expect(await read(join(dir, 'missing'))).to.deep.equal({ exists: false });
    });

    it('hashes but does not send back a file over the size limit', async () => {
      const path = join(dir, 'big');
      const content = 'x'.repeat(MAX_CONTENT_BYTES + 1);
      writeFileSync(path, content);
      const state = await read(path);
      expect(state).to.deep.include({ exists: true, size: MAX_CONTENT_BYTES + 1, sha256: sha256Of(content) });
      expect(state.exists && state.content).to.equal(undefined);
    });
  });

  describe('grouped: several files in one command', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'play-filegroup-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("gives each file exactly what its own command prints, whatever the file", async () => {
      writeFileSync(join(dir, 'plain'), 'hello\n');
      writeFileSync(join(dir, 'empty'), '');
      writeFileSync(join(dir, "it's |stat 1 a b 2 x"), Buffer.from([0xff, 0x00, 0x0a]));
      writeFileSync(join(dir, 'big'), 'y'.repeat(MAX_CONTENT_BYTES + 1));
      writeFileSync(join(dir, 'edge'), 'z'.repeat(MAX_CONTENT_BYTES));
      chmodSync(join(dir, 'plain'), 0o4750);
      mkdirSync(join(dir, 'sub dir'));
      symlinkSync(join(dir, 'plain'), join(dir, 'link'));
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
      symlinkSync(join(dir, 'big'), join(dir, 'big link'));
      // a name over tar's 100 bytes (GNU long name), one tar would rename (sent by its own base64)
      const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
      mkdirSync(join(dir, deep), { recursive: true });
      writeFileSync(join(dir, deep, 'long'), 'long name\n');
      const names = ['plain', 'empty', "it's |stat 1 a b 2 x", 'big', 'edge', 'sub dir', 'link', 'dangling', 'missing', 'plain', `${deep}/long`, 'sub dir/../plain', 'big link'];
      const paths = names.map((n) => join(dir, n));
      const group = fileFact(paths[0]!).group!;
      const parts = group.split(await runSh(group.command(paths)), paths);
      const alone = await Promise.all(paths.map((p) => runSh(fileFact(p).command)));
      expect(parts.map((r) => r.stdout)).to.deep.equal(alone.map((r) => r.stdout));
      expect(parts.map((r, i) => parseFileFact(paths[i]!, r))).to.deep.equal(alone.map((r, i) => parseFileFact(paths[i]!, r)));
      // a host without tar: `command -v tar` finds nothing, each file goes by its own base64
      const withoutTar = `command() { return 1; }\n${group.command(paths)}`;
      expect(withoutTar).to.not.equal(group.command(paths));
      const noTar = group.split(await runSh(withoutTar), paths);
      expect(noTar.map((r) => r.stdout)).to.deep.equal(alone.map((r) => r.stdout));
    });

    it('refuses output with a section missing', () => {
      const group = fileFact('/a').group!;
      expect(() => group.split({ code: 0, stdout: '/a|stat 644 root root 1 regular file\n\n==play-file-archive==\n', stderr: '' }, ['/a'])).to.throw(/0 sections for 1 paths/);
      expect(() => group.split({ code: 0, stdout: '/a|stat 644 root root 1 regular file\n\n==play-file== 0\narchived\n', stderr: '' }, ['/a'])).to.throw(/no archive section/);
    });

    it('sends the small files in one archive, not one base64 each', () => {
      const paths = ['/etc/a.conf', '/etc/b.conf', '/etc/c.conf', '/etc/x/../d.conf'];
      const command = fileFact(paths[0]!).group!.command(paths);
      expect(command.match(/\btar -chf\b/g)).to.have.length(1);
      // which files are too large comes from stat's sizes: no `find`, one process fewer per host
      expect(command.match(/stat -L -c '%n\|/g)).to.have.length(1);
      expect(command).not.to.match(/\bfind\b/);
      // into the archive where tar is there; the path tar would rename goes by its own base64
      const perFile = command.split("printf '\\n%s %s\\n' ==play-file== ").slice(1);
      expect(perFile).to.have.length(4);
      expect(perFile.map((section) => section.includes('echo archived'))).to.deep.equal([true, true, true, false]);
    });

    it('reads ustar prefixes, pax names and hard links from an archive', () => {
      const base = join(dir, 'formats');
      const long = join(base, `${'p'.repeat(90)}/${'q'.repeat(90)}`);
      mkdirSync(long, { recursive: true });
      writeFileSync(join(long, 'f'), 'prefixed\n');
      linkSync(join(long, 'f'), join(base, 'hard'));
      for (const format of ['ustar', 'posix', 'gnu']) {
        // 'hard' first: the long name is then the link (ustar holds link targets of 100 bytes only)
        const archive = execFileSync('tar', ['-chf', '-', `--format=${format}`, '--', join(base, 'hard'), join(long, 'f')], { stdio: ['ignore', 'pipe', 'ignore'] });
        const files = readTar(archive);
        expect(files.get(join(long, 'f'))?.toString(), format).to.equal('prefixed\n');
        expect(files.get(join(base, 'hard'))?.toString(), format).to.equal('prefixed\n');
      }
    });

    it('leaves relative and multi-line paths to their own command', () => {
      expect(fileFact('relative/path').group).to.equal(undefined);
      expect(fileFact('/a\nb').group).to.equal(undefined);
    });
  });
});
