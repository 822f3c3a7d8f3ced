// `weightlab lab`: serve notebooks with the weightlab kernel. Until the JupyterLab front end
// of the extension issue is built, this runs the classic Notebook server that Debian ships
// (it renders our SVG and text fallbacks), after installing the kernelspec for the user.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { numberOption, parseArgs, UsageError, type Command } from '../command';
import { installKernelSpec } from '../../kernelspec';
import { userDataDir } from '../../jupyter/paths';
import { installInstructions, jupyterStatus } from '../../jupyter/requirements';

function defaultNotebookDir(): string {
  const workspaceNotebooks = path.resolve(__dirname, '..', '..', '..', '..', 'notebooks');
  return fs.existsSync(workspaceNotebooks) ? workspaceNotebooks : process.cwd();
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'serve the notebooks with the weightlab kernel in a browser',
  help: `Usage: weightlab lab [--port P] [--ip ADDRESS] [--no-browser] [--notebook-dir DIR] [--token T]

Installs the kernelspec for this user, then starts a notebook server on DIR
(default: the repository's notebooks/ folder, else the current folder).

Options:
  --port P            port (default 8888)
  --ip ADDRESS        address to listen on (default 127.0.0.1)
  --no-browser        do not open a browser
  --notebook-dir DIR  folder to serve
  --token T           access token (default: a random one, printed)`,
  async run(args) {
    const parsed = parseArgs(args, { values: ['port', 'ip', 'notebook-dir', 'token'], flags: ['no-browser'] });
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const port = numberOption(parsed, 'port', 8888);
    const status = jupyterStatus(['jupyter_client', 'notebook']);
    if (!status.python || status.missing.length) {
      process.stderr.write(`${installInstructions()}\n`);
      return 1;
    }
    const kernelDir = installKernelSpec(userDataDir());
    process.stderr.write(`weightlab kernelspec: ${kernelDir}\n`);
    const notebookDir = path.resolve(parsed.options['notebook-dir'] ?? defaultNotebookDir());
    const token = parsed.options.token ?? randomBytes(16).toString('hex');
    const serverArgs = [
      '-m', 'notebook', `--port=${port}`, `--ip=${parsed.options.ip ?? '127.0.0.1'}`,
      `--notebook-dir=${notebookDir}`, `--NotebookApp.token=${token}`,
    ];
    if (parsed.flags.has('no-browser')) serverArgs.push('--no-browser');
    if (process.getuid?.() === 0) serverArgs.push('--allow-root');
    process.stderr.write(`serving ${notebookDir} at http://127.0.0.1:${port}/?token=${token}\n`);
    const server = spawn(status.python, serverArgs, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => () => server.kill(signal);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    return await new Promise<number>((resolve) => server.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
  },
};
