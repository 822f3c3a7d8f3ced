// Shared helpers of the kernel tests: a real kernel launched through our client, and the
// kernelspec installed into a temporary Jupyter data folder for the Python-side tests.
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

/** A kernel started in a scratch folder; start-up waits are long because CI machines are slow. */
export function startKernel(): Promise<RunningKernel> {
  return launchKernel({ cwd: temporaryFolder('cells'), startupTimeoutMs: 120_000 });
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
