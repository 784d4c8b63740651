/**
 * Where a key sits in a YAML (or pretty-printed JSON) text, for errors and variable provenance:
 * js-yaml returns plain objects without positions. Block-style mappings are indexed by an
 * indentation scan into a tree of keys with their 1-based lines; a path that leads into flow
 * style (`vars: {a: 1}`) or is missing resolves to the deepest key found on the way (line 1
 * if none), which still points the user at the right place.
 */

export interface KeyNode {
  readonly line: number;
  readonly children: Map<string, KeyNode>;
}

const KEY_RE =
  /^(?:"((?:[^"\\]|\\.)*)"\s*:|'((?:[^']|'')*)'\s*:|([^\s#'"{[\]}&*!|>%@`,?:-][^#]*?|[?:-][^\s#][^#]*?)\s*:(?=\s|$))(.*)$/;
const BLOCK_SCALAR_RE = /^\s*(?:[&!]\S*\s+)*[|>][-+0-9]*\s*(?:#.*)?$/;

export function indexYamlKeys(text: string): KeyNode {
  const root: KeyNode = { line: 1, children: new Map() };
  const stack: Array<{ indent: number; node: KeyNode }> = [{ indent: -1, node: root }];
  let blockScalarIndent: number | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    const indent = raw.length - raw.replace(/^ +/, '').length;
    if (blockScalarIndent !== undefined) {
      // Lines of a literal/folded block are text, even when they look like `key: value`.
      if (indent > blockScalarIndent) return;
      blockScalarIndent = undefined;
    }
    let rest = raw.slice(indent);
    if (rest.startsWith('#') || /^(?:---|\.\.\.)(?:\s|$)/.test(rest) || rest.startsWith('%')) return;
    let keyIndent = indent;
    for (let dash = /^-(?:\s+|$)/.exec(rest); dash; dash = /^-(?:\s+|$)/.exec(rest)) {
      keyIndent += dash[0].length;
      rest = rest.slice(dash[0].length);
    }
    const m = KEY_RE.exec(rest);
    if (!m) return;
    const key = decodeKey(m);
    while ((stack[stack.length - 1]?.indent ?? -1) >= keyIndent) stack.pop();
    const parent = stack[stack.length - 1]?.node ?? root;
    const node: KeyNode = { line: index + 1, children: new Map() };
    // A repeated key replaces the earlier one, as the YAML loaders do with duplicate keys.
    parent.children.set(key, node);
    stack.push({ indent: keyIndent, node });
    if (BLOCK_SCALAR_RE.test(m[4] ?? '')) blockScalarIndent = indent;
  });
  return root;
}

function decodeKey(m: RegExpExecArray): string {
  if (m[1] !== undefined) {
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1];
    }
  }
  if (m[2] !== undefined) return m[2].replace(/''/g, "'");
  return (m[3] ?? '').trim();
}

/** The line of the deepest key of `path` found in the index (1 when not even the first is). */
export function keyLine(root: KeyNode, path: readonly string[]): number {
  let node = root;
  for (const key of path) {
    const child = node.children.get(key);
    if (!child) break;
    node = child;
  }
  return node.line;
}
