import type { TaskContext } from '../types.js';

/** What every op accepts besides its spec; passed through to the Task unchanged. */
export interface TaskOptions<V> {
  tags?: string[];
  when?: (ctx: TaskContext<V>) => boolean;
  notify?: string[];
  register?: string;
  prefetch?: boolean;
}

/** A spec is computed from the context, so values can come from vars; it may be async. */
export type SpecFn<V, S> = (ctx: TaskContext<V>) => S | Promise<S>;

export interface TaskMeta<V> {
  readonly name: string;
  readonly tags?: readonly string[];
  readonly when?: (ctx: TaskContext<V>) => boolean;
  readonly notify?: readonly string[];
  readonly register?: string;
  readonly prefetch?: boolean;
}

/** The Task fields that come from options; `prefetch` falls back to the op's own default. */
export function taskMeta<V>(name: string, opts: TaskOptions<V> = {}, prefetchDefault?: boolean): TaskMeta<V> {
  const prefetch = opts.prefetch ?? prefetchDefault;
  return {
    name,
    ...(opts.tags ? { tags: opts.tags } : {}),
    ...(opts.when ? { when: opts.when } : {}),
    ...(opts.notify ? { notify: opts.notify } : {}),
    ...(opts.register !== undefined ? { register: opts.register } : {}),
    ...(prefetch !== undefined ? { prefetch } : {}),
  };
}
