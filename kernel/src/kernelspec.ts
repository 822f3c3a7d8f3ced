// The Jupyter kernelspec for the weightlab kernel: kernel.json with absolute paths to this Node
// and this kernel's launcher, so Jupyter starts it without relying on PATH or on a python shim.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './notebook/nbformat';
import path from 'node:path';

export const KERNEL_NAME = 'weightlab';

export interface KernelSpecOptions {
  /** Node binary (default: the one running now). */
  node?: string;
  /** Extra environment for the kernel process. */
  env?: Record<string, string>;
}

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env?: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The kernel program the kernelspec runs (compiled from src/kernel/entry.ts). */
export function kernelEntry(): string {
  return path.resolve(__dirname, 'kernel', 'entry.js');
}

/**
 * The launcher the kernelspec runs with `/bin/sh`: it starts kernelEntry() from the build's V8
 * startup snapshot when that was built by the same Node version, and plainly otherwise (see the script).
 */
export function kernelLauncher(): string {
  return path.resolve(__dirname, '..', 'bin', 'start-kernel.sh');
}

/** The shell that runs the launcher; where there is none (Windows), the kernel starts without the snapshot. */
const SHELL = '/bin/sh';

/** argv of a kernel on `node`: the launcher (which picks snapshot or plain start) when there is a POSIX shell. */
export function kernelArgv(node: string = process.execPath): string[] {
  const connection = ['--connection-file', '{connection_file}'];
  return process.platform === 'win32' || !existsSync(SHELL)
    ? [node, kernelEntry(), ...connection]
    : [SHELL, kernelLauncher(), node, ...connection];
}

export function kernelSpec(options: KernelSpecOptions = {}): KernelSpec {
  const spec: KernelSpec = {
    argv: kernelArgv(options.node),
    display_name: 'weightlab (TypeScript)',
    language: 'typescript',
    // Both work: SIGINT, and interrupt_request on the control channel (answered even while a cell runs).
    interrupt_mode: 'signal',
    metadata: { debugger: false, weightlab: { version: (require('../package.json') as { version: string }).version } },
  };
  if (options.env && Object.keys(options.env).length > 0) spec.env = options.env;
  return spec;
}

/** Writes `<dataDir>/kernels/weightlab/kernel.json` atomically; returns that folder. */
export function installKernelSpec(dataDir: string, options: KernelSpecOptions = {}): string {
  const directory = path.join(dataDir, 'kernels', KERNEL_NAME);
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'kernel.json');
  writeFileAtomic(file, `${JSON.stringify(kernelSpec(options), null, 2)}\n`);
  return directory;
}

/** Removes the kernelspec folder; returns it, or undefined when there was none. */
export function uninstallKernelSpec(dataDir: string): string | undefined {
  const directory = path.join(dataDir, 'kernels', KERNEL_NAME);
  if (!existsSync(directory)) return undefined;
  rmSync(directory, { recursive: true, force: true });
  return directory;
}
