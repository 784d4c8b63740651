/**
 * Python's `shlex.split(text, comments, posix=True)`, which Ansible uses to cut an INI host line
 * into `host k=v ...` tokens, and which we also use for ansible_ssh_common_args/extra_args.
 * Quotes are removed ('a b' and "a b" are one token), a backslash escapes the next character
 * outside quotes and only `"` or `\` inside double quotes, and with `comments` a `#` that is not
 * quoted ends the line even in the middle of a word (`a=x#y` gives `a=x`), as in Python.
 */

export class ShlexError extends Error {}

const WHITESPACE = ' \t\r\n';

export function shlexSplit(text: string, options: { comments?: boolean } = {}): string[] {
  const commenters = options.comments ? '#' : '';
  const tokens: string[] = [];
  // state: ' ' between tokens, 'a' in a word, a quote char inside quotes, '\\' after a backslash
  let state: string = ' ';
  let escapedState = ' ';
  let token = '';
  let quoted = false;
  const emit = (): void => {
    if (token !== '' || quoted) tokens.push(token);
    token = '';
    quoted = false;
  };

  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? (text[i] as string) : '';
    if (state === ' ' || state === 'a') {
      if (ch === '') break;
      if (WHITESPACE.includes(ch)) {
        state = ' ';
        emit();
      } else if (commenters.includes(ch)) {
        // The rest of the line is a comment; a word in progress ends here.
        const nl = text.indexOf('\n', i);
        i = nl === -1 ? text.length : nl;
        state = ' ';
        emit();
      } else if (ch === '\\') {
        escapedState = 'a';
        state = '\\';
      } else if (ch === "'" || ch === '"') {
        state = ch;
      } else {
        token += ch;
        state = 'a';
      }
    } else if (state === "'" || state === '"') {
      quoted = true;
      if (ch === '') throw new ShlexError('No closing quotation');
      if (ch === state) state = 'a';
      else if (ch === '\\' && state === '"') {
        escapedState = state;
        state = '\\';
      } else token += ch;
    } else {
      // after a backslash
      if (ch === '') throw new ShlexError('No escaped character');
      if (escapedState === '"' && ch !== '\\' && ch !== '"') token += '\\';
      token += ch;
      state = escapedState;
    }
  }
  if (state !== ' ') emit();
  return tokens;
}
