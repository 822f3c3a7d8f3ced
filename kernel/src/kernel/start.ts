// Starts a weightlab kernel in this process: the I/O worker first (so kernel_info is answered
// within a fraction of a second), then the TypeScript program and the prelude on the main thread.

import path from 'node:path';
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { loadTypeScript, typescriptVersion, weightlabDirectory } from '../executor/typescript';
import { Executor } from '../executor/executor';
import { namesInDiagnostics, preludeNamespaces, preludeSource, readPreludeManifest } from '../executor/prelude';
import { kernelInfo } from './kernel-info';
import { KernelSession } from './session';
import { replaceWarningPrinter } from './warnings';
import { INPUT_PRELUDE, replaceProcessStdin } from './stdin';
import type { ToMain, WorkerConfig } from './bridge';
import { COMM_TARGETS } from './comms';

export interface KernelOptions {
  connectionFile: string;
  /** The folder cells resolve imports from (default: the current directory). */
  directory?: string;
}

function log(text: string): void {
  try {
    writeSync(2, `[weightlab kernel] ${text}\n`);
  } catch {
    /* stderr closed */
  }
}

/**
 * WEIGHTLAB_KERNEL_TRACE=1: one stderr line per start-up step with the milliseconds since the
 * process started (performance.now() counts from there), to see where the first cell's time goes.
 */
const TRACE = Boolean(process.env.WEIGHTLAB_KERNEL_TRACE);

export function trace(step: string): void {
  if (TRACE) log(`trace ${performance.now().toFixed(0)} ms: ${step}`);
}

function kernelVersion(): string {
  return (require('../../package.json') as { version: string }).version;
}

/**
 * Imports weightlab's public surface and defines the kernel's own names (input, password) in one
 * cell: each cell is a program update and a check, so one cell instead of two shortens start-up.
 * A stale name list must not cost the user the whole prelude: names the checker does not find are
 * dropped and the cell retried; as a last resort the bare namespace import and the kernel's names
 * run as separate cells, so a failure in one does not take the other with it.
 */
async function runPrelude(executor: Executor): Promise<void> {
  let names = readPreludeManifest().names;
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await executor.execute(preludeSource(names) + INPUT_PRELUDE, {
      label: '<prelude>',
      interruptible: false,
    });
    if (result.status === 'ok') return;
    log(`prelude failed (${result.ename}): ${result.evalue}`);
    if (result.ename !== 'TypeScriptError') break;
    const unknown = namesInDiagnostics(result.evalue);
    const kept = names.filter((entry) => !unknown.has(entry.name));
    if (kept.length === names.length) break;
    names = kept;
  }
  await executor.execute(preludeSource([]), { label: '<prelude>', interruptible: false });
  const result = await executor.execute(INPUT_PRELUDE, { label: '<prelude>', interruptible: false });
  if (result.status !== 'ok') log(`kernel prelude failed (${result.ename}): ${result.evalue}`);
}

/**
 * WEIGHTLAB_TYPECHECK: 'deferred' (the default) runs the first cell at once, transpiled, and builds
 * the type-checker after it ran (or after WEIGHTLAB_TYPECHECK_IDLE_MS without one, default 1000);
 * that cell is checked then and its type errors reported with the next reply. 'blocking' builds
 * the checker before the first cell, which a type error then stops (what `weightlab run` asks for;
 * the kernelspec's launcher then starts from the snapshot, see bin/start-kernel.sh).
 */
export type TypecheckMode = 'deferred' | 'blocking';

export function typecheckMode(value = process.env.WEIGHTLAB_TYPECHECK): TypecheckMode {
  if (value === undefined || value === '' || value === 'deferred') return 'deferred';
  if (value === 'blocking') return 'blocking';
  log(`WEIGHTLAB_TYPECHECK=${value} is neither 'deferred' nor 'blocking'; using 'deferred'`);
  return 'deferred';
}

/** How long a kernel with no cell waits before building its checker (deferred mode). */
function idleMilliseconds(value = process.env.WEIGHTLAB_TYPECHECK_IDLE_MS): number {
  const parsed = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= 0 ? parsed : 1000;
}

/** Called once each request was answered (deferred mode: the time to build the checker). */
let afterRequest: () => void = () => undefined;

/** Requests forwarded to the main thread and not answered yet (rehearsal waits while there are any). */
let requestsInFlight = 0;
/** performance.now() when the last request was answered. */
let lastAnswered = 0;

