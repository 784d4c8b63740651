/** The machine a benchmark ran on, for results.json. */
import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  kernel: string;
  node: string;
  ansible: string;
  openssh: string;
  date: string;
}

/** stdout, or stderr when there is none (ssh -V prints its version there). */
function tryRun(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim();
}

export function machineInfo(): MachineInfo {
  const ansible = /ansible-playbook \[core ([^\]]+)\]/.exec(tryRun('ansible-playbook', ['--version']))?.[1] ?? 'unknown';
  return {
    cpu_model: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    ansible: `ansible-core ${ansible}`,
    openssh: tryRun('ssh', ['-V']).split('\n')[0] ?? 'unknown',
    date: new Date().toISOString(),
  };
}
