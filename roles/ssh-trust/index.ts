/**
 * ssh-trust: root on every master can `ssh` to every other master with no password and no
 * prompt (seed 000's setup, done safely): each master's own key pair is generated on it, only
 * public keys travel, known_hosts holds the masters' real host keys, and nothing already in
 * /root/.ssh is deleted or overwritten.
 */
import { directory } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import { authorizedKeysTask } from './authorized-keys-task.js';
import { defaults } from './defaults.js';
import { SSH_DIR } from './key-pair.js';
import { keyPairTask } from './key-pair-task.js';
import { knownHostsTask } from './known-hosts-task.js';
import { resolveSshTrust, type SshTrustVars } from './vars.js';

export default defineRole<SshTrustVars>({
  name: 'ssh-trust',
  defaults,
  resolve: resolveSshTrust,
  tasks: [
    // sshd ignores keys in a group- or world-writable ~/.ssh (StrictModes).
    directory<SshTrustVars>('Create /root/.ssh (0700)', () => ({ path: SSH_DIR, mode: 0o700, owner: 'root', group: 'root' })),
    keyPairTask("Generate root's SSH key pair on the host"),
    authorizedKeysTask("Authorize every master's key"),
    knownHostsTask("Know every master's host keys"),
  ],
});