/**
 * Typical cells (an expression, declarations, a library call, a type error) the kernel checks
 * while idle once its checker exists, ROUNDS times each, without running them: a cold
 * TypeScript checker takes about twice as long per cell as one V8 has optimised, and a user
 * takes seconds to type the next cell. One rehearsal at a time, each in its own turn of the event
 * loop and only while the kernel is idle, so a cell that arrives waits for one at most.
 */
const REHEARSED_CELLS = [
  '1 + 1',
  'const rehearsed = [1, 2, 3].map((value) => value * 2);',
  "zoo.parseShard('0/2')",
  'function rehearsal(count: number): string { return `${count}`; }\nrehearsal(2)',
  "const mistyped: number = 'one';",
];
const REHEARSAL_ROUNDS = 12;

/**
 * How long the kernel must sit idle before a rehearsal step: cells sent back to back (Run All)
 * come a fraction of a millisecond apart, and each would otherwise wait for a rehearsal step.
 */
const REHEARSAL_IDLE_MS = 250;

function rehearse(executor: Executor): void {
  let step = 0;
  const next = () => {
    const idleFor = performance.now() - lastAnswered;
    if (requestsInFlight > 0 || idleFor < REHEARSAL_IDLE_MS) {
      setTimeout(next, REHEARSAL_IDLE_MS - Math.max(0, idleFor)).unref();
      return;
    }
    if (step === REHEARSED_CELLS.length * REHEARSAL_ROUNDS) {
      trace('rehearsal done');
      return;
    }
    try {
      executor.rehearse(REHEARSED_CELLS[step % REHEARSED_CELLS.length]);
    } catch (error) {
      log(`rehearsal stopped: ${(error as Error).message}`);
      return;
    }
    step++;
    setImmediate(next);
  };
  setImmediate(next);
}

function createExecutor(directory: string): Promise<Executor> {
  const started = performance.now();
  trace('loading TypeScript');
  const typescript = loadTypeScript();
  const libraryPath = weightlabDirectory();
  const deferred = typecheckMode() === 'deferred';
  let executor: Executor;
  const createConverter = () => {
    trace('creating the converter');
    const converter = typescript.createConverter();
    trace('converter created');
    // Deferred: the checker was built for a cell (ensureChecker warmed it with a check of `0`);
    // the code cache is saved once that cell is done, not while it waits.
    if (deferred) setTimeout(checkerReady, 0);
    return converter;
  };
  const checkerReady = () => {
    if (process.env.WEIGHTLAB_KERNEL_DEBUG) log(`TypeScript ready in ${(performance.now() - started).toFixed(0)} ms`);
    rehearse(executor);
    // Now the functions a cell needs are compiled too; costs ~100 ms, only when there was no cache.
    typescript.saveCodeCache();
    // At most once a day (one stat otherwise): entries of other Node or TypeScript versions and of gone checkouts.
    const pruned = typescript.pruneCodeCache();
    if (pruned) trace(`code cache pruned: ${pruned.removed.length} removed, ${pruned.keptEntries} kept`);
  };
  // One throw-away cell warms the checker's caches so the user's first cell is as quick as the rest.
  const warmUp = (executor: Executor) =>
    executor.execute('0', { keep: false, label: '<warm-up>', interruptible: false }).then(() => {
      trace('warm-up cell done');
      checkerReady();
      return executor;
    });
  if (!deferred) {
    executor = new Executor(typescript, createConverter(), directory, libraryPath);
    return runPrelude(executor)
      .then(() => trace('prelude done'))
      .then(() => warmUp(executor));
  }
  // Deferred: the checker is built once the first cell was answered (so a cell that arrives right
  // after kernel_info does not wait for it, nor does its reply) or the kernel sat idle.
  let wanted = false;
  afterRequest = () => {
    if (wanted) buildChecker(executor);
  };
  let scheduled = false;
  const buildChecker = (executor: Executor) => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      if (executor.checked) return;
      trace('building the type-checker');
      executor.ensureChecker();
      trace('type-checker ready, earlier cells checked');
    }, 0);
  };
  executor = new Executor(typescript, createConverter, directory, libraryPath, () => {
    // The prelude is an unchecked cell too; only a user's cell (or idleness) starts the checker.
    if (preludeDone) wanted = true;
  });
  let preludeDone = false;
  return runPrelude(executor).then(() => {
    preludeDone = true;
    trace('prelude done (unchecked)');
    setTimeout(() => buildChecker(executor), idleMilliseconds()).unref();
    return executor;
  });
}

