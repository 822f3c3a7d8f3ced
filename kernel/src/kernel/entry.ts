// The program a kernelspec runs: `node entry.js --connection-file F`. It loads only the kernel
// (not the whole `weightlab` command line) to keep start-up short.

import { startKernel } from './start';

function argument(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

const connectionFile = argument('--connection-file') ?? argument('-f');
if (!connectionFile) {
  process.stderr.write('usage: node entry.js --connection-file FILE\n');
  process.exit(2);
}
startKernel({ connectionFile });
