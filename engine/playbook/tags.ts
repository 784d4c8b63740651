/** Ansible's tag rules: --tags selects, --skip-tags wins, 'always' and 'never' are special. */
export interface TagFilter {
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

export const ALL_TAGS: TagFilter = { only: ['all'], skip: [] };

function selects(list: readonly string[], tags: ReadonlySet<string>): boolean {
  return list.some(
    (t) => tags.has(t) || (t === 'all' && !tags.has('never')) || (t === 'tagged' && tags.size > 0) || (t === 'untagged' && tags.size === 0),
  );
}

export function shouldRun(taskTags: Iterable<string>, filter: TagFilter): boolean {
  const tags = new Set(taskTags);
  const skipped = filter.skip.some(
    (t) => tags.has(t) || (t === 'tagged' && tags.size > 0) || (t === 'untagged' && tags.size === 0) || (t === 'all' && !tags.has('always')),
  );
  if (skipped) return false;
  if (tags.has('always')) return true;
  if (tags.has('never')) {
    const named = [...tags].filter((t) => t !== 'never');
    return filter.only.some((t) => t === 'never' || named.includes(t));
  }
  return selects(filter.only, tags);
}

/** Tags asked for that no task carries: a warning, never an error. */
export function unknownTags(filter: TagFilter, known: ReadonlySet<string>): string[] {
  const special = new Set(['all', 'always', 'never', 'tagged', 'untagged']);
  return [...filter.only, ...filter.skip].filter((t) => !special.has(t) && !known.has(t));
}
