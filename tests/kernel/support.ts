// Shared helpers of the kernel tests: a real kernel launched through our client, and the
// kernelspec installed into a temporary Jupyter data folder for the Python-side tests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { launchKernel, type RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { installKernelSpec } from '@weightlab/kernel/dist/kernelspec';
import type { Message } from '@weightlab/kernel/dist/wire/message';
import { temporaryFolder } from '../support/paths';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const cliEntry = path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js');
export const fixtures = path.join(repositoryRoot, 'tests', 'kernel', 'fixtures');
/** Debian's Python with Jupyter (the `python3` first on PATH may be a shim without it). */
export const python = process.env.WEIGHTLAB_PYTHON ?? '/usr/bin/python3';

// The one temp-folder helper of all tests (removed when the process exits).
export { temporaryFolder };

/** A kernel started in a scratch folder (`env` added to its environment); start-up waits are long because CI machines are slow. */
export function startKernel(env?: NodeJS.ProcessEnv): Promise<RunningKernel> {
  return launchKernel({ cwd: temporaryFolder('cells'), startupTimeoutMs: 120_000, env });
}

/** A Jupyter data folder holding only our kernelspec; point JUPYTER_PATH at it. */
export function kernelspecFolder(): string {
  const folder = temporaryFolder('jupyter');
  installKernelSpec(folder);
  return folder;
}

export function outputsOf(messages: Message[], type: string): Message[] {
  return messages.filter((message) => message.header.msg_type === type);
}

export function streamText(messages: Message[], name: 'stdout' | 'stderr'): string {
  return outputsOf(messages, 'stream').filter((message) => message.content.name === name).map((message) => message.content.text).join('');
}

export async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}

export function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * Runs a tests/python unittest file with Debian's Python (WEIGHTLAB_NODE names this Node for its
 * kernelspec); returns the exit status, the combined output and how many tests ran.
 */
export function runPythonTests(file: string): { status: number | null; output: string; ran: number } {
  const result = spawnSync(python, ['-m', 'unittest', '-v', file], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, WEIGHTLAB_NODE: process.execPath },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const ran = /Ran (\d+) tests?/.exec(output);
  return { status: result.status, output, ran: ran ? Number(ran[1]) : 0 };
}
