// `node dist/test/lab/scale-cli.js up N | down | status | inventory N`: the scale lab (scale-lab.ts)
// from a shell. The benchmark (test/bench/run.ts) drives it itself; this is for trying it by hand
// and for tearing down what an interrupted benchmark left.
import { argv, exit, stdout } from 'node:process';
import { LabError } from './exec.js';
import { scaleInventory, scaleLabDown, scaleLabStatus, scaleLabUp, SCALE_LAB } from './scale-lab.js';

async function main(args: string[]): Promise<number> {
  const [verb, arg] = args;
  switch (verb) {
    case 'up': {
      const report = await scaleLabUp(Number(arg ?? '10'));
      stdout.write(`${report.hosts.length} host(s) up in ${report.seconds.toFixed(1)} s on ${SCALE_LAB.bridge}\n`);
      return 0;
    }
    case 'down': {
      const left = await scaleLabDown();
      if (left.length) {
        stdout.write(`left behind: ${left.join(', ')}\n`);
        return 1;
      }
      stdout.write('scale lab is down; nothing left behind\n');
      return 0;
    }
    case 'status': {
      const s = await scaleLabStatus();
      stdout.write(`bridge ${SCALE_LAB.bridge}: ${s.bridge ? 'up' : 'absent'}; ${s.running.length} running of ${s.made.length} made\n`);
      return 0;
    }
    case 'inventory':
      stdout.write(scaleInventory(Number(arg ?? '10')));
      return 0;
    default:
      stdout.write('usage: node dist/test/lab/scale-cli.js up N | down | status | inventory N\n');
      return 2;
  }
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof LabError ? err.message : String((err as Error)?.stack ?? err)}\n`);
    exit(1);
  },
);
