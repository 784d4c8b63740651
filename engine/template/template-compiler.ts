/**
 * nunjucks parses Jinja2 syntax and generates JavaScript for it; this subclass of its code
 * generator makes the generated code use Python's semantics (py-ops.ts) where JavaScript's
 * differ: truthiness ([] and {} are false), `+` on lists, `/` as true division, `~` with str(),
 * chained comparisons, `in`, member and slice access, `True`/`False`/`None`, and variable lookup
 * through the scope (lazy rendering) instead of a copied context object.
 *
 * The generated code reaches the helpers as `env.py.NAME(...)`: `env` is in scope in every
 * function nunjucks emits.
 */
import { createRequire } from 'node:module';
import type Nunjucks from 'nunjucks';

type NunjucksLib = typeof Nunjucks;

/** The few nunjucks AST fields we read (nunjucks/src/nodes.js). */
export interface AstNode {
  readonly typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  children?: AstNode[];
  [field: string]: unknown;
}

interface CompileFrame {
  lookup(name: string): string | undefined;
}

interface CompilerInstance {
  _emit(code: string): void;
  compile(node: AstNode, frame: CompileFrame): void;
  _compileExpression(node: AstNode, frame: CompileFrame): void;
  getCode(): string;
}

type CompilerClass = new (name: string, throwOnUndefined: boolean) => CompilerInstance;

interface Token {
  readonly type: string;
  readonly lineno: number;
  readonly colno: number;
}

interface ParserInstance {
  peekToken(): Token | null;
  parseAsRoot(): AstNode;
}

interface NunjucksInternals {
  compiler: { Compiler: CompilerClass };
  parser: { Parser: new (tokens: unknown) => ParserInstance };
  lexer: { lex(src: string, opts: object): unknown; TOKEN_FLOAT: string };
}

/** How an expression reads in error messages: names and literal keys only, never values. */
export function expressionLabel(node: AstNode): string {
  switch (node.typename) {
    case 'Symbol':
      return String(node.value);
    case 'LookupVal': {
      const target = expressionLabel(node.target as AstNode);
      const val = node.val as AstNode;
      if (val.typename === 'Literal' && typeof val.value === 'string') return `${target}.${val.value}`;
      if (val.typename === 'Literal' && typeof val.value === 'number') return `${target}[${val.value}]`;
      return `${target}[...]`;
    }
    default:
      return '(expression)';
  }
}

/** nunjucks, loaded on the first template: a run whose variables hold none never pays for it. */
const requireCjs = createRequire(import.meta.url);
let nunjucksModule: NunjucksLib | undefined;

export function nunjucksLib(): NunjucksLib {
  nunjucksModule ??= requireCjs('nunjucks') as NunjucksLib;
  return nunjucksModule;
}

interface CodeGen {
  readonly internals: NunjucksInternals;
  readonly Parser: new (tokens: unknown) => ParserInstance & { readonly floats: ReadonlySet<string> };
  readonly Compiler: new (name: unknown, throwOnUndefined: boolean) => CompilerInstance & { floats: ReadonlySet<string> };
}

let codeGen: CodeGen | undefined;

