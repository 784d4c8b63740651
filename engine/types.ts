/**
 * The engine's shared types: what roles, ops, the runner and the inventory agree on.
 * Roles import only these types and engine/ops, engine/facts.
 */
import type { SourceLocation } from './errors.js';
import type { TypedVars } from './vars.js';

export type { VarsReader } from './vars.js';

export type Vars = Record<string, unknown>;

/** Where each variable of a host got its winning value, for errors that name file and line. */
export type VarOrigins = Record<string, SourceLocation>;

export interface InventoryHost {
  readonly name: string;
  /** Merged variables: all < parent group < child group < host (Ansible's precedence). */
  readonly vars: Vars;
  readonly origins: VarOrigins;
  /** Every group the host is in, directly or through children, without 'all'. */
  readonly groups: readonly string[];
  /** Where the host was first defined (its inventory line). */
  readonly where?: SourceLocation;
}

export interface InventoryGroup {
  readonly name: string;
  /** Hosts listed directly in this group, in inventory order. */
  readonly hosts: readonly string[];
  readonly children: readonly string[];
  readonly vars: Vars;
}

export interface Inventory {
  /** The -i sources as given. */
  readonly sources: readonly string[];
  /** All hosts, in inventory order. */
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /** Hosts of a group including its children's, in inventory order. */
  groupHosts(group: string): string[];
  /**
   * Hosts matching an Ansible pattern (all, group, host, a:b, a:&b, a:!b, globs, ~regex).
   * Throws InputError naming `where` when a name matches no group or host.
   */
  select(pattern: string, where?: SourceLocation): string[];
}

/** How to reach a host, from ansible_* connection variables. */
export interface ConnectionSpec {
  readonly kind: 'ssh' | 'local';
  readonly host: string;
  readonly address: string;
  readonly port?: number;
  readonly user?: string;
  readonly become: boolean;
  readonly becomeUser?: string;
  /** sudo's password (ansible_become_password or -K): secret, reaches sudo only on stdin. */
  readonly becomePassword?: string;
  readonly privateKeyFile?: string;
  readonly commonArgs: readonly string[];
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly timeoutMs?: number;
}

export interface ConnectionStats {
  /** Remote executions (round trips) made on this host. */
  execs: number;
  /** New transport connections opened (SSH masters started). */
  connects: number;
}

export interface Connection {
  readonly spec: ConnectionSpec;
  readonly stats: ConnectionStats;
  /** Runs a POSIX sh script on the host (as root when become is set). Never throws on exit code. */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * argv that runs a short script on the host with stdin kept open (for the run lock). With
   * `sudoPrompt`, a sudo that needs a password asks with it on stderr (the caller answers).
   */
  sessionArgv(script: string, sudoPrompt?: string): string[];
  /** sessionArgv's script runs as exec's would (same user): the lock session may carry a script. */
  readonly sessionRunsAsExec: boolean;
  /** Where the run lock lives on this host. */
  readonly lockFile: string;
  close(): Promise<void>;
}

/** A fact is a read-only command and a pure parser of its output. */
export interface Fact<T> {
  /** Same id = same fact: asked twice in one check pass, run once. */
  readonly id: string;
  readonly command: string;
  parse(result: ExecResult): T;
  /** Facts of one kind asked in the same batch may be answered by a single command. */
  readonly group?: FactGroup;
}

/**
 * How several facts of one kind share one command (one `systemctl show` for three units): the
 * batch runs `command(args)` once and hands each member the result `split` cut out for it, which
 * must be exactly what that member's own command would have printed.
 */
export interface FactGroup {
  /** Facts with equal keys are grouped; the key covers everything but the arg. */
  readonly key: string;
  /** This fact's part of the grouped command (a unit name, a path). */
  readonly arg: string;
  command(args: readonly string[]): string;
  /** One result per arg, in order; may throw when the output does not fit (each member then fails). */
  split(result: ExecResult, args: readonly string[]): ExecResult[];
}

export interface FileDiff {
  readonly path: string;
  readonly before: string | null;
  readonly after: string | null;
  /** The content holds secrets: diffs show that it changed, never what. */
  readonly secret?: boolean;
}

/** What a check found different from the desired state. `null` from a check means converged. */
export interface Change {
  readonly summary: string;
  readonly diffs?: readonly FileDiff[];
  /**
   * The task only waits for a state other hosts or daemons bring about (nodes Ready): reported
   * ok with its summary, never changed, and it notifies nothing.
   */
  readonly waitOnly?: boolean;
}

export interface RunOptions {
  /** Do not throw on a non-zero exit. */
  readonly allowFail?: boolean;
  readonly timeoutMs?: number;
  /** A label used in errors and -v output instead of the command text. */
  readonly label?: string;
  /** The command text holds secrets: it is never shown, even with -vvv. */
  readonly secret?: boolean;
  /**
   * A reading repeated until something is ready (a wait's probe): the facts later checks want
   * are not read along with it, as they are with other commands (they would be on every try).
   */
  readonly poll?: boolean;
}