/** What a cell that calls process.exit() gets instead of ending the kernel with its variables and outputs. */
export class ProcessExitError extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(
      `process.exit(${code ?? ''}) was called in a cell; it would end the kernel and lose every variable, so the kernel ` +
        'keeps running. To start afresh, restart the kernel (Kernel > Restart); to stop a computation, throw an error.',
    );
    this.name = 'ProcessExitError';
  }
}

/**
 * Cells run in this process, so process.exit() from a cell (or a library it calls) would end the kernel
 * abruptly: native add-ons (zeromq) abort on the way down and the client gets no reply. The kernel keeps
 * the real exit for itself and gives cells one that throws.
 */
function guardProcessExit(): (code?: number) => never {
  const exitProcess = process.exit.bind(process) as (code?: number) => never;
  process.exit = ((code?: number | string | null) => {
    throw new ProcessExitError(code);
  }) as typeof process.exit;
  return exitProcess;
}

export function startKernel(options: KernelOptions): void {
  trace('kernel module loaded');
  const exitProcess: (code?: number) => never = guardProcessExit();
  const directory = path.resolve(options.directory ?? process.cwd());
  const parentPid = Number(process.env.JPY_PARENT_PID);
  const config: WorkerConfig = {
    connectionFile: path.resolve(options.connectionFile),
    kernelInfo: kernelInfo(typescriptVersion(), kernelVersion(), preludeNamespaces(readPreludeManifest().names)),
    commTargets: COMM_TARGETS,
    parentPid: Number.isInteger(parentPid) && parentPid > 1 ? parentPid : undefined,
  };
  // stdout/stderr: true keeps the worker's output out of the captured process.stdout of cells.
  const worker = new Worker(path.join(__dirname, 'io-worker.js'), { workerData: config, stdout: true, stderr: true });
  worker.stdout.on('data', (chunk: Buffer) => writeSync(2, chunk));
  worker.stderr.on('data', (chunk: Buffer) => writeSync(2, chunk));
  let exiting = false;
  worker.on('error', (error) => {
    log(`I/O thread failed: ${error.stack}`);
    exitProcess(1);
  });
  worker.on('exit', (code) => {
    if (!exiting) {
      log(`I/O thread exited (${code})`);
      exitProcess(1);
    }
  });

  // Let the worker start binding before the main thread blocks on TypeScript for a second or more.
  const executor = new Promise<Executor>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(createExecutor(directory));
      } catch (error) {
        reject(error);
      }
    });
  });
  executor.catch((error: Error) => log(`cannot start TypeScript: ${error.stack}`));
  const session = new KernelSession(worker, executor);
  session.capture.install();
  replaceProcessStdin();
  // Warnings become a short output of their cell instead of Node's stderr text with a --trace-warnings hint.
  replaceWarningPrinter((warning) => session.onWarning(warning));

  let queue = Promise.resolve();
  worker.on('message', (message: ToMain) => {
    if (message.kind === 'interrupt') {
      session.interrupt(message.requestId);
      return;
    }
    if (message.kind === 'input_reply') {
      session.onInputReply(message.requestId, message.value);
      return;
    }
    if (message.kind === 'input_failed') {
      session.onInputFailed(message.requestId, message.reason);
      return;
    }
    if (message.kind === 'comm') {
      session.onComm(message);
      return;
    }
    if (message.kind === 'exit') {
      exiting = true;
      if (message.code !== 0 || process.env.WEIGHTLAB_KERNEL_DEBUG) log(`exiting: ${message.reason}`);
      exitProcess(message.code);
    }
    requestsInFlight++;
    queue = queue
      .then(() => session.handle(message))
      .finally(() => {
        requestsInFlight--;
        lastAnswered = performance.now();
      })
      .then(() => afterRequest())
      .catch((error: Error) => log(`request failed: ${error.stack}`));
  });
  process.on('SIGINT', () => session.onSignal());
  process.on('unhandledRejection', (reason) => session.reportUncaught('Unhandled promise rejection', reason));
  process.on('uncaughtException', (error) => session.reportUncaught('Uncaught exception', error));
}
