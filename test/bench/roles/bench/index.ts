/**
 * bench: the scale benchmark's workload, 20 tasks of the kinds every role is made of (a
 * directory, files, sysctls, unit files, services). Compiled to dist/test/bench/roles/bench and
 * found through PLAY_ROLES_PATH; test/bench/ansible/scale.yml is its Ansible equivalent.
 */
import { directory, file, service, sysctl } from '../../../../engine/ops/index.js';
import { defineRole } from '../../../../engine/role.js';
import { BENCH_DIR, CONF_FILES, SYSCTLS, UNITS } from './content.js';

type BenchVars = Record<string, never>;

export default defineRole<BenchVars>({
  name: 'bench',
  defaults: {},
  resolve: () => ({}),
  tasks: [
    directory<BenchVars>(`Create ${BENCH_DIR}`, () => ({ path: BENCH_DIR, mode: 0o755, owner: 'root', group: 'root' })),
    ...CONF_FILES.map((f) =>
      file<BenchVars>(`Write ${f.path}`, () => ({ path: f.path, content: f.content, mode: 0o644, owner: 'root', group: 'root' })),
    ),
    ...SYSCTLS.map((s) => sysctl<BenchVars>(`Set ${s.key}`, () => ({ file: s.file, values: { [s.key]: s.value } }))),
    ...UNITS.map((u) =>
      file<BenchVars>(`Write ${u.path}`, () => ({ path: u.path, content: u.content, mode: 0o644, owner: 'root', group: 'root' })),
    ),
    ...UNITS.map((u) =>
      service<BenchVars>(`Enable and start ${u.name}`, () => ({ name: u.name, enabled: true, state: 'started', daemonReload: true })),
    ),
  ],
});
