// The second thread of the parallel eigensolver (./eigen-parallel.ts): it instantiates the
// shared-memory eigen kernel on the memory the main thread sends, then waits for row passes.
// Each job: zero its private partial vector, run `fusedRows` over its half of the rows, report.

import { parentPort, workerData } from 'node:worker_threads';
import { webAssembly, type CompiledModule, type SharedMemory } from './wasm-api';

interface FusedExports { fusedRows(a: number, n: number, begin: number, end: number, v: number, w: number, u: number, p: number): void }

const { compiled, memory, control } = workerData as { compiled: CompiledModule; memory: SharedMemory; control: number };
const instance = new webAssembly.Instance(compiled, { env: { memory } });
const kernel = instance.exports as unknown as FusedExports;
const words = new Int32Array(memory.buffer, control, 16);
const SPINS = 1 << 11; // then sleep: see eigen-parallel.ts

parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(words, 0) === seen) {
    if (++spins > SPINS) Atomics.wait(words, 0, seen);
  }
  seen = Atomics.load(words, 0);
  if (words[2] === 2) break;
  const [n, begin, end, a, v, w, u, p] = [words[3], words[4], words[5], words[6] >>> 0, words[7] >>> 0, words[8] >>> 0, words[9] >>> 0, words[10] >>> 0];
  new Float64Array(memory.buffer, p, n).fill(0);
  kernel.fusedRows(a, n, begin, end, v, w, u, p);
  Atomics.store(words, 1, seen);
  Atomics.notify(words, 1);
}