/** Our parser and code generator, built on nunjucks' own classes once nunjucks is loaded. */
function loadCodeGen(): CodeGen {
  if (codeGen) return codeGen;
  const nunjucks = nunjucksLib();
  const internals = nunjucks as unknown as NunjucksInternals;
  // Slices (`x[1:]`) and the Jinja2 names nunjucks lacks come from nunjucks' own compatibility
  // layer; it patches nunjucks' parser, which only templates use in this process.
  nunjucks.installJinjaCompat();

  /** A node of our own: `env.py.fn(args...)`, used to wrap conditions and loop sources. */
  function pyCall(fn: string, args: AstNode[], like: AstNode): AstNode {
    return { typename: 'PyCall', lineno: like.lineno, colno: like.colno, fn, args };
  }

  const LITERAL_NAMES: Readonly<Record<string, string>> = { True: 'true', False: 'false', None: 'null' };

  /**
   * nunjucks' parser, noting where float literals are: it turns `2.0` into the number 2, and
   * Python prints a float with its `.0`.
   */
  class FloatNotingParser extends (internals.parser.Parser as unknown as new (tokens: unknown) => ParserInstance & Record<string, unknown>) {
    readonly floats = new Set<string>();

    parsePrimary(noPostfix: boolean): AstNode {
      const tok = this.peekToken();
      if (tok && tok.type === internals.lexer.TOKEN_FLOAT) this.floats.add(`${tok.lineno}:${tok.colno}`);
      return (internals.parser.Parser.prototype as unknown as Record<string, (this: unknown, n: boolean) => AstNode>).parsePrimary!.call(this, noPostfix);
    }
  }

  const Base = internals.compiler.Compiler as unknown as new (...args: unknown[]) => CompilerInstance & Record<string, unknown>;

  class PythonCompiler extends Base {
    /** Positions (line:column) of float literals in the source. */
    floats: ReadonlySet<string> = new Set();

    compileLiteral(node: AstNode, frame: CompileFrame): void {
      if (typeof node.value === 'number' && this.floats.has(`${node.lineno}:${node.colno}`)) this._emit(`env.py.float(${node.value})`);
      else (Base.prototype as unknown as Record<string, (...a: unknown[]) => void>).compileLiteral!.call(this, node, frame);
    }

    call(fn: string, args: readonly AstNode[], frame: CompileFrame): void {
      this._emit(`env.py.${fn}(`);
      args.forEach((arg, i) => {
        if (i > 0) this._emit(', ');
        this.compile(arg, frame);
      });
      this._emit(')');
    }

    /** Our nodes pass nunjucks' expression type checks. */
    assertType(node: AstNode, ...types: unknown[]): void {
      if (node.typename === 'PyCall') return;
      (Base.prototype as unknown as { assertType: (n: AstNode, ...t: unknown[]) => void }).assertType.call(this, node, ...types);
    }

    compilePyCall(node: AstNode, frame: CompileFrame): void {
      this.call(node.fn as string, node.args as AstNode[], frame);
    }

    compileSymbol(node: AstNode, frame: CompileFrame): void {
      const name = String(node.value);
      const local = frame.lookup(name);
      if (local) this._emit(local);
      else if (LITERAL_NAMES[name]) this._emit(LITERAL_NAMES[name]);
      else this._emit(`env.py.lookup(context, frame, ${JSON.stringify(name)})`);
    }

    compileLookupVal(node: AstNode, frame: CompileFrame): void {
      const val = node.val as AstNode;
      const wrapped = val.typename === 'Array' && val.children?.length === 1 && val.children[0]?.typename === 'Slice';
      const slice = val.typename === 'Slice' ? val : wrapped ? val.children![0] : undefined;
      if (slice) {
        this.call('slice', [node.target as AstNode, slice.start as AstNode, slice.stop as AstNode, slice.step as AstNode], frame);
        return;
      }
      this._emit('env.py.member(');
      this._compileExpression(node.target as AstNode, frame);
      this._emit(', ');
      this._compileExpression(val, frame);
      this._emit(`, ${JSON.stringify(expressionLabel(node))})`);
    }

    compileNot(node: AstNode, frame: CompileFrame): void {
      this._emit('!');
      this.call('truthy', [node.target as AstNode], frame);
    }

    /** `a and b` / `a or b` return an operand, as Python does, and short-circuit. */
    private shortCircuit(fn: 'and' | 'or', node: AstNode, frame: CompileFrame): void {
      this._emit(`env.py.${fn}(`);
      this.compile(node.left as AstNode, frame);
      this._emit(', function() { return ');
      this.compile(node.right as AstNode, frame);
      this._emit('; })');
    }
    compileAnd(node: AstNode, frame: CompileFrame): void {
      this.shortCircuit('and', node, frame);
    }
    compileOr(node: AstNode, frame: CompileFrame): void {
      this.shortCircuit('or', node, frame);
    }

    compileInlineIf(node: AstNode, frame: CompileFrame): void {
      this._emit('(');
      this.call('truthy', [node.cond as AstNode], frame);
      this._emit(' ? ');
      this.compile(node.body as AstNode, frame);
      this._emit(' : ');
      // Jinja2: `a if c` without else is undefined when c is false.
      if (node.else_) this.compile(node.else_ as AstNode, frame);
      else this._emit('env.py.undefinedValue("else branch")');
      this._emit(')');
    }

    compileCompare(node: AstNode, frame: CompileFrame): void {
      this._emit('env.py.compare(');
      this.compile(node.expr as AstNode, frame);
      this._emit(', [');
      (node.ops as AstNode[]).forEach((op, i) => {
        if (i > 0) this._emit(', ');
        this._emit(`${JSON.stringify(op.type)}, `);
        this.compile(op.expr as AstNode, frame);
      });
      this._emit('])');
    }

    /** Dict keys are expressions in Jinja2 (`{name: 1}` uses the variable `name`). */
    compileDict(node: AstNode, frame: CompileFrame): void {
      this._emit('env.py.dict([');
      (node.children ?? []).forEach((pair, i) => {
        if (i > 0) this._emit(', ');
        this._emit('[');
        this.compile(pair.key as AstNode, frame);
        this._emit(', ');
        this.compile(pair.value as AstNode, frame);
        this._emit(']');
      });
      this._emit('])');
    }

    /** Keyword arguments keep nunjucks' own form: names are names, not variables. */
    compileKeywordArgs(node: AstNode, frame: CompileFrame): void {
      this._emit('runtime.makeKeywordArgs(');
      (Base.prototype as unknown as Record<string, (...a: unknown[]) => void>).compileDict!.call(this, node, frame);
      this._emit(')');
    }

    /** `(a, b)` is a tuple in Jinja2 (a list here); only `(a)` is a parenthesised expression. */
    compileGroup(node: AstNode, frame: CompileFrame): void {
      const children = node.children ?? [];
      if (children.length === 1) {
        this._emit('(');
        this.compile(children[0]!, frame);
        this._emit(')');
        return;
      }
      this._emit('[');
      children.forEach((child, i) => {
        if (i > 0) this._emit(', ');
        this.compile(child, frame);
      });
      this._emit(']');
    }

    /** `x is test(a, b)`: every argument, comma-separated (nunjucks passes only the first). */
    compileIs(node: AstNode, frame: CompileFrame): void {
      const right = node.right as AstNode;
      const name = right.name ? String((right.name as AstNode).value) : String(right.value);
      this._emit(`env.getTest(${JSON.stringify(name)}).call(context, `);
      this.compile(node.left as AstNode, frame);
      for (const arg of (right.args as AstNode | undefined)?.children ?? []) {
        this._emit(', ');
        this.compile(arg, frame);
      }
      this._emit(') === true');
    }

    compileIf(node: AstNode, frame: CompileFrame, async?: boolean): void {
      this.withWrapped(node, 'cond', 'truthy', () => (Base.prototype as unknown as Record<string, (...a: unknown[]) => void>).compileIf!.call(this, node, frame, async));
    }

    compileFor(node: AstNode, frame: CompileFrame): void {
      this.withWrapped(node, 'arr', 'iterate', () => (Base.prototype as unknown as Record<string, (...a: unknown[]) => void>).compileFor!.call(this, node, frame));
    }

    /** Output goes through Ansible's finalize (None prints as '') and Python's str(). */
    compileOutput(node: AstNode, frame: CompileFrame): void {
      for (const child of node.children ?? []) {
        if (child.typename === 'TemplateData') {
          if (child.value) this._emit(`output += ${JSON.stringify(child.value)};\n`);
          continue;
        }
        this._emit('output += ');
        this.call('output', [child], frame);
        this._emit(';\n');
      }
    }

    private withWrapped(node: AstNode, field: string, fn: string, compile: () => void): void {
      const original = node[field] as AstNode;
      node[field] = pyCall(fn, [original], original);
      try {
        compile();
      } finally {
        node[field] = original;
      }
    }
  }

  /** Operators compiled to a py-ops helper of the same meaning: node type -> helper. */
  const BINARY_OPS: Readonly<Record<string, string>> = {
    Add: 'add',
    Sub: 'sub',
    Mul: 'mul',
    Div: 'div',
    FloorDiv: 'floorDiv',
    Mod: 'mod',
    Pow: 'pow',
    Concat: 'concat',
    In: 'contains',
  };
  const UNARY_OPS: Readonly<Record<string, string>> = { Neg: 'neg', Pos: 'pos' };

  const methods = PythonCompiler.prototype as unknown as Record<string, (this: PythonCompiler, node: AstNode, frame: CompileFrame) => void>;
  for (const [type, fn] of Object.entries(BINARY_OPS)) {
    methods[`compile${type}`] = function (node, frame) {
      this.call(fn, [node.left as AstNode, node.right as AstNode], frame);
    };
  }
  for (const [type, fn] of Object.entries(UNARY_OPS)) {
    methods[`compile${type}`] = function (node, frame) {
      this.call(fn, [node.target as AstNode], frame);
    };
  }

  codeGen = { internals, Parser: FloatNotingParser, Compiler: PythonCompiler as unknown as CodeGen['Compiler'] };
  return codeGen;
}

