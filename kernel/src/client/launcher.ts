// Launches our kernel as a child Node process with a fresh connection file and a connected
// client, and always tears it down again (shutdown_request, then signals).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kernelArgv } from '../kernelspec';
import { newConnectionInfo, type ConnectionInfo } from '../wire/connection';
import { KernelClient, type ExecuteOptions, type ExecuteOutcome } from './client';
import type { Message } from '../wire/message';

export interface LaunchOptions {
  /** Working directory of the kernel (where cells resolve relative paths). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** argv of the kernel; `{connection_file}` is replaced. Default: the kernelspec's, on this Node. */
  argv?: string[];
  /** How long to wait for the first kernel_info_reply. */
  startupTimeoutMs?: number;
  /** Where the kernel's stderr goes: this process's stderr, or kept (the tail shows in errors). */
  stderr?: 'inherit' | 'keep';
}

export class KernelStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelStartError';
  }
}

/** The kernel process ended while a request waited for its answer. */
export class KernelDiedError extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly reason: string | undefined,
    stderr: string,
  ) {
    super(
      `the kernel died (${signal ? `killed by ${signal}` : `exit code ${code}`})${reason ? `; ${reason}` : ''}${stderr ? `:\n${stderr.trim()}` : ''}`,
    );
    this.name = 'KernelDiedError';
  }
}

/** How long `exited` waits, after the process ended, for the rest of its stderr (V8's last words). */
const STDERR_DRAIN_MS = 500;

export class RunningKernel {
  private stderrTail = '';
  /** The exit code, or null when a signal ended the process; resolves once its stderr was read to the end. */
  readonly exited: Promise<number | null>;
  private finished = false;
  /** The signal that ended the process (SIGABRT when V8 ran out of memory), once it ended. */
  exitSignal: NodeJS.Signals | null = null;

  /** The first kernel_info_reply (set once the kernel answered). */
  kernelInfo: Message | undefined;

  constructor(
    readonly process: ChildProcess,
    readonly client: KernelClient,
    readonly info: ConnectionInfo,
    readonly connectionFile: string,
    private readonly directory: string,
  ) {
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        this.finished = true;
        this.exitSignal = signal;
        const value = code ?? (signal ? null : 0);
        const stderr = process.stderr;
        if (!stderr || stderr.destroyed || stderr.readableEnded) {
          resolve(value);
          return;
        }
        const timer = setTimeout(() => resolve(value), STDERR_DRAIN_MS);
        stderr.once('close', () => {
          clearTimeout(timer);
          resolve(value);
        });
      }),
    );
    process.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /**
   * Why the process ended, when its stderr says: V8's fatal out-of-memory report (the process then
   * aborts, SIGABRT, with no chance to tell its client). Undefined when nothing is known.
   */
  get exitCause(): string | undefined {
    if (/JavaScript heap out of memory|Reached heap limit/.test(this.stderrTail)) {
      return 'it ran out of memory (V8 reached its heap limit; NODE_OPTIONS=--max-old-space-size=MiB sets that limit)';
    }
    return undefined;
  }

  /**
   * Runs `code` like client.execute, but rejects with KernelDiedError (exit code or signal, the
   * cause when known, the stderr tail) as soon as the process ends instead of waiting for a reply
   * that cannot come.
   */
  async execute(code: string, options: ExecuteOptions & { timeoutMs?: number } = {}): Promise<ExecuteOutcome> {
    const died = this.exited.then((exitCode): never => {
      throw new KernelDiedError(exitCode, this.exitSignal, this.exitCause, this.stderr);
    });
    died.catch(() => undefined);
    return Promise.race([this.client.execute(code, options), died]);
  }

  get alive(): boolean {
    return !this.finished;
  }

  /** Sends SIGINT to the kernel process (what Jupyter does for interrupt_mode 'signal'). */
  signalInterrupt(): void {
    if (this.alive) this.process.kill('SIGINT');
  }

  /** shutdown_request on control; SIGTERM then SIGKILL when the kernel does not go. Always cleans up. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    try {
      if (this.alive) {
        await this.client.request('control', 'shutdown_request', { restart: false }, timeoutMs).catch(() => undefined);
        await this.waitForExit(timeoutMs);
        if (this.alive) {
          this.process.kill('SIGTERM');
          await this.waitForExit(1000);
        }
        if (this.alive) {
          this.process.kill('SIGKILL');
          await this.waitForExit(1000);
        }
      }
    } finally {
      this.client.close();
      rmSync(this.directory, { recursive: true, force: true });
    }
  }

  /** Kills at once (used when the parent is being interrupted itself). */
  killNow(): void {
    if (this.alive) this.process.kill('SIGKILL');
    this.client.close();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private waitForExit(timeoutMs: number): Promise<void> {
    if (!this.alive) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The kernelspec's argv: this Node, from the startup snapshot when the build made one for it. */
export function defaultKernelArgv(): string[] {
  return kernelArgv(process.execPath);
}

export async function launchKernel(options: LaunchOptions = {}): Promise<RunningKernel> {
  const directory = mkdtempSync(path.join(tmpdir(), 'weightlab-kernel-'));
  const info = await newConnectionInfo();
  const connectionFile = path.join(directory, 'connection.json');
  writeFileSync(connectionFile, JSON.stringify(info), { mode: 0o600 });
  const argv = (options.argv ?? defaultKernelArgv()).map((part) => part.replace('{connection_file}', connectionFile));
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env, JPY_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'ignore', options.stderr === 'inherit' ? 'inherit' : 'pipe'],
  });
  const client = new KernelClient(info);
  const kernel = new RunningKernel(child, client, info, connectionFile, directory);
  client.connect();
  const timeoutMs = options.startupTimeoutMs ?? 60000;
  try {
    const failed = kernel.exited.then((code) => {
      throw new KernelStartError(
        `the kernel exited (code ${code}) before it answered kernel_info${kernel.stderr ? `:\n${kernel.stderr}` : ''}`,
      );
    });
    kernel.kernelInfo = await Promise.race([client.waitForReady(timeoutMs), failed]);
    return kernel;
  } catch (error) {
    kernel.killNow();
    throw error;
  }
}
