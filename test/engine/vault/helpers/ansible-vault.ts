/**
 * The real ansible-vault, ansible-inventory and ansible (Debian's ansible-core, installed by
 * .ci/run), run in a clean environment (an empty ansible.cfg, no inherited ANSIBLE_* settings):
 * tests encrypt with them and check that play opens the result, and the other way round.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function ansibleTool(command: string, args: readonly string[], options: { cwd: string; input?: string }): Promise<ToolRun> {
  const config = path.join(options.cwd, '.empty-ansible.cfg');
  writeFileSync(config, '');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANSIBLE_')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...env, ANSIBLE_CONFIG: config, ANSIBLE_HOME: path.join(options.cwd, '.ansible-home'), ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The tool's stdout, or a thrown error with its stderr. */
export async function mustRunTool(command: string, args: readonly string[], options: { cwd: string; input?: string }): Promise<string> {
  const run = await ansibleTool(command, args, options);
  if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

export function mustVault(args: readonly string[], options: { cwd: string; input?: string }): Promise<string> {
  return mustRunTool('ansible-vault', args, options);
}

/** `NAME: !vault |` YAML for `plaintext`, made by ansible-vault encrypt_string. */
export function encryptString(cwd: string, plaintext: string, name: string, idArgs: readonly string[]): Promise<string> {
  return mustVault(['encrypt_string', ...idArgs, '--stdin-name', name], { cwd, input: plaintext });
}