export interface HostView {
  readonly name: string;
  /** The address play connects to (ansible_host, else the name), rendered. */
  readonly address: string;
  /** The SSH port play connects to, when one is set (ansible_port). */
  readonly port?: number;
  readonly groups: readonly string[];
  /** The host's inventory variables (and -e), each rendered in the host's own context when read. */
  readonly vars: Vars;
  /** Where the host was first defined (its inventory line), for errors about its name. */
  readonly where?: SourceLocation;
}

export interface InventoryView {
  /** Every inventory host (not only the play's), in inventory order. */
  readonly hosts: readonly HostView[];
  host(name: string): HostView;
  groupHosts(group: string): HostView[];
}

export interface TaskContext<V = Vars> {
  readonly host: HostView;
  readonly vars: V;
  readonly inventory: InventoryView;
  readonly checkMode: boolean;
  /** Reads a fact; facts asked in the same tick go to the host in one round trip. */
  fact<T>(fact: Fact<T>): Promise<T>;
  /** Runs a command on the host; throws CommandError on non-zero unless allowFail. */
  run(command: string, options?: RunOptions): Promise<ExecResult>;
  /** The same context for another inventory host (delegation): e.g. the first master. */
  on(hostName: string): TaskContext<V>;
  /**
   * A value computed once per play run and shared by every host that asks: the first caller
   * runs `compute`, the others await its result (or its error).
   */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** Makes `value` available to every host waiting for `key` (an explicit cross-host wait). */
  publish(key: string, value: unknown): void;
  /**
   * Waits until some host publishes `key`. Fails instead of hanging when every running host is
   * waiting (the publisher failed or is outside --limit).
   */
  waitFor<T>(key: string): Promise<T>;
  /**
   * Runs `fn` while no other host holds the same key (e.g. control-plane joins one at a time);
   * with `slots`, while fewer than that many hold it (workers upgraded in batches).
   */
  exclusive<T>(key: string, fn: () => Promise<T>, options?: { readonly slots?: number }): Promise<T>;
  /** Marks a value as secret: it is redacted from every output from now on. */
  secret(value: string): void;
  /** Verbose output (-v and up). */
  log(message: string): void;
  /** Warnings are printed and kept in the --json report. */
  warn(message: string): void;
  /** Results other tasks registered on this host (Ansible's register). */
  readonly registered: Map<string, unknown>;
}

export interface Task<V = Vars, C extends Change = Change> {
  readonly name: string;
  readonly tags?: readonly string[];
  /** Skip the task (status skipped) when this returns false. */
  readonly when?: (ctx: TaskContext<V>) => boolean;
  /** Handlers to run at role end when this task changed something. */
  readonly notify?: readonly string[];
  /**
   * Checks may run ahead of their turn (from the host's first play on), batched with the other
   * checks of the host; an answer is used only while no host the check read has run a command
   * since. A check run ahead that reaches for ctx.registered, ctx.once, ctx.waitFor,
   * ctx.publish, ctx.exclusive or ctx.run is noticed and run at its turn (runner/context.ts).
   * Set false for checks whose answer depends on what the hosts' epochs cannot tell: state
   * outside the hosts (a cluster's nodes), or files an earlier task writes on the controller.
   */
  readonly prefetch?: boolean;
  /** Reads only. Returns null when the host is already as desired. */
  check(ctx: TaskContext<V>): Promise<C | null>;
  /** Converges exactly what check found. Returns a value to register, if any. */
  apply(ctx: TaskContext<V>, change: C): Promise<unknown>;
  /** Name under which apply's result (or null when converged) is stored in ctx.registered. */
  readonly register?: string;
}

/** What a handler found it had to do; nothing returned means it ran. */
export interface HandlerOutcome {
  /** false: nothing needed doing (reported ok, not changed). */
  readonly changed: boolean;
  readonly summary: string;
}

export type Handler<V = Vars> = (ctx: TaskContext<V>) => Promise<void | HandlerOutcome>;

export interface Role<V = Vars> {
  readonly name: string;
  readonly defaults: Vars;
  /** Turns raw vars into typed ones; throws VarsError naming the key. Runs before any host is contacted. */
  resolve(vars: TypedVars, host: HostView, inventory: InventoryView): V;
  /** Checks across all hosts of the play (duplicate addresses, VIP in subnet...). */
  validatePlay?(hosts: ReadonlyMap<string, V>, inventory: InventoryView, warn: (message: string) => void): void;
  readonly handlers?: Readonly<Record<string, Handler<V>>>;
  readonly tasks: readonly Task<V, Change>[];
}
