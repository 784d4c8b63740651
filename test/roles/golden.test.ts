/**
 * Every config file the bundled playbooks (every playbooks/*.yml, site.yml included) would
 * write on a fresh host, for every host of every example inventory, compared byte for byte with
 * test/golden/<example>/<host>/<path>, where the path's slashes are '__'
 * (etc__haproxy__haproxy.cfg). A new role or playbook gets golden files without being listed
 * here. The files come from the real plan (inventory loader, playbook loader, role resolve +
 * validatePlay) and the roles' own checks, so they are what a run would write. A task whose
 * check needs more than a fresh host (a command's output, the first master, a value another
 * host publishes) cannot be rendered so: those are listed, per example, in
 * test/golden/<example>/NOT-RENDERED, itself compared like a golden file, so a task moving in
 * or out of that list shows in review. The rendered keepalived.conf and haproxy.cfg must also
 * pass the real `keepalived -t` and `haproxy -c`.
 *
 * UPDATE_GOLDEN=1 rewrites the golden files (and removes stale ones); by default the test
 * never writes them.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../engine/inventory/index.js';
import { loadPlaybook } from '../../engine/playbook/load.js';
import { ALL_TAGS } from '../../engine/playbook/tags.js';
import { buildPlan } from '../../engine/runner/plan.js';
import { filesWritten, freshHost } from './helpers/fresh-host.js';
import { haproxyCheck, keepalivedTest, realToolsMissing } from './helpers/real-tools.js';
import { requirePrerequisite } from '../helpers/skip.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/golden');
const EXAMPLES = ['dedicated-lb-pair', 'stacked-on-masters', 'single-lb'] as const;
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const PLAYBOOKS = readdirSync(join(ROOT, 'playbooks'))
  .filter((f) => f.endsWith('.yml'))
  .sort();
const NOT_RENDERED_FILE = 'NOT-RENDERED';
/** Roles whose output is not a config file (ssh-trust appends keys read from live hosts). */
const NOT_RENDERED = new Set(['ssh-trust']);

interface Rendered {
  readonly content: string;
  readonly secret: boolean;
}

/** host -> path -> file, in plan order. */
type HostFiles = Map<string, Map<string, Rendered>>;

function goldenName(path: string): string {
  return path.replace(/^\/+/, '').split('/').join('__');
}

interface RenderedExample {
  readonly files: HostFiles;
  readonly warnings: readonly string[];
  /** `playbook: role : task` of the tasks a fresh host cannot render, sorted, once each. */
  readonly notRendered: readonly string[];
}

async function renderExample(example: string): Promise<RenderedExample> {
  const inventory = await loadInventory([`inventories/examples/${example}`], { cwd: ROOT });
  const files: HostFiles = new Map();
  const warnings: string[] = [];
  const notRendered = new Set<string>();
  for (const name of PLAYBOOKS) {
    const playbook = loadPlaybook(join(ROOT, 'playbooks', name));
    // reset.yml refuses to plan without its confirmation, remove-node.yml without its node,
    // etcd-restore.yml without a snapshot file; no other playbook reads them.
    const node = inventory.groupHosts('workers')[0]!;
    const snapshot = join(ROOT, 'test/fixtures/etcd-snapshots/small.db');
    const plan = await buildPlan(inventory, playbook, { tags: ALL_TAGS, extraVars: { vars: { reset_confirm: 'yes', node, snapshot } } });
    warnings.push(...plan.warnings);
    for (const play of plan.plays) {
      for (const role of play.roles) {
        if (NOT_RENDERED.has(role.role.name)) continue;
        for (const host of play.hosts) {
          const run = freshHost(plan.view.host(host), plan.view, role.vars.get(host));
          const written = await filesWritten(role.allTasks.map((t) => t.task), run, (task) => notRendered.add(`${name}: ${role.role.name} : ${task}`));
          const mine = files.get(host) ?? new Map<string, Rendered>();
          for (const [path, file] of written) mine.set(path, file);
          files.set(host, mine);
        }
      }
    }
  }
  return { files, warnings: [...new Set(warnings)], notRendered: [...notRendered].sort() };
}

function goldenFilesOf(example: string): string[] {
  const base = join(GOLDEN, example);
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== NOT_RENDERED_FILE)
    .map((d) => relative(base, join(d.parentPath, d.name)))
    .sort();
}

