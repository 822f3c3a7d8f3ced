// Two-thread Householder tridiagonalisation: the main thread and one worker share the matrix in
// a shared wasm memory. Each of the n steps is: main builds the next reflector (O(n), stepHead),
// both threads run the fused update+product pass over their half of the remaining rows (the
// O(n²) part; halves balanced by work, since rows shrink), main adds the worker's partial vector
// (stepTail). Threads meet twice per step through Atomics on a control block, spinning briefly
// before sleeping, because a step lasts microseconds to milliseconds. QL runs on main afterwards.

import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NumericalError } from '../errors';
import { eigenKernelAvailable } from './eigen-wasm';
import { sharedEigenModule } from './shared-module';
import { webAssembly, type SharedMemory } from './wasm-api';

interface SharedExports {
  begin(a: number, n: number, d: number, e: number, work: number): void;
  vectorAt(k: number, slot: number): number;
  stepHead(k: number): void;
  stepTail(k: number, extra: number): void;
  fusedRows(a: number, n: number, begin: number, end: number, v: number, w: number, u: number, p: number): void;
  tridiagonalEigenvalues(d: number, e: number, n: number): number;
}

const PAGE = 65536;
const CONTROL = 0; // byte offset of the 64-byte control block (the kernel uses no static memory)
const ARENA = 64;
// Spins before sleeping: long enough to catch a partner finishing within ~10 µs, short enough not
// to steal the core from it when the machine is oversubscribed.
const SPINS = 1 << 11;

interface Pool {
  memory: SharedMemory;
  kernel: SharedExports;
  worker: Worker;
  words: Int32Array;
  sequence: number;
}

let pool: Promise<Pool> | undefined;
let unavailable: string | undefined;

/** Whether the two-thread solver can run (wasm kernel built, SharedArrayBuffer and workers present, two or more CPUs). */
export function parallelAvailable(): boolean {
  if (unavailable !== undefined) return false;
  if (!eigenKernelAvailable() || typeof SharedArrayBuffer === 'undefined') return false;
  return os.availableParallelism() >= 2;
}

/**
 * Whether a second thread is likely to help now: the threads meet twice per step, so a core taken
 * by another process turns every meeting into a scheduler round trip (measured: 5x slower than one
 * thread at load 10 on 2 cores). 'auto' uses two threads only when the 1-minute load leaves a core free.
 */
export function parallelWorthwhile(): boolean {
  return parallelAvailable() && os.loadavg()[0] <= os.availableParallelism() - 1;
}

function startPool(): Promise<Pool> {
  pool ??= new Promise<Pool>((resolve, reject) => {
    try {
      const module = sharedEigenModule();
      const memory = new webAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const instance = new webAssembly.Instance(module, { env: { memory } });
      const worker = new Worker(path.join(__dirname, 'eigen-worker.js'), { workerData: { compiled: module, memory, control: CONTROL } });
      worker.unref();
      const words = new Int32Array(memory.buffer, CONTROL, 16);
      worker.once('message', () => resolve({ memory, kernel: instance.exports as unknown as SharedExports, worker, words, sequence: 0 }));
      worker.once('error', (error) => { unavailable = error.message; pool = undefined; reject(error); });
    } catch (error) {
      unavailable = (error as Error).message;
      pool = undefined;
      reject(error);
    }
  });
  return pool;
}

/** Row where the worker's share starts: rows [begin, split) and [split, n) carry equal work (row i costs n - i). */
function splitRow(begin: number, n: number): number {
  const total = n - begin;
  const tail = Math.floor(total / Math.SQRT2);
  return Math.min(n, Math.max(begin, n - tail));
}

/** Eigenvalues (ascending) of the symmetric n x n matrix `a` (row-major, upper triangle read) on two threads. */
export async function parallelEigenvalues(a: Float64Array, n: number): Promise<Float64Array> {
  const { memory, kernel, words } = await startPool();
  const p = await startPool();
  const bytes = ARENA + 8 * (n * n + 7 * n);
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
  const matrix = ARENA;
  const d = matrix + 8 * n * n, e = d + 8 * n, extra = e + 8 * n, work = extra + 8 * n;
  new Float64Array(memory.buffer, matrix, n * n).set(a.subarray(0, n * n));
  kernel.begin(matrix, n, d, e, work);
  for (let k = 0; k < n - 1; k++) {
    kernel.stepHead(k);
    const begin = k + 2;
    const split = n - begin > 64 ? splitRow(begin, n) : n;
    const v = kernel.vectorAt(k, 0), w = kernel.vectorAt(k, 1), u = kernel.vectorAt(k, 2), pv = kernel.vectorAt(k, 3);
    if (split < n) {
      words[2] = 1; words[3] = n; words[4] = split; words[5] = n;
      words[6] = matrix; words[7] = v; words[8] = w; words[9] = u; words[10] = extra;
      const sequence = ++p.sequence;
      Atomics.store(words, 0, sequence);
      Atomics.notify(words, 0);
      kernel.fusedRows(matrix, n, begin, split, v, w, u, pv);
      let spins = 0;
      while (Atomics.load(words, 1) !== sequence) {
        if (++spins > SPINS) Atomics.wait(words, 1, Atomics.load(words, 1), 1);
      }
      kernel.stepTail(k, extra);
    } else {
      kernel.fusedRows(matrix, n, begin, n, v, w, u, pv);
      kernel.stepTail(k, 0);
    }
  }
  const status = kernel.tridiagonalEigenvalues(d, e, n);
  if (status !== 0) throw new NumericalError('implicit QL did not converge', { field: `eigenvalue ${status - 1}`, expected: 'at most 60 iterations' });
  return new Float64Array(memory.buffer, d, n).slice().sort();
}
