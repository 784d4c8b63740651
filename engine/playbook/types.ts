import type { SourceLocation } from '../errors.js';
import type { Vars, VarOrigins } from '../types.js';

export interface RoleEntry {
  readonly name: string;
  readonly tags: readonly string[];
  readonly vars: Vars;
  readonly varOrigins: VarOrigins;
  readonly where: SourceLocation;
}

export interface Play {
  readonly index: number;
  readonly name: string;
  readonly hosts: string;
  readonly hostsWhere: SourceLocation;
  readonly roles: readonly RoleEntry[];
  readonly vars: Vars;
  readonly varOrigins: VarOrigins;
  readonly tags: readonly string[];
  /** Batch sizes; the last repeats (Ansible's serial list semantics). */
  readonly serial: readonly (number | `${number}%`)[];
  readonly anyErrorsFatal: boolean;
  readonly become?: boolean;
  readonly where: SourceLocation;
}

export interface Playbook {
  readonly file: string;
  readonly plays: readonly Play[];
}
