/**
 * common: what every cluster host needs before a container runtime and kubeadm: names in
 * /etc/hosts, swap off (now and after reboot), the overlay and br_netfilter modules, the
 * forwarding sysctls (plus ip_nonlocal_bind on LB hosts), and optionally ufw rules.
 */
import { blockInFile, command, kernelModules, lineInFileContent, packages, sysctl } from '../../engine/ops/index.js';
import { editFileTask } from '../../engine/ops/edit-file.js';
import { defineRole } from '../../engine/role.js';
import { defaults } from './defaults.js';
import { firewallTask } from './firewall-task.js';
import { commentSwapLines } from './templates/fstab-swap.js';
import { HOSTS_FILE, HOSTS_MARKER, renderHostsBlock } from './templates/hosts-block.js';
import { KERNEL_MODULES, MODULES_FILE, SYSCTL_FILE } from './templates/kernel-settings.js';
import { validateCommonPlay } from './validate-play.js';
import { resolveCommon, type CommonVars } from './vars.js';

const RELOAD_UFW = 'reload ufw';
const withFirewall = { when: (ctx: { vars: CommonVars }) => ctx.vars.firewall !== undefined };

export default defineRole<CommonVars>({
  name: 'common',
  defaults,
  resolve: resolveCommon,
  validatePlay: validateCommonPlay,
  handlers: {
    // Only a running ufw needs a reload to pick up /etc/default/ufw; a stopped one reads it on enable.
    [RELOAD_UFW]: async (ctx) => {
      await ctx.run("if ufw status | grep -q '^Status: active'; then ufw reload; fi", { label: 'ufw reload' });
    },
  },
  tasks: [
    blockInFile<CommonVars>('Name the cluster hosts in /etc/hosts', (ctx) => ({
      path: HOSTS_FILE,
      block: renderHostsBlock(ctx.vars.hostsEntries),
      marker: HOSTS_MARKER,
      mode: 0o644,
      create: true,
    })),
    // kubelet refuses to start with swap on. The fstab edit keeps the original once
    // (/etc/fstab.play-orig); a host without /etc/fstab (a container) is left as it is.
    editFileTask<CommonVars>('Comment out swap in /etc/fstab', async () => ({
      path: '/etc/fstab',
      edit: (current) => (current === null ? null : commentSwapLines(current)),
    })),
    command<CommonVars>('Turn swap off', () => ({
      command: 'swapoff -a',
      // /proc/swaps is a header line plus one line per active swap area.
      unless: '[ -z "$(tail -n +2 /proc/swaps 2>/dev/null)" ]',
    })),
    kernelModules<CommonVars>('Load overlay and br_netfilter', () => ({ modules: [...KERNEL_MODULES], file: MODULES_FILE })),
    // After the modules: the net.bridge keys exist only once br_netfilter is loaded. A check
    // prefetched before the modules task loaded it is stale by then (that apply bumps the epoch).
    sysctl<CommonVars>('Set the Kubernetes sysctls', (ctx) => ({ file: SYSCTL_FILE, values: { ...ctx.vars.sysctl } })),
    packages<CommonVars>('Install ufw', () => ({ names: ['ufw'], updateCache: true }), withFirewall),
    // Pods' traffic is routed through the host; ufw's default DROP for forwarded packets would cut
    // pod-to-pod traffic between nodes. kube-proxy and the CNI police forwarding themselves.
    // The file comes with the ufw package: in --check on a host without ufw yet there is nothing
    // to edit (and creating it would shadow the package's own defaults).
    editFileTask<CommonVars>(
      'Let ufw forward pod traffic',
      async () => ({
        path: '/etc/default/ufw',
        edit: (current) =>
          current === null ? null : lineInFileContent(current, { regexp: '^DEFAULT_FORWARD_POLICY=', line: 'DEFAULT_FORWARD_POLICY="ACCEPT"' }),
      }),
      { ...withFirewall, notify: [RELOAD_UFW], prefetch: false },
    ),
    firewallTask('Open the Kubernetes ports in ufw'),
  ],
});