export interface CompiledSource {
  /** The module nunjucks' Template accepts as precompiled code ({ root, b_* }). */
  readonly props: Record<string, unknown>;
  /** The whole template is one `{{ ... }}` whose last filter keeps strings (Ansible's STRING_TYPE_FILTERS). */
  readonly keepsText: boolean;
}

/** Filters whose result Ansible keeps as text instead of reading it back as data. */
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

function keepsText(root: AstNode): boolean {
  const outputs = root.children ?? [];
  if (outputs.length !== 1 || outputs[0]?.typename !== 'Output') return false;
  const nodes = (outputs[0].children ?? []).filter((n) => !(n.typename === 'TemplateData' && n.value === ''));
  if (nodes.length !== 1) return false;
  const only = nodes[0]!;
  return only.typename === 'Filter' && STRING_TYPE_FILTERS.has(String((only.name as AstNode).value));
}

/** Parses with nunjucks (throws its TemplateError on bad syntax) and generates the code. */
export function compileTemplate(source: string, opts: object): CompiledSource {
  const { internals, Parser, Compiler } = loadCodeGen();
  const parser = new Parser(internals.lexer.lex(source, opts));
  const ast = parser.parseAsRoot();
  const compiler = new Compiler(undefined, false);
  compiler.floats = parser.floats;
  compiler.compile(ast, undefined as unknown as CompileFrame);
  // The same step nunjucks' own Template takes with its generated code.
  const props = new Function(compiler.getCode())() as Record<string, unknown>;
  return { props, keepsText: keepsText(ast) };
}


