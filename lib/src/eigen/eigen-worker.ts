// The second thread of the parallel eigensolver (./eigen-parallel.ts): it instantiates the
// shared-memory eigen kernel on the memory the main thread sends, then waits for jobs (./eigen-jobs):
// a fused row pass of the one-stage reduction (into its private partial vector, zeroed first), or
// its part of a two-stage panel's product Y = A V, its claims of the rank-2b update, the second
// half of every sweep of the bulge chasing, or a whole one-thread solve (reduction and QL) beside
// one on the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { webAssembly, type CompiledModule, type SharedMemory } from './wasm-api';
import { FAILED_JOB_WORD, JOB, SOLVE_STATUS_WORD } from './eigen-jobs';
import { twoStageTridiagonal } from './two-stage';
import type { EigenExports } from './eigen-wasm';

interface WorkerExports extends EigenExports {
  fusedRows(a: number, n: number, begin: number, end: number, v: number, w: number, u: number, p: number): void;
}

const { compiled, memory, control } = workerData as { compiled: CompiledModule; memory: SharedMemory; control: number };
const instance = new webAssembly.Instance(compiled, { env: { memory } });
const kernel = instance.exports as unknown as WorkerExports;
const words = new Int32Array(memory.buffer, control, 16);
const SPINS = 1 << 16; // then sleep: see eigen-parallel.ts, SPINS

parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(words, 0) === seen) {
    if (++spins > SPINS) Atomics.wait(words, 0, seen);
  }
  seen = Atomics.load(words, 0);
  const job = words[2];
  if (job === JOB.exit) break;
  // Byte offsets are stored as int32: read them back unsigned (memory may exceed 2 GiB).
  const u32 = (i: number) => words[3 + i] >>> 0;
  try {
    if (job === JOB.fusedRows) {
      const [n, begin, end, a, v, w, u, p] = [words[3], words[4], words[5], u32(3), u32(4), u32(5), u32(6), u32(7)];
      new Float64Array(memory.buffer, p, n).fill(0);
      kernel.fusedRows(a, n, begin, end, v, w, u, p);
    } else if (job === JOB.bandProduct) {
      kernel.bandPanelProduct(u32(0), words[4], words[5], u32(3), words[7], words[8], words[9], words[10]);
    } else if (job === JOB.bandUpdate) {
      kernel.bandPanelUpdateClaimed(u32(0), words[4], words[5], u32(3), words[7], words[8], words[9]);
    } else if (job === JOB.bandSweeps) {
      kernel.bandSweepsShared(u32(0), words[4], words[5], u32(3), u32(4), words[8], words[9], words[10]);
    } else if (job === JOB.solve) {
      const [a, n, b, d, e, work, twoStage] = [u32(0), words[4], words[5], u32(3), u32(4), u32(5), words[9]];
      if (twoStage === 1) twoStageTridiagonal(kernel, a, n, b, d, e, work);
      else kernel.tridiagonalize(a, n, d, e, work);
      words[SOLVE_STATUS_WORD] = kernel.tridiagonalEigenvaluesRootFree(d, e, n);
    }
  } catch (error) {
    // A trap or a bad argument: say so in the control block, so main's join throws instead of
    // waiting forever, and release main if it is waiting on this job's sweeps inside the kernel.
    words[FAILED_JOB_WORD] = job;
    if (job === JOB.bandSweeps) kernel.bandSweepsAbandon(u32(4), words[4], words[5]);
    parentPort!.postMessage({ failed: job, message: (error as Error).message });
  }
  Atomics.store(words, 1, seen);
  Atomics.notify(words, 1);
}
