/**
 * What the scale workload ensures on every host, as data: the bench role (index.ts) turns it into
 * play tasks, and the benchmark renders the same files for the equivalent Ansible playbook
 * (test/bench/ansible/scale.yml), so both engines converge hosts to the same state.
 */

export const BENCH_DIR = '/etc/play-bench';

export interface BenchFile {
  readonly name: string;
  readonly path: string;
  readonly content: string;
}

export interface BenchSysctl {
  readonly file: string;
  readonly key: string;
  readonly value: number;
}

/** Ten small config files of 20 lines each. */
export const CONF_FILES: readonly BenchFile[] = Array.from({ length: 10 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  const lines = [`# play bench: config file ${n}`];
  for (let k = 1; k < 20; k++) lines.push(`option_${k} = value-${n}-${k}`);
  return { name: `conf-${n}.conf`, path: `${BENCH_DIR}/conf-${n}.conf`, content: `${lines.join('\n')}\n` };
});

/** Per-network-namespace keys, so they can be set inside an nspawn host. */
export const SYSCTLS: readonly BenchSysctl[] = [
  { file: '/etc/sysctl.d/60-play-bench-1.conf', key: 'net.ipv4.ip_forward', value: 1 },
  { file: '/etc/sysctl.d/60-play-bench-2.conf', key: 'net.core.somaxconn', value: 8192 },
  { file: '/etc/sysctl.d/60-play-bench-3.conf', key: 'net.ipv4.tcp_fin_timeout', value: 30 },
];

/** Three idle services (a unit file each, enabled and started). */
export const UNITS: readonly BenchFile[] = [1, 2, 3].map((n) => ({
  name: `play-bench-${n}.service`,
  path: `/etc/systemd/system/play-bench-${n}.service`,
  content: `[Unit]\nDescription=play bench idle service ${n}\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n`,
}));

/** 1 directory + 10 files + 3 sysctls + 3 unit files + 3 services. */
export const BENCH_TASK_COUNT = 1 + CONF_FILES.length + SYSCTLS.length + UNITS.length * 2;
