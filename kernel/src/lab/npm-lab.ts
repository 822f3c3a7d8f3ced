// Locating the lab built from npm @jupyterlab/* packages (the repository's lab/ folder) and
// the command that serves it with jupyter_server. The front-end build is cached by
// lab/scripts/build-lab.js, so calling it on every start costs a hash of the inputs (well
// under a second) and rebuilds (a few seconds) only after sources or the lockfile change.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface NpmLab {
  /** lab/ in the repository. */
  root: string;
  /** lab/build: bundle, chunks, assets and the page template. */
  build: string;
  /** The Python server app (a jupyterlab_server LabServerApp) to run with the Jupyter Python. */
  serverScript: string;
}

/** lab/ next to this package in the repository checkout, or undefined (an npm install of the kernel alone has none). */
export function findNpmLab(): NpmLab | undefined {
  // kernel/dist/lab/npm-lab.js -> <repository>/lab
  const root = path.resolve(__dirname, '..', '..', '..', 'lab');
  const serverScript = path.join(root, 'server', 'weightlab_lab.py');
  const buildScript = path.join(root, 'scripts', 'build-lab.js');
  if (!fs.existsSync(serverScript) || !fs.existsSync(buildScript)) return undefined;
  return { root, build: path.join(root, 'build'), serverScript };
}

/** Brings lab/build up to date; returns an error message when it cannot (e.g. dependencies not installed). */
export function ensureLabBuilt(lab: NpmLab): string | undefined {
  const result = spawnSync(process.execPath, [path.join(lab.root, 'scripts', 'build-lab.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.status !== 0)
    return `building ${lab.build} failed (exit ${result.status ?? result.signal}); run \`npm ci && npm run build\` in the repository`;
  return undefined;
}

/** Arguments for the Jupyter Python that serve `notebookDir` with the npm-built lab. */
export function npmLabServerArgs(
  lab: NpmLab,
  options: { port: number; ip: string; notebookDir: string; token: string; openBrowser: boolean },
): string[] {
  const args = [
    lab.serverScript,
    `--ServerApp.port=${options.port}`,
    `--ServerApp.ip=${options.ip}`,
    `--ServerApp.root_dir=${options.notebookDir}`,
    `--ServerApp.token=${options.token}`,
    // A fixed port was asked for: fail instead of silently serving on another one.
    '--ServerApp.port_retries=0',
    `--ServerApp.open_browser=${options.openBrowser ? 'True' : 'False'}`,
    // New notebooks and notebooks without kernel metadata start the weightlab kernel, not python3.
    '--MappingKernelManager.default_kernel_name=weightlab',
  ];
  if (process.getuid?.() === 0) args.push('--ServerApp.allow_root=True');
  return args;
}
