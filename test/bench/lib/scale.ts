/**
 * The scale workload's files for Ansible (rendered from the bench role's own data) and the
 * end-state check of scale hosts: files byte for byte, modes, services, sysctl runtime values,
 * and the sysctl.d files by their key = value content (each tool writes its own format there).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONF_FILES, SYSCTLS, UNITS, BENCH_DIR } from '../roles/bench/content.js';
import { scaleSsh, type ScaleHost } from '../../lab/scale-lab.js';
import { REPO_ROOT } from './engines.js';

export const SCALE_PLAYBOOK = join(REPO_ROOT, 'test/bench/playbooks/scale.yml');
export const SCALE_ANSIBLE_PLAYBOOK = join(REPO_ROOT, 'test/bench/ansible/scale.yml');
export const BENCH_ROLES_PATH = join(REPO_ROOT, 'dist/test/bench/roles');

/** Writes files/, units/ and vars.json (the playbook's loop lists) into `dir`. */
export async function renderScale(dir: string): Promise<string> {
  await mkdir(join(dir, 'files'), { recursive: true });
  await mkdir(join(dir, 'units'), { recursive: true });
  for (const f of CONF_FILES) await writeFile(join(dir, 'files', f.name), f.content);
  for (const u of UNITS) await writeFile(join(dir, 'units', u.name), u.content);
  const vars = {
    bench_render_dir: dir,
    bench_conf_files: CONF_FILES.map((f) => f.name),
    bench_sysctls: SYSCTLS.map((s) => ({ key: s.key, value: String(s.value), file: s.file })),
    bench_units: UNITS.map((u) => u.name),
  };
  const varsFile = join(dir, 'vars.json');
  await writeFile(varsFile, JSON.stringify(vars, null, 2));
  return varsFile;
}

const SCALE_FINGERPRINT = [
  `for f in ${BENCH_DIR} ${[...CONF_FILES, ...UNITS].map((f) => f.path).join(' ')}; do`,
  '  if [ -e "$f" ]; then h=; if [ -f "$f" ]; then h=$(sha256sum < "$f" | cut -c1-64); fi; echo "F $f $(stat -c \'%a %U:%G\' "$f") $h"; else echo "F $f missing"; fi',
  'done',
  `for f in ${SYSCTLS.map((s) => s.file).join(' ')}; do`,
  // key = value pairs, spaces dropped, comments ignored: the two tools' formats compare equal
  '  if [ -f "$f" ]; then echo "C $f $(stat -c \'%a %U:%G\' "$f") $(grep -v \'^[#;]\' "$f" | tr -d \' \\t\' | grep . | sort | tr \'\\n\' \' \')"; else echo "C $f missing"; fi',
  'done',
  `for k in ${SYSCTLS.map((s) => s.key.replace(/\./g, '/')).join(' ')}; do echo "S $k $(cat /proc/sys/$k)"; done`,
  `for s in ${UNITS.map((u) => u.name).join(' ')}; do echo "U $s $(systemctl is-enabled $s 2>/dev/null || true) $(systemctl is-active $s 2>/dev/null || true)"; done`,
  `echo "D $(ls -A ${BENCH_DIR} 2>/dev/null | sort | tr '\\n' ' ')"`,
  '',
].join('\n');

export async function scaleFingerprints(hosts: readonly ScaleHost[]): Promise<Record<string, string[]>> {
  const out = await Promise.all(
    hosts.map(async (h) => {
      const r = await scaleSsh(h, SCALE_FINGERPRINT);
      if (r.code !== 0) throw new Error(`fingerprint of ${h.name} failed: ${r.stderr.trim()}`);
      return [h.name, r.stdout.split('\n').filter((l) => l !== '')] as const;
    }),
  );
  return Object.fromEntries(out);
}

/** Hosts whose state differs from the first host's (names and differing lines). */
export function scaleDifferences(prints: Readonly<Record<string, string[]>>): string[] {
  const entries = Object.entries(prints);
  const [refHost, ref] = entries[0] ?? ['', []];
  const diffs: string[] = [];
  for (const [host, lines] of entries.slice(1)) {
    const a = new Set(ref);
    const b = new Set(lines);
    for (const l of a) if (!b.has(l)) diffs.push(`${host} lacks (${refHost} has): ${l}`);
    for (const l of b) if (!a.has(l)) diffs.push(`${host} has (${refHost} lacks): ${l}`);
  }
  return diffs;
}
