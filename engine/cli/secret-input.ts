/**
 * Passwords the user types: on a terminal, a prompt on stderr and the answer read without echo
 * (raw mode, as getpass does); when stdin is not a terminal, one line of stdin per question, so
 * `printf '%s\n' "$BECOME" "$VAULT" | play ... -K --ask-vault-pass` answers both, in the order
 * ansible-playbook asks them (the become password first). Nothing read is ever echoed or logged.
 */
import { UsageError } from '../errors.js';

type Stdin = NodeJS.ReadStream;

export class SecretInput {
  private buffer = '';
  private ended = false;

  /** process.stdin is only touched when a question is asked: a run that asks nothing never opens it. */
  constructor(
    private readonly streams: () => { stdin: Stdin; stderr: NodeJS.WritableStream } = () => ({ stdin: process.stdin, stderr: process.stderr }),
  ) {}

  private get stdin(): Stdin {
    return this.streams().stdin;
  }

  private get stderr(): NodeJS.WritableStream {
    return this.streams().stderr;
  }

  /** One secret line: typed without echo on a terminal, or the next line of piped stdin. */
  async ask(prompt: string): Promise<string> {
    if (this.stdin.isTTY) return this.askTerminal(prompt);
    const line = await this.readLine();
    if (line === undefined) throw new UsageError(`stdin ended before it gave the answer to '${prompt.trim()}' (one line per question)`, { file: 'stdin' });
    return line;
  }

  /** Everything left on a piped stdin (encrypt_string's input), or one hidden line on a terminal. */
  async readAll(prompt: string): Promise<string> {
    if (this.stdin.isTTY) return this.askTerminal(prompt);
    while (!this.ended) await this.more();
    const all = this.buffer;
    this.buffer = '';
    return all;
  }

  private async readLine(): Promise<string | undefined> {
    while (!this.buffer.includes('\n') && !this.ended) await this.more();
    if (!this.buffer) return undefined;
    const end = this.buffer.indexOf('\n');
    const line = end === -1 ? this.buffer : this.buffer.slice(0, end);
    this.buffer = end === -1 ? '' : this.buffer.slice(end + 1);
    return line.replace(/\r$/, '');
  }

  /** Waits for the next chunk (or the end) of stdin, leaving it paused so the process may exit. */
  private more(): Promise<void> {
    if (this.stdin.readableEnded) {
      this.ended = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const onData = (chunk: Buffer | string): void => {
        this.buffer += chunk.toString();
        done();
      };
      const onEnd = (): void => {
        this.ended = true;
        done();
      };
      const done = (): void => {
        this.stdin.off('data', onData);
        this.stdin.off('end', onEnd);
        this.stdin.off('error', onEnd);
        this.stdin.pause();
        resolve();
      };
      this.stdin.on('data', onData);
      this.stdin.once('end', onEnd);
      this.stdin.once('error', onEnd);
      this.stdin.resume();
    });
  }

  private askTerminal(prompt: string): Promise<string> {
    const stdin = this.stdin;
    // Echo goes off before the prompt shows: nothing typed after it is ever echoed.
    stdin.setRawMode(true);
    this.stderr.write(prompt);
    return new Promise((resolve, reject) => {
      let value = '';
      const finish = (error?: Error): void => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        this.stderr.write('\n');
        if (error) reject(error);
        else resolve(value);
      };
      const onData = (chunk: Buffer | string): void => {
        for (const ch of chunk.toString()) {
          if (ch === '\r' || ch === '\n') return finish();
          if (ch === '\u0003') return finish(new UsageError('interrupted at the password prompt'));
          if (ch === '\u0004') {
            if (!value) return finish(new UsageError('end of input (ctrl-d) at the password prompt'));
          } else if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
          else if (ch === '\u0015') value = '';
          else value += ch;
        }
      };
      stdin.on('data', onData);
      stdin.resume();
    });
  }
}
