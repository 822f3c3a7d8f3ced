// Locations the tests share: the repository root, the CLI entry, a fresh temp folder per use,
// and the Python that has Jupyter (never the `python3` first on PATH).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const cliEntry = path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js');

/**
 * A fresh folder under the temp folder (which `npm test` points into its own per-run folder),
 * removed when the test process exits, so no test reads or leaves state in a shared fixed path.
 */
export function temporaryFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `weightlab-${prefix}-`));
  process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
  return folder;
}

export function jupyterPython(): string {
  return process.env.WEIGHTLAB_PYTHON ?? '/usr/bin/python3';
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `weightlab ARGS` as a child process (the real CLI, as a user would). */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [cliEntry, ...args], {
    cwd: options.cwd ?? repositoryRoot,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
