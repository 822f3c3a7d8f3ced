// The Jupyter kernelspec for the weightlab kernel: kernel.json with absolute paths to this Node
// and this kernel's entry, so Jupyter starts it without relying on PATH or on a python shim.

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

export function kernelSpec(options: KernelSpecOptions = {}): KernelSpec {
  const spec: KernelSpec = {
    argv: [options.node ?? process.execPath, kernelEntry(), '--connection-file', '{connection_file}'],
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
