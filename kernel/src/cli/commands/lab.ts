// `weightlab lab`: serve notebooks with the weightlab kernel. First choice: the lab built
// from npm @jupyterlab/* packages in the repository's lab/ folder (our renderer bundled in),
// served by jupyter_server + jupyterlab_server (Debian packages them; JupyterLab itself is
// not). Second: a JupyterLab the Jupyter Python has (pip or conda), with our prebuilt
// labextension installed for the user. Last: the classic Notebook server (it renders our
// SVG and text fallbacks).

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
import { ensureLabBuilt, findNpmLab, npmLabServerArgs } from '../../lab/npm-lab';

function defaultNotebookDir(): string {
  const workspaceNotebooks = path.resolve(__dirname, '..', '..', '..', '..', 'notebooks');
  return fs.existsSync(workspaceNotebooks) ? workspaceNotebooks : process.cwd();
}

interface ServerOptions {
  port: number;
  ip: string;
  notebookDir: string;
  token: string;
  openBrowser: boolean;
  classic: boolean;
  jupyterlab: boolean;
}
interface ServerChoice {
  args: string[];
  env: Record<string, string>;
  page: string;
}

/** Which server to run (see the help), or undefined after explaining why none can run. */
function chooseServer(python: string, options: ServerOptions): ServerChoice | undefined {
  const { port, ip, notebookDir, token } = options;
  const asRoot = process.getuid?.() === 0;
  if (!options.classic && !options.jupyterlab) {
    const npmLab = findNpmLab();
    const serverModules = pythonHasModules(python, ['jupyter_server', 'jupyterlab_server']);
    const buildError = npmLab && serverModules ? ensureLabBuilt(npmLab) : undefined;
    if (npmLab && serverModules && !buildError) {
      process.stderr.write(`weightlab lab: npm-built JupyterLab front end from ${npmLab.build}\n`);
      return {
        args: npmLabServerArgs(npmLab, { port, ip, notebookDir, token, openBrowser: options.openBrowser }),
        env: { WEIGHTLAB_LAB_BUILD: npmLab.build },
        page: 'lab',
      };
    }
    const why = !npmLab
      ? 'this install has no lab/ folder (a repository checkout has)'
      : !serverModules
        ? `${python} lacks jupyter_server/jupyterlab_server (Debian: apt-get install python3-jupyter-server python3-jupyterlab-server)`
        : buildError;
    process.stderr.write(`weightlab lab: not using the npm-built lab: ${why}\n`);
  }
  if (!options.classic && pythonHasModules(python, ['jupyterlab'])) {
    const installed = installLabExtension(userDataDir());
    process.stderr.write(
      installed
        ? `weightlab labextension: ${installed}\n`
        : 'weightlab labextension is not built (npm run build): outputs fall back to Vega-Lite/SVG\n',
    );
    const args = [
      '-m',
      'jupyterlab',
      `--ServerApp.port=${port}`,
      `--ServerApp.ip=${ip}`,
      `--ServerApp.root_dir=${notebookDir}`,
      `--ServerApp.token=${token}`,
    ];
    if (!options.openBrowser) args.push('--no-browser');
    if (asRoot) args.push('--ServerApp.allow_root=True');
    return { args, env: {}, page: 'lab' };
  }
  if (options.jupyterlab) {
    process.stderr.write(`weightlab lab: --jupyterlab, but ${python} has no jupyterlab module\n`);
    return undefined;
  }
  if (!pythonHasModules(python, ['notebook'])) {
    process.stderr.write(
      `weightlab lab: ${python} has no Jupyter server to run (neither jupyter_server + jupyterlab_server, jupyterlab nor notebook).\n${installInstructions()}\n`,
    );
    return undefined;
  }
  process.stderr.write(`JupyterLab is not available for ${python}: serving the classic Notebook (static fallbacks).\n`);
  const args = [
    '-m',
    'notebook',
    `--port=${port}`,
    `--ip=${ip}`,
    `--notebook-dir=${notebookDir}`,
    `--NotebookApp.token=${token}`,
  ];
  if (!options.openBrowser) args.push('--no-browser');
  if (asRoot) args.push('--allow-root');
  return { args, env: {}, page: 'tree' };
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'serve the notebooks with the weightlab kernel in a browser',
  help: `Usage: weightlab lab [--port P] [--ip ADDRESS] [--no-browser] [--notebook-dir DIR] [--token T] [--jupyterlab | --classic]

Installs the kernelspec for this user, then serves DIR with, in order of preference:
the npm-built lab of this repository (lab/, weightlab renderer bundled in; needs
jupyter_server and jupyterlab_server), JupyterLab when the Jupyter Python has it (with
the weightlab renderer installed), else the classic Notebook server (static SVG/text
fallbacks). DIR defaults to the repository's notebooks/ folder, else the current folder.

Options:
  --port P            port (default 8888)
  --ip ADDRESS        address to listen on (default 127.0.0.1)
  --no-browser        do not open a browser
  --notebook-dir DIR  folder to serve
  --token T           access token (default: a random one, printed)
  --jupyterlab        use the Jupyter Python's own JupyterLab instead of the npm-built lab
  --classic           use the classic Notebook server`,
  async run(args) {
    const parsed = parseArgs(args, {
      values: ['port', 'ip', 'notebook-dir', 'token'],
      flags: ['no-browser', 'classic', 'jupyterlab'],
    });
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const port = numberOption(parsed, 'port', 8888);
    const status = jupyterStatus(['jupyter_client']);
    if (!status.python || status.missing.length) {
      process.stderr.write(`${installInstructions()}\n`);
      return 1;
    }
    const kernelDir = installKernelSpec(userDataDir());
    process.stderr.write(`weightlab kernelspec: ${kernelDir}\n`);
    const notebookDir = path.resolve(parsed.options['notebook-dir'] ?? defaultNotebookDir());
    const token = parsed.options.token ?? randomBytes(16).toString('hex');
    const ip = parsed.options.ip ?? '127.0.0.1';
    const openBrowser = !parsed.flags.has('no-browser');
    const serverArgs = chooseServer(status.python, {
      port,
      ip,
      notebookDir,
      token,
      openBrowser,
      classic: parsed.flags.has('classic'),
      jupyterlab: parsed.flags.has('jupyterlab'),
    });
    if (!serverArgs) return 1;
    process.stderr.write(`serving ${notebookDir} at http://${ip}:${port}/${serverArgs.page}?token=${token}\n`);
    const server = spawn(status.python, serverArgs.args, {
      stdio: 'inherit',
      env: { ...process.env, ...serverArgs.env },
    });
    const forward = (signal: NodeJS.Signals) => () => server.kill(signal);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    return await new Promise<number>((resolve) =>
      server.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))),
    );
  },
};
