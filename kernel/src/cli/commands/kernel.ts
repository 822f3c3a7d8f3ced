// `weightlab kernel --connection-file F`: runs the Jupyter kernel in this process, without the
// startup snapshot (the kernelspec starts the lighter entry dist/kernel/entry.js through
// bin/start-kernel.sh, from the snapshot when there is one).

import { parseArgs, UsageError, type Command } from '../command';
import { startKernel } from '../../kernel/start';

export const kernelCommand: Command = {
  name: 'kernel',
  summary: 'run the weightlab Jupyter kernel (started by Jupyter through the kernelspec)',
  help: `Usage: weightlab kernel --connection-file FILE [--cwd DIR]

Runs the weightlab TypeScript kernel on the ports and key of a Jupyter connection file.
Jupyter starts it through the kernelspec that 'weightlab install' writes; it exits on a
shutdown_request or when the process that started it dies.

Options:
  --connection-file FILE   the Jupyter connection file (-f for short)
  --cwd DIR                the folder cells resolve files and imports from (default: the current one)`,
  run(args) {
    const parsed = parseArgs(args, { values: ['connection-file', 'cwd'], aliases: { f: 'connection-file' } });
    const connectionFile = parsed.options['connection-file'];
    if (!connectionFile) throw new UsageError('--connection-file is required');
    if (parsed.options.cwd) process.chdir(parsed.options.cwd);
    startKernel({ connectionFile });
    // The kernel ends the process itself (shutdown_request, parent death).
    return new Promise<number>(() => undefined);
  },
};
