// `weightlab lab`: serve notebooks with the weightlab kernel. When the Jupyter Python has
// JupyterLab (pip or conda), it installs our prebuilt labextension for the user and runs
// JupyterLab, so manifolds, phase diagrams and ESDs are interactive. Otherwise it runs the
// classic Notebook server Debian ships (it renders our SVG and text fallbacks). A JupyterLab
// 4 front end built from npm and served by Debian's jupyter_server is not built yet (see
// issue 8's report); it would plug in here as a third choice.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { numberOption, parseArgs, UsageError, type Command } from '../command';
import { installKernelSpec } from '../../kernelspec';
import { userDataDir } from '../../jupyter/paths';
import { installInstructions, jupyterStatus } from '../../jupyter/requirements';
import { pythonHasModules } from '../../jupyter/python';
import { installLabExtension } from '../../jupyter/labextension';

function defaultNotebookDir(): string {
  const workspaceNotebooks = path.resolve(__dirname, '..', '..', '..', '..', 'notebooks');
  return fs.existsSync(workspaceNotebooks) ? workspaceNotebooks : process.cwd();
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'serve the notebooks with the weightlab kernel in a browser',
  help: `Usage: weightlab lab [--port P] [--ip ADDRESS] [--no-browser] [--notebook-dir DIR] [--token T] [--classic]

Installs the kernelspec for this user, then starts JupyterLab on DIR (with the
weightlab renderer installed) when the Jupyter Python has JupyterLab, else the
classic Notebook server (static SVG/text fallbacks). DIR defaults to the
repository's notebooks/ folder, else the current folder.

Options:
  --port P            port (default 8888)
  --ip ADDRESS        address to listen on (default 127.0.0.1)
  --no-browser        do not open a browser
  --notebook-dir DIR  folder to serve
  --token T           access token (default: a random one, printed)
  --classic           use the classic Notebook server even when JupyterLab is installed`,
  async run(args) {
    const parsed = parseArgs(args, { values: ['port', 'ip', 'notebook-dir', 'token'], flags: ['no-browser', 'classic'] });
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
    const ip = parsed.options.ip ?? '127.0.0.1';
    const useLab = !parsed.flags.has('classic') && pythonHasModules(status.python, ['jupyterlab']);
    let serverArgs: string[];
    if (useLab) {
      const installed = installLabExtension(userDataDir());
      process.stderr.write(installed ? `weightlab labextension: ${installed}\n` : 'weightlab labextension is not built (npm run build): outputs fall back to Vega-Lite/SVG\n');
      serverArgs = ['-m', 'jupyterlab', `--ServerApp.port=${port}`, `--ServerApp.ip=${ip}`, `--ServerApp.root_dir=${notebookDir}`, `--ServerApp.token=${token}`];
    } else {
      process.stderr.write(`JupyterLab is not installed for ${status.python}: serving the classic Notebook (static fallbacks). Install jupyterlab (pip or conda) for the interactive renderer.\n`);
      serverArgs = ['-m', 'notebook', `--port=${port}`, `--ip=${ip}`, `--notebook-dir=${notebookDir}`, `--NotebookApp.token=${token}`];
    }
    if (parsed.flags.has('no-browser')) serverArgs.push('--no-browser');
    if (process.getuid?.() === 0) serverArgs.push(useLab ? '--ServerApp.allow_root=True' : '--allow-root');
    process.stderr.write(`serving ${notebookDir} at http://127.0.0.1:${port}/?token=${token}\n`);
    const server = spawn(status.python, serverArgs, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => () => server.kill(signal);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    return await new Promise<number>((resolve) => server.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
  },
};
