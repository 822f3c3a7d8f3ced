// Starts the real `weightlab lab` (the npm-built front end served by jupyter_server) for a
// test: a free loopback port, a random token, temporary Jupyter data/config/runtime folders
// (so the kernelspec `weightlab lab` installs lands there, not in the user's home) and a
// temporary copy of notebooks/ (the lab may save; the repository's notebooks stay as they are).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { cliEntry, jupyterPython, repositoryRoot, temporaryFolder } from '../../support/paths';

export interface LabServer {
  url: string;
  token: string;
  notebookDir: string;
  /** Seconds from spawning `weightlab lab` to the server answering /api/status. */
  startSeconds: number;
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface LabOptions {
  /** How long to wait for the server to answer (default 120 s). */
  timeoutMs?: number;
  /** Variables set for the server and its kernels on top of the test's environment (default none). */
  env?: NodeJS.ProcessEnv;
}

export async function startLab(options: LabOptions = {}): Promise<LabServer> {
  const home = temporaryFolder('lab');
  const notebookDir = path.join(home, 'notebooks');
  fs.cpSync(path.join(repositoryRoot, 'notebooks'), notebookDir, { recursive: true });
  // The loading tutorial reads checkpoints that PyTorch and numpy wrote (tests/fixtures/io), found
  // upwards from the notebook as in a checkout: the copy keeps that layout, read-only by link.
  fs.mkdirSync(path.join(home, 'tests'));
  fs.symlinkSync(path.join(repositoryRoot, 'tests', 'fixtures'), path.join(home, 'tests', 'fixtures'));
  const env = {
    ...process.env,
    WEIGHTLAB_PYTHON: jupyterPython(),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
    // Only our temporary data folder and the system ones: a kernelspec elsewhere in the
    // user's JUPYTER_PATH must not shadow the one under test.
    JUPYTER_PATH: '',
    ...options.env,
  };
  const port = await freePort();
  const token = randomBytes(12).toString('hex');
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [cliEntry, 'lab', '--port', String(port), '--token', token, '--no-browser', '--notebook-dir', notebookDir],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let log = '';
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`weightlab lab exited (${child.exitCode}) before serving:\n${log}`);
    try {
      const response = await fetch(`${url}/api/status?token=${token}`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`weightlab lab did not answer on ${url} in time:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!/npm-built JupyterLab front end/.test(log))
    throw new Error(`weightlab lab did not choose the npm-built lab:\n${log}`);
  return {
    url,
    token,
    notebookDir,
    startSeconds: (Date.now() - started) / 1000,
    log: () => log,
    stop: async () => {
      // The CLI forwards SIGTERM to the server, which shuts its kernels down.
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      const timeout = setTimeout(() => {
        if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timeout);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
