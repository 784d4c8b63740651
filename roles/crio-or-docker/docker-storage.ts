/**
 * overlay2 cannot stack on overlayfs: the kernel refuses the mount ("failed to mount overlay:
 * invalid argument") and dockerd, told to use overlay2, exits with "error initializing
 * graphdriver: driver not supported". That is the case in containers whose root is an overlay
 * (the play lab's nspawn hosts). Found before daemon.json is written, so a working docker is
 * never restarted into a broken one.
 */
import { TaskError } from '../../engine/errors.js';
import { commandFact } from '../../engine/facts/index.js';
import type { TaskContext } from '../../engine/types.js';
import type { RuntimeVars } from './vars.js';

/** The filesystem type /var/lib/docker is (or will be) on. */
export const DOCKER_ROOT_FS = commandFact('stat -f -c %T /var/lib/docker 2>/dev/null || stat -f -c %T /var/lib');

export async function checkDockerStorage(ctx: TaskContext<RuntimeVars>): Promise<void> {
  if (ctx.vars.dockerStorageDriver !== 'overlay2') return;
  const fs = (await ctx.fact(DOCKER_ROOT_FS)).stdout.trim();
  if (fs === 'overlayfs' || fs === 'overlay') {
    throw new TaskError(
      `/var/lib/docker is on ${fs}: docker's overlay2 storage driver cannot run on it (the kernel refuses overlay on overlay, ` +
        'dockerd would exit with "driver not supported"). Set docker_storage_driver: vfs (or fuse-overlayfs) for this host',
    );
  }
}
