/**
 * Where a key or a list item sits in a YAML (or pretty-printed JSON) text, for errors and
 * variable provenance: js-yaml returns plain objects without positions. Block-style mappings and
 * sequences are indexed by an indentation scan into a tree of keys and items with their 1-based
 * lines; a path that leads into flow style (`vars: {a: 1}`) or is missing resolves to the deepest
 * node found on the way (line 1 if none), which still points the user at the right place.
 */

export interface KeyNode {
  readonly line: number;
  readonly children: Map<string, KeyNode>;
  /** The items of a block sequence held by this key or item, in order. */
  readonly items: KeyNode[];
}

export type KeyPath = ReadonlyArray<string | number>;

const KEY_RE =
  /^(?:"((?:[^"\\]|\\.)*)"\s*:|'((?:[^']|'')*)'\s*:|([^\s#'"{[\]}&*!|>%@`,?:-][^#]*?|[?:-][^\s#][^#]*?)\s*:(?=\s|$))(.*)$/;
const BLOCK_SCALAR_RE = /^\s*(?:[&!]\S*\s+)*[|>][-+0-9]*\s*(?:#.*)?$/;
const DASH_RE = /^-(?:\s+|$)/;

/** A key or item still open for what follows it, at the column its text starts. */
interface Frame {
  readonly column: number;
  readonly kind: 'root' | 'key' | 'item';
  readonly node: KeyNode;
}

const newNode = (line: number): KeyNode => ({ line, children: new Map(), items: [] });

export function indexYamlKeys(text: string): KeyNode {
  const root = newNode(1);
  const stack: Frame[] = [{ column: -1, kind: 'root', node: root }];
  const top = (): Frame => stack[stack.length - 1]!;
  let blockScalarIndent: number | undefined;
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const indent = raw.length - raw.replace(/^ +/, '').length;
    if (blockScalarIndent !== undefined) {
      // Lines of a literal/folded block are text, even when they look like `key: value`.
      if (indent > blockScalarIndent) return;
      blockScalarIndent = undefined;
    }
    let rest = raw.slice(indent);
    if (rest.startsWith('#') || /^(?:---|\.\.\.)(?:\s|$)/.test(rest) || rest.startsWith('%')) return;
    let column = indent;
    for (let dash = DASH_RE.exec(rest); dash; dash = DASH_RE.exec(rest)) {
      openItem(stack, column, line);
      column += dash[0].length;
      rest = rest.slice(dash[0].length);
    }
    const m = KEY_RE.exec(rest);
    if (!m) {
      if (BLOCK_SCALAR_RE.test(rest)) blockScalarIndent = indent;
      return;
    }
    while (top().column >= column) stack.pop();
    const node = newNode(line);
    // A repeated key replaces the earlier one, as the YAML loaders do with duplicate keys.
    top().node.children.set(decodeKey(m), node);
    stack.push({ column, kind: 'key', node });
    if (BLOCK_SCALAR_RE.test(m[4] ?? '')) blockScalarIndent = indent;
  });
  return root;
}

/**
 * A `- ` at `column`: an item of the sequence there. A sequence may sit at the same column as
 * the key that holds it (`roles:` then `- common` under it), so a key at this column stays open.
 */
function openItem(stack: Frame[], column: number, line: number): void {
  const top = (): Frame => stack[stack.length - 1]!;
  while (top().column > column || (top().column === column && top().kind === 'item')) stack.pop();
  const node = newNode(line);
  top().node.items.push(node);
  stack.push({ column, kind: 'item', node });
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

/** The line of the deepest key or item of `path` found in the index (1 when not even the first is). */
export function keyLine(root: KeyNode, path: KeyPath): number {
  let node = root;
  for (const step of path) {
    const next = typeof step === 'number' ? node.items[step] : node.children.get(step);
    if (!next) break;
    node = next;
  }
  return node.line;
}