for (const example of EXAMPLES) {
  describe(`golden files: inventories/examples/${example}`, function () {
    let files: HostFiles;
    let warnings: readonly string[];
    let notRendered: readonly string[];

    before(async function () {
      this.timeout(60000);
      ({ files, warnings, notRendered } = await renderExample(example));
    });

    it(`lists the tasks a fresh host cannot render as ${NOT_RENDERED_FILE}`, () => {
      const target = join(GOLDEN, example, NOT_RENDERED_FILE);
      const text = notRendered.map((t) => `${t}\n`).join('');
      if (UPDATE) writeFileSync(target, text);
      else expect(existsSync(target) ? readFileSync(target, 'utf8') : '', `${target} (UPDATE_GOLDEN=1 rewrites it)`).to.equal(text);
    });

    it('renders files from more than one playbook (lb.yml and site.yml at least)', () => {
      expect(PLAYBOOKS).to.include.members(['lb.yml', 'site.yml']);
      const paths = new Set([...files.values()].flatMap((p) => [...p.keys()]));
      // From site.yml only: the container runtime role's crictl configuration.
      expect([...paths].some((p) => p.startsWith('/etc/haproxy/')), 'an LB file').to.equal(true);
      expect([...paths].some((p) => !/^\/etc\/(haproxy|keepalived|hosts|sysctl\.d|modules-load\.d)/.test(p)), `a file beyond lb.yml's: ${[...paths].join(', ')}`).to.equal(true);
    });

    it(UPDATE ? 'rewrites the golden files (UPDATE_GOLDEN=1)' : 'renders every config byte for byte as the golden files', () => {
      const expected = new Set<string>();
      const mismatches: string[] = [];
      for (const [host, paths] of files) {
        for (const [path, file] of paths) {
          const rel = join(host, goldenName(path));
          expected.add(rel);
          const target = join(GOLDEN, example, rel);
          if (UPDATE) {
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, file.content);
          } else if (!existsSync(target)) {
            mismatches.push(`${rel}: no golden file (run the tests with UPDATE_GOLDEN=1 and review the diff)`);
          } else if (readFileSync(target, 'utf8') !== file.content) {
            mismatches.push(`${rel}: differs from the golden file`);
          }
        }
      }
      const stale = goldenFilesOf(example).filter((rel) => !expected.has(rel));
      if (UPDATE) stale.forEach((rel) => rmSync(join(GOLDEN, example, rel)));
      else mismatches.push(...stale.map((rel) => `${rel}: golden file no longer rendered`));
      expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    });

    it('writes the hosts block, sysctl and modules files on every host, LB configs on LB hosts', () => {
      for (const [host, paths] of files) {
        expect([...paths.keys()], host).to.include.members(['/etc/hosts', '/etc/sysctl.d/99-kubernetes.conf', '/etc/modules-load.d/k8s.conf']);
      }
      const lbConfigs = [...files.values()].filter((p) => p.has('/etc/haproxy/haproxy.cfg')).length;
      expect(lbConfigs).to.be.greaterThan(0);
      expect(warnings).to.deep.equal([]);
    });

    it('keeps auth_pass only in keepalived.conf, which is marked secret', () => {
      for (const [host, paths] of files) {
        for (const [path, file] of paths) {
          const holdsPass = /auth_pass/.test(file.content);
          expect(holdsPass, `${host}:${path}`).to.equal(path === '/etc/keepalived/keepalived.conf');
          if (holdsPass) expect(file.secret, `${host}:${path} must be secret`).to.equal(true);
        }
      }
    });

    it('passes the real keepalived -t and haproxy -c', function () {
      requirePrerequisite(this, realToolsMissing());
      let checked = 0;
      for (const [host, paths] of files) {
        const conf = paths.get('/etc/keepalived/keepalived.conf');
        if (conf) {
          const result = keepalivedTest(conf.content, paths.get('/etc/keepalived/check_apiserver.sh')?.content);
          expect(result.code, `keepalived -t on ${host}'s keepalived.conf:\n${result.output}`).to.equal(0);
          checked++;
        }
        const cfg = paths.get('/etc/haproxy/haproxy.cfg');
        if (cfg) {
          const result = haproxyCheck(cfg.content);
          expect(result.code, `haproxy -c on ${host}'s haproxy.cfg:\n${result.output}`).to.equal(0);
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(0);
    });
  });
}
