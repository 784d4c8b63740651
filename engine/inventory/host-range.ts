/**
 * Host ranges as Ansible expands them (expand_hostname_range in plugins/inventory/__init__.py):
 * `node[01:03]` -> node01 node02 node03 (a leading zero pads to the width of `begin`),
 * `web[a:c]` -> weba webb webc, `h[1:10:2]` -> h1 h3 h5 h7 h9, several ranges multiply.
 */

export class HostRangeError extends Error {}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function hasHostRange(pattern: string): boolean {
  return pattern.includes('[');
}

export function expandHostRange(pattern: string): string[] {
  // Ansible swaps the first '[' and the first ']' for '|' and wants exactly three parts.
  const parts = pattern.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new HostRangeError('bad host range: expected one [begin:end] per range');
  const [head, range, tail] = parts as [string, string, string];
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError('bad host range: must be begin:end or begin:end:step');
  }
  const begin = bounds[0] || '0';
  const end = bounds[1] ?? '';
  if (!end) throw new HostRangeError('bad host range: no end value');
  const stepText = bounds[2];

  let fill = (value: string | number): string => String(value);
  if (begin[0] === '0' && begin.length > 1) {
    if (begin.length !== end.length) {
      throw new HostRangeError('bad host range: begin and end must have the same width when begin has a leading zero');
    }
    fill = (value) => zfill(String(value), begin.length);
  }

  const names: string[] = [];
  for (const item of rangeItems(begin, end, stepText)) {
    const name = head + fill(item) + tail;
    if (hasHostRange(name)) names.push(...expandHostRange(name));
    else names.push(name);
  }
  return names;
}

function rangeItems(begin: string, end: string, stepText: string | undefined): Array<string | number> {
  const bad = (why: string): HostRangeError => new HostRangeError(`bad host range: ${why}`);
  // Python's str.index: a substring search, so 'a'..'z' and 'A'..'Z' are alphabetic bounds.
  const alphaBegin = ASCII_LETTERS.indexOf(begin);
  const alphaEnd = ASCII_LETTERS.indexOf(end);
  if (alphaBegin !== -1 && alphaEnd !== -1) {
    if (alphaBegin > alphaEnd) throw bad('begin must be <= end');
    const step = stepText === undefined ? 1 : pyInt(stepText);
    if (step !== undefined && step !== 0) {
      if (step < 0) return [];
      const out: string[] = [];
      for (let i = alphaBegin; i <= alphaEnd; i += step) out.push(ASCII_LETTERS[i] as string);
      return out;
    }
    // A zero or non-numeric step makes Python fall through to the numeric branch, which fails.
  }
  const first = pyInt(begin);
  const last = pyInt(end);
  const step = stepText === undefined ? 1 : pyInt(stepText);
  if (first === undefined || last === undefined) throw bad('bounds must both be numbers or both single letters');
  if (step === undefined) throw bad('the step is not a number');
  if (step === 0) throw bad('step must not be zero');
  const out: number[] = [];
  const stop = last + 1;
  if (step > 0) for (let i = first; i < stop; i += step) out.push(i);
  else for (let i = first; i > stop; i += step) out.push(i);
  return out;
}

/** Python's int(str): optional blanks and sign, digits with single underscores between. */
function pyInt(text: string): number | undefined {
  const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number((m[2] ?? '').replace(/_/g, ''));
  return m[1] === '-' ? -value : value;
}

/** Python's str.zfill: pads with zeros after any sign. */
function zfill(text: string, width: number): string {
  const sign = text[0] === '-' || text[0] === '+' ? text[0] : '';
  const digits = sign ? text.slice(1) : text;
  return sign + digits.padStart(width - sign.length, '0');
}
