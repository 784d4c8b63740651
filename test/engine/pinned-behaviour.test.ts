/*
 * Promises of the runner pinned through the real `play` command (issue 14, item 0), so that the
 * refactor that follows cannot break them unseen. Before these tests, each break below left every
 * unit test green. Each was made alone, `npm run test:unit` run, and the change reverted; what
 * then failed (everything else stayed green):
 *
 * - Redactor.redact returns its input (engine/secrets.ts):
 *     secrets ... --check --diff masks a secret's value inside a file that is not secret
 *     secrets ... -vvv commands and a failed task's error mask a secret inside a path, also in --json
 *   (e2e-local's "never prints the secret" stays green: its secret file is masked by the file op.)
 * - a handler run once per notifying task, at the role's end (host-flow.ts keeps `notified` as a
 *   list and runs each entry):
 *     handlers: run once, after every task of the role, however many tasks notified them
 *     a play's tags: are inherited ...: --tags selects them (the handler shows up twice)
 *   The variant that runs the handler right after each notifying task also fails three
 *   e2e-local tests (converges..., --check after a manual change..., a re-run restores...).
 * - play `tags:` not inherited by its roles' tasks (plan.ts drops `...play.tags`):
 *     a play's tags: --tags selects them; --skip-tags leaves them out; listed by --list-tasks
 * - play vars below inventory vars (plan.ts: the two layers swapped):
 *     variable precedence: role defaults < inventory (host line included) < play vars < role vars < -e
 *     variable precedence: the same with group_vars/ and host_vars/ files
 * - role vars below play vars (plan.ts: the two layers swapped): the same two precedence tests
 * - tasks with `prefetch: false` applied under --check (host-flow.ts:
 *   `if (!this.deps.checkMode || task.prefetch === false)`):
 *     --check: applies nothing, not even a task that may not run ahead (prefetch: false)
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASK } from '../../engine/secrets.js';
import { changedTasks, FIXTURE_ROLES, parseJsonReport, runPlay, type PlayRun } from '../helpers/run-play.js';

const SECRET = 'Pinned-Secret-4711';
const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };

/** Everything a run printed, for "never printed" assertions. */
const printed = (run: PlayRun): string => run.stdout + run.stderr;

