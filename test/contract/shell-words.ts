/**
 * The simple commands of a POSIX sh script, as argv arrays: enough of the shell grammar for the
 * scripts play builds (quotes, backslashes, $(...), pipes, lists, redirections, if/then/fi,
 * for/do/done, case). A word that is a variable expansion stays as written ("$tmp").
 */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'for', 'while', 'until', 'case', 'esac', 'in', '!', '{', '}']);

export function simpleCommands(script: string): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) current.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    // Keywords, and VAR=value prefixes (DEBIAN_FRONTEND=noninteractive apt-get ...), are no command.
    while (current.length && (KEYWORDS.has(current[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(current[0]!))) current.shift();
    // `for x in a b; do`: the loop header is no command.
    if (current.length && !(current.length >= 2 && current[current.length - 1] === 'in')) commands.push(current);
    current = [];
  };
  let caseDepth = 0;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? script.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '\\') j++;
        j++;
      }
      word += script.slice(i + 1, j).replace(/\\(["\\$`])/g, '$1');
      inWord = true;
      i = j;
    } else if (c === '\\' && script[i + 1] === '\n') {
      i++;
    } else if (c === '\\') {
      word += script[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (c === '$' && script[i + 1] === '(') {
      // $(...): its commands count too; the word stands for their output.
      let depth = 1;
      let j = i + 2;
      while (j < script.length && depth > 0) {
        if (script[j] === '(') depth++;
        else if (script[j] === ')') depth--;
        j++;
      }
      commands.push(...simpleCommands(script.slice(i + 2, j - 1)));
      word += '$(...)';
      inWord = true;
      i = j - 1;
    } else if (c === '#' && !inWord) {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end - 1;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      if (c === ')' && caseDepth > 0 && !current.length) continue;
      endCommand();
    } else if (c === '>' || c === '<') {
      // A redirection and its target are no arguments.
      endWord();
      if (/^\d$/.test(current[current.length - 1] ?? '') && script[i - 1] !== ' ') current.pop();
      let j = i + 1;
      if (script[j] === '>' || script[j] === '&') j++;
      while (script[j] === ' ') j++;
      let target = '';
      while (j < script.length && !/[\s;|&)]/.test(script[j]!)) target += script[j++];
      i = j - 1;
    } else if (c === ' ' || c === '\t') {
      endWord();
      if (current.length === 1 && current[0] === 'case') caseDepth++;
      if (current[0] === 'esac') caseDepth = Math.max(0, caseDepth - 1);
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands.filter((argv) => argv.length > 0 && !argv[0]!.endsWith(')'));
}
