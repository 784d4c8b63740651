/**
 * Every variable scope of one run, built on the inventory: a host's own view (inventory <
 * connection flags < -e, what `hostvars[h]`, peers and the connection read) and a role's view
 * (role defaults < inventory < play vars < role vars < connection flags < -e), each with
 * Ansible's magic variables: inventory_hostname(_short), group_names, groups, hostvars, vars.
 */
import type { Inventory, Vars } from '../types.js';
import { LazyMapping } from './py-values.js';
import { TemplateEngine } from './template-engine.js';
import { RenderRun, VarScope, type SecretRegistry, type VarsLayer } from './var-scope.js';

export interface RunVarsOptions {
  /** -e: above everything. */
  readonly extraVars?: VarsLayer;
  /** -u, --private-key, -b as the connection variables they set: below -e, above the rest. */
  readonly connectionFlags?: VarsLayer;
  /**
   * Below the inventory: ansible.cfg's remote_user, private_key_file, become, become_user and the
   * -K password, as the connection variables they stand for (a host's own ansible_user or
   * ansible_become_password beats them, as in Ansible).
   */
  readonly connectionDefaults?: VarsLayer;
  readonly secrets: SecretRegistry;
}

/** Where a role's variables come from, besides the inventory and -e. */
export interface RoleLayers {
  readonly defaults: VarsLayer;
  /** Play vars, then the role entry's vars, then anything the runner pins (lowest first). */
  readonly above: readonly VarsLayer[];
}

let sharedEngine: TemplateEngine | undefined;

/** One engine per process: compiled templates are shared by every run (tests run many). */
function engine(): TemplateEngine {
  sharedEngine ??= new TemplateEngine();
  return sharedEngine;
}

class HostVars extends LazyMapping {
  constructor(private readonly vars: RunVars) {
    super();
  }
  get(key: string): unknown {
    return this.vars.host(key);
  }
  has(key: string): boolean {
    return this.vars.inventory.hosts.has(key);
  }
  keys(): string[] {
    return [...this.vars.inventory.hosts.keys()];
  }
}

export class RunVars {
  readonly run: RenderRun;
  private readonly hosts = new Map<string, VarScope>();
  private readonly views = new Map<string, Vars>();
  private readonly hostvars: HostVars;
  private groupsDict: Record<string, string[]> | undefined;

  constructor(
    readonly inventory: Inventory,
    private readonly options: RunVarsOptions,
  ) {
    this.run = new RenderRun(engine(), options.secrets);
    this.hostvars = new HostVars(this);
  }

  private top(): VarsLayer[] {
    return [this.options.connectionFlags, this.options.extraVars].filter((l): l is VarsLayer => l !== undefined);
  }

  private bottom(): VarsLayer[] {
    return this.options.connectionDefaults ? [this.options.connectionDefaults] : [];
  }

  private inventoryLayer(name: string): VarsLayer {
    const host = this.inventory.hosts.get(name);
    if (!host) throw new Error(`unknown host '${name}'`);
    return { vars: host.vars, origins: host.origins };
  }

  private groups(): Record<string, string[]> {
    this.groupsDict ??= Object.fromEntries([...this.inventory.groups.keys()].map((g) => [g, this.inventory.groupHosts(g)]));
    return this.groupsDict;
  }

  private scope(name: string, layers: VarsLayer[]): VarScope {
    const host = this.inventory.hosts.get(name)!;
    const magic: Record<string, unknown> = {
      inventory_hostname: name,
      inventory_hostname_short: name.split('.')[0] ?? name,
      group_names: [...host.groups],
      groups: this.groups(),
      hostvars: this.hostvars,
    };
    const scope = new VarScope(this.run, layers, magic, { file: `host '${name}'` });
    magic.vars = scope;
    return scope;
  }

  /** The host's variables without play or role: what hostvars[name] and the connection read. */
  host(name: string): VarScope {
    let scope = this.hosts.get(name);
    if (!scope) {
      scope = this.scope(name, [...this.bottom(), this.inventoryLayer(name), ...this.top()]);
      this.hosts.set(name, scope);
    }
    return scope;
  }

  /** A role's variables on a host. */
  role(name: string, layers: RoleLayers): VarScope {
    return this.scope(name, [layers.defaults, ...this.bottom(), this.inventoryLayer(name), ...layers.above, ...this.top()]);
  }

  /**
   * The host's variables as an object whose properties render when read (HostView.vars): a
   * peer's value is rendered in the peer's own context, as Ansible's hostvars are.
   */
  view(name: string): Vars {
    let view = this.views.get(name);
    if (!view) {
      const scope = this.host(name);
      const own = (key: string | symbol): key is string => typeof key === 'string' && scope.has(key) && scope.origin(key) !== undefined;
      view = new Proxy<Vars>(
        {},
        {
          get: (_t, key) => (own(key) ? scope.raw(key) : undefined),
          has: (_t, key) => own(key),
          ownKeys: () => scope.keys().filter(own),
          getOwnPropertyDescriptor: (_t, key) => (own(key) ? { value: scope.raw(key), enumerable: true, configurable: true, writable: false } : undefined),
        },
      );
      this.views.set(name, view);
    }
    return view;
  }
}