describe('pinned behaviour of the runner, through the real CLI', function () {
  this.timeout(60000);
  let dir: string;
  let target: string;

  /** Writes a playbook and runs play on the local host `box` (its files under `target`). */
  const play = (playbook: string, args: string[] = []): Promise<PlayRun> => {
    writeFileSync(join(dir, 'p.yml'), playbook);
    return runPlay(['p.yml', '-i', 'hosts.ini', ...args], { cwd: dir, env });
  };
  const targetFile = (name: string): string => join(target, name);
  const read = (name: string): string => readFileSync(targetFile(name), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-pins-'));
    target = join(dir, 'target');
    // The group sets the ladder's keys from pins_inventory up, except pins_play, which the host
    // line sets: play vars must beat even Ansible's strongest inventory level.
    writeFileSync(
      join(dir, 'hosts.ini'),
      [
        '[boxes]',
        `box ansible_connection=local pins_dir=${target} demo_dir=${join(target, 'demo')} pins_play=inventory`,
        '',
        '[boxes:vars]',
        `demo_password=${SECRET}`,
        'pins_inventory=inventory',
        'pins_role=inventory',
        'pins_extra=inventory',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('secrets are masked in every output', () => {
    const demoPlay = '- hosts: boxes\n  roles: [demo]\n';

    it("--check --diff masks a secret's value inside a file that is not secret", async () => {
      expect((await play(demoPlay)).code).to.equal(0);
      // A non-secret variable that happens to hold the secret: the file is not marked secret,
      // so only the redactor stands between its diff and the terminal.
      const run = await play(demoPlay, ['--check', '--diff', '-e', JSON.stringify({ demo_message: `the password is ${SECRET}` })]);
      expect(run.code, run.stderr).to.equal(0);
      expect(printed(run)).not.to.include(SECRET);
      expect(run.stdout).to.match(new RegExp(`^\\+message=the password is ${MASK.replace(/\*/g, '\\*')}$`, 'm'));
    });

    it('-vvv commands and a failed task\'s error mask a secret inside a path, also in --json', async () => {
      const args = ['-e', `demo_dir=/proc/play-${SECRET}-dir`];
      const text = await play(demoPlay, [...args, '-vvv']);
      expect(text.code).to.equal(2);
      expect(printed(text)).not.to.include(SECRET);
      expect(text.stdout).to.include(`/proc/play-${MASK}-dir`);
      expect(text.stdout).to.match(/fatal: \[box\] demo : Write config => /);

      const json = await play(demoPlay, [...args, '--json']);
      expect(printed(json)).not.to.include(SECRET);
      const failed = parseJsonReport(json).hosts.box!.tasks.find((t) => t.status === 'failed');
      expect(failed?.error).to.include(`/proc/play-${MASK}-dir`);
    });
  });

  describe('handlers', () => {
    const pinsPlay = '- hosts: boxes\n  roles: [pins]\n';

    it('run once, after every task of the role, however many tasks notified them', async () => {
      const first = await play(pinsPlay, ['--tags', 'handler', '--json']);
      expect(first.code, first.stderr).to.equal(0);
      expect(changedTasks(parseJsonReport(first), 'box')).to.deep.equal(['pins : Write first', 'pins : Write second', 'pins : record handler']);
      expect(read('handler.log')).to.equal('handler saw: first second \n');

      const converged = await play(pinsPlay, ['--tags', 'handler', '--json']);
      expect(changedTasks(parseJsonReport(converged), 'box')).to.deep.equal([]);
      expect(read('handler.log'), 'nothing notified, nothing ran').to.equal('handler saw: first second \n');

      writeFileSync(targetFile('first.txt'), 'edited\n');
      writeFileSync(targetFile('second.txt'), 'edited\n');
      const both = await play(pinsPlay, ['--tags', 'handler', '--json']);
      expect(changedTasks(parseJsonReport(both), 'box')).to.deep.equal(['pins : Write first', 'pins : Write second', 'pins : record handler']);
      expect(read('handler.log')).to.equal('handler saw: first second \n'.repeat(2));
    });
  });

  describe("a play's tags", () => {
    // The roles carry no tags of their own: only the plays do.
    const twoPlays = '- name: tagged\n  hosts: boxes\n  tags: [ptag]\n  roles: [pins]\n' + '- name: other\n  hosts: boxes\n  tags: other\n  roles: [demo]\n';
    const PINS_TASKS = ['pins : Write the ladder', 'pins : Write first', 'pins : Write second', 'pins : Append a line', 'pins : record handler'];

    it('are inherited by every task of its roles: --tags selects them', async () => {
      const run = await play(twoPlays, ['--tags', 'ptag', '--json']);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stderr, 'the tag matched tasks').not.to.match(/match no task/);
      expect(changedTasks(parseJsonReport(run), 'box')).to.deep.equal(PINS_TASKS);
      expect(existsSync(join(target, 'demo')), "the other play's role ran").to.equal(false);
    });

    it('are inherited by every task of its roles: --skip-tags leaves them out', async () => {
      const run = await play(twoPlays, ['--skip-tags', 'ptag', '--json']);
      expect(run.code, run.stderr).to.equal(0);
      const changed = changedTasks(parseJsonReport(run), 'box');
      expect(changed.filter((t) => t.startsWith('pins : '))).to.deep.equal([]);
      expect(changed).to.include('demo : Write config');
    });

    it('are listed on every task of its roles by --list-tasks', async () => {
      const run = await play(twoPlays, ['--list-tasks', '--tags', 'ptag']);
      expect(run.code, run.stderr).to.equal(0);
      const tasks = run.stdout.split('\n').filter((l) => / : .*\tTAGS: /.test(l)).map((l) => l.trim());
      expect(tasks).to.deep.equal([
        'pins : Write the ladder\tTAGS: [ladder, ptag]',
        'pins : Write first\tTAGS: [handler, ptag]',
        'pins : Write second\tTAGS: [handler, ptag]',
        'pins : Append a line\tTAGS: [append, ptag]',
      ]);
    });
  });

  describe('variable precedence, as the planner layers it', () => {
    const ladderPlay = [
      '- hosts: boxes',
      '  vars: { pins_play: play, pins_role: play, pins_extra: play }',
      '  roles:',
      '    - { role: pins, vars: { pins_role: role, pins_extra: role } }',
      '',
    ].join('\n');
    const LADDER_FILE = (inventory: string): string =>
      ['pins_defaults=role defaults', `pins_inventory=${inventory}`, 'pins_play=play', 'pins_role=role', 'pins_extra=extra', ''].join('\n');

    it('role defaults < inventory (host line included) < play vars < role vars < -e', async () => {
      const run = await play(ladderPlay, ['--tags', 'ladder', '-e', 'pins_extra=extra']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(read('ladder.txt')).to.equal(LADDER_FILE('inventory'));
    });

    it('the same with group_vars/ and host_vars/ files (as the real inventories are laid out)', async () => {
      const inv = join(dir, 'inv');
      mkdirSync(join(inv, 'group_vars'), { recursive: true });
      mkdirSync(join(inv, 'host_vars'));
      writeFileSync(join(inv, 'hosts'), `[boxes]\nbox ansible_connection=local pins_dir=${target}\n`);
      writeFileSync(join(inv, 'group_vars', 'all.yml'), 'pins_inventory: group_vars\npins_play: group_vars\npins_role: group_vars\npins_extra: group_vars\n');
      writeFileSync(join(inv, 'host_vars', 'box.yml'), 'pins_play: host_vars\npins_role: host_vars\npins_extra: host_vars\n');
      writeFileSync(join(dir, 'p.yml'), ladderPlay);
      const run = await runPlay(['p.yml', '-i', 'inv', '--tags', 'ladder', '-e', '{"pins_extra": "extra"}'], { cwd: dir, env });
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(read('ladder.txt')).to.equal(LADDER_FILE('group_vars'));
    });
  });

  describe('--check', () => {
    const pinsPlay = '- hosts: boxes\n  roles: [pins]\n';

    it('applies nothing, not even a task that may not run ahead (prefetch: false)', async () => {
      const check = await play(pinsPlay, ['--check', '--json']);
      expect(check.code, check.stderr).to.equal(0);
      const doc = parseJsonReport(check);
      expect(doc.check).to.equal(true);
      expect(changedTasks(doc, 'box'), 'reported as would-change').to.include('pins : Append a line');
      expect(existsSync(target), '--check created files').to.equal(false);

      // The same play without --check does apply it: the check above is not vacuous.
      expect((await play(pinsPlay)).code).to.equal(0);
      expect(read('append.log')).to.equal('applied\n');
      expect((await play(pinsPlay, ['--check'])).code).to.equal(0);
      expect(read('append.log')).to.equal('applied\n');
    });
  });
});
