/**
 * Shell functions that walk a path one component at a time, resolving symlinks as the kernel
 * would, so that root never goes through a link another user planted (a user may make
 * ~/.kube/config or a directory on the way a link to /etc/shadow). Shared by the file fact (what
 * a check may read), file() (what an apply may write) and absent() (what it may remove): one rule
 * for all three. Builtins only, but a `stat` and a `readlink` per link met.
 */
import { TaskError } from './errors.js';

/** Exit code and stderr prefix of a refused path (a symlink owned by another user). */
export const UNSAFE_PATH_CODE = 87;
export const UNSAFE_PATH_MARKER = 'play: refusing';

interface Walk {
  /** Runs for each symlink $_d/$_c met, its owner in $_o. */
  readonly onLink: readonly string[];
  /** Runs after 40 links (a loop). */
  readonly onLoop: string;
  /** Runs once the walk is done, the resolved path in $_d. */
  readonly onEnd: string;
  readonly init?: string;
}

function walkFunction(name: string, walk: Walk): string {
  const { onLink, onLoop, onEnd, init } = walk;
  return [
    `${name}() {`,
    `  _r=$1 _d= _n=0${init ? ` ${init}` : ''}`,
    '  while [ -n "$_r" ]; do',
    '    case $_r in /*) _r=${_r#/}; continue;; esac',
    '    _c=${_r%%/*}',
    '    case $_r in */*) _r=${_r#*/};; *) _r=;; esac',
    '    case $_c in .) continue;; ..) _d=${_d%/*}; continue;; esac',
    '    if [ -L "$_d/$_c" ]; then',
    '      _o=$(stat -c %U -- "$_d/$_c")',
    ...onLink.map((line) => `      ${line}`),
    '      _n=$((_n + 1))',
    `      if [ "$_n" -gt 40 ]; then ${onLoop}; fi`,
    '      _t=$(readlink -- "$_d/$_c")',
    '      case $_t in /*) _d=;; esac',
    '      _r=$_t${_r:+/$_r}',
    '    else',
    '      _d=$_d/$_c',
    '    fi',
    '  done',
    `  ${onEnd}`,
    '}',
  ].join('\n');
}

/**
 * play_resolve PATH USER: prints PATH with every symlink resolved; fails (87) on a link owned by
 * neither root nor USER, or after 40 links (a loop). Missing components are kept as they are.
 */
export const RESOLVE_FUNCTION = walkFunction('play_resolve', {
  onLink: [`if [ "$_o" != root ] && [ "$_o" != "$2" ]; then echo "${UNSAFE_PATH_MARKER} to follow $_d/$_c: a symlink owned by $_o" >&2; return ${UNSAFE_PATH_CODE}; fi`],
  onLoop: `echo "${UNSAFE_PATH_MARKER} $1: too many symlinks" >&2; return ${UNSAFE_PATH_CODE}`,
  onEnd: `printf '%s\\n' "\${_d:-/}"`,
});

/**
 * play_link_owner PATH: sets $__u (no subshell, so a path without links costs no process) to the
 * one user other than root who owns symlinks on PATH, to '' when only root's are there, and to
 * '*' when several users' are (or the links loop).
 */
export const LINK_OWNER_FUNCTION = walkFunction('play_link_owner', {
  init: '__u=',
  onLink: [
    'if [ "$_o" != root ]; then',
    '  if [ -n "$__u" ] && [ "$__u" != "$_o" ]; then __u=\'*\'; return; fi',
    '  __u=$_o',
    'fi',
  ],
  onLoop: "__u='*'; return",
  onEnd: ':',
});

/** A refused path (exit 87): its message names the link and its owner, never content. */
export function unsafePath(result: { code: number; stderr: string }): TaskError | undefined {
  if (result.code !== UNSAFE_PATH_CODE) return undefined;
  const line = result.stderr.split('\n').find((l) => l.startsWith(UNSAFE_PATH_MARKER));
  return line === undefined ? undefined : new TaskError(line.slice('play: '.length));
}
