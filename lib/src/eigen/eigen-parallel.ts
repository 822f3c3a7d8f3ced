// Two-thread eigensolver: the main thread and one worker share the matrix in a shared wasm memory
// and split the O(n²)-per-step parts of the reduction between them; the rest (reflectors, bulge
// chasing, QL) runs on main. Threads meet through Atomics on a control block, spinning briefly
// before sleeping; the bulge chasing's two halves also wait on each other through per-sweep
// progress counters inside the kernel.
//
// Two reductions (./reduction picks one by size):
// - one-stage: each of the n steps is: main builds the next reflector (stepHead), both threads run
//   the fused update + product pass over their half of the remaining rows, main adds the worker's
//   partial vector (stepTail). Two meetings per column, so it suffers when the other core is busy.
// - two-stage: per panel of b columns, both threads compute half of Y = A V, main forms W, both
//   threads claim block rows of the rank-2b update while main also factors the next panel. Two meetings per
//   panel (n/b of them), so waiting for a descheduled partner costs little. Then the two threads
//   chase bulges together, the first half of every sweep on main and the rest on the worker
//   (./two-stage.ts).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WeightlabError } from '../errors';
import {
  checkQlStatus,
  eigenKernelAvailable,
  reductionWorkSize,
  symmetricEigenvaluesWasm,
  tridiagonalSpectrum,
  writeSymmetric,
  type EigenExports,
  type SymmetricMatrix,
} from './eigen-wasm';
import { bandwidthFor, checkedBandwidth, resolveReduction, type Reduction } from './reduction';
import { splitRow, twoStageTridiagonal, type Helper } from './two-stage';
import { sharedEigenModule } from './shared-module';
import { webAssembly, type SharedMemory } from './wasm-api';
import { FAILED_JOB_WORD, JOB, SOLVE_STATUS_WORD, type JobKind } from './eigen-jobs';

interface SharedExports extends EigenExports {
  begin(a: number, n: number, d: number, e: number, work: number): void;
  vectorAt(k: number, slot: number): number;
  stepHead(k: number): void;
  stepTail(k: number, extra: number): void;
  fusedRows(a: number, n: number, begin: number, end: number, v: number, w: number, u: number, p: number): void;
}

const PAGE = 65536;
const CONTROL = 0; // byte offset of the 64-byte control block (the kernel uses no static memory)
const ARENA = 64;
// Spins before sleeping: long enough (~0.1-0.3 ms) to cover the serial steps between two jobs
// (a panel's correction, a column's reflector), so neither thread pays a futex wake-up per
// meeting; short enough not to hold a core long once the solve is over. Two threads are only
// used when a core is spare (parallelWorthwhile). Measured at n = 512: with 2^11 spins the helper
// slept between panels and two threads took 15-29 ms; with 2^16, 11.7-12.8 ms (one thread 16-17).
const SPINS = 1 << 16;
/** Rows below which the one-stage pass is not split between threads (a meeting costs more than the work). */
const SPLIT_MIN_ROWS = 64;

interface Pool {
  memory: SharedMemory;
  kernel: SharedExports;
  worker: Worker;
  words: Int32Array;
  sequence: number;
}

let pool: Promise<Pool> | undefined;
let unavailable: string | undefined;

/** Why the two-thread solver cannot run here (no wasm kernel, no SharedArrayBuffer, one CPU, a retired pool), or undefined when it can. */
export function parallelUnavailable(): string | undefined {
  if (unavailable !== undefined) return unavailable;
  if (!eigenKernelAvailable()) return 'the wasm eigen kernel is not usable';
  if (typeof SharedArrayBuffer === 'undefined') return 'this runtime has no SharedArrayBuffer';
  if (os.availableParallelism() < 2) return 'this machine has one CPU';
  return undefined;
}

/** Whether the two-thread solver can run (wasm kernel built, SharedArrayBuffer and workers present, two or more CPUs). */
export function parallelAvailable(): boolean {
  return parallelUnavailable() === undefined;
}

/**
 * Whether a second thread is likely to help now: the threads meet at every step (a column for the
 * one-stage reduction, a panel for the two-stage one), and a core taken by another process turns
 * every meeting into a scheduler round trip (measured: one-stage, 5x slower than one thread at
 * load 10 on 2 cores; two-stage at load 3-5, 152 ms of CPU against 128 ms on one thread at n = 1024).
 * The signal is how many cores other processes kept busy over the last fraction of a second (the
 * machine's busy CPU time minus this process's own, threads included): from the newest CPU sample
 * at least SAMPLE_MIN_MS old, where samples come from every call and from a timer every
 * SAMPLE_EVERY_MS once the solver is in use. If at least half a core is left beside this thread, a
 * second thread helps (measured right after another job ended, load average still 1.8: n = 2048
 * took 600 ms on two threads against 938 ms on one). When the newest sample is older than
 * SAMPLE_FRESH_MS (a long synchronous stretch starved the timer, e.g. a spawnSync), the threads
 * runnable right now decide (Linux), else that older window up to SAMPLE_MAX_MS; without any
 * sample, the 1-minute load average: it lags and counts this thread, so "a core free" reads as a
 * load below cores - 0.5. (Measuring since the previous call alone, as before,
 * counted a job that had ended seconds ago: right after numpy's eigvalsh in bench/htsr.js, n = 512
 * ran on one thread in 15.6 ms instead of 12.3 on two.)
 */
export function parallelWorthwhile(): boolean {
  if (!parallelAvailable()) return false;
  sampler ??= setInterval(() => remember(cpuSample(Date.now())), SAMPLE_EVERY_MS).unref();
  const now = Date.now();
  if (decided && now - decided.time < SAMPLE_MIN_MS) return decided.decision;
  const sample = cpuSample(now);
  const previous = [...samples]
    .reverse()
    .find((s) => now - s.time >= SAMPLE_MIN_MS && now - s.time <= SAMPLE_MAX_MS && sample.total > s.total);
  const runnable = previous && now - previous.time > SAMPLE_FRESH_MS ? runnableNow() : undefined;
  let decision: boolean;
  if (runnable !== undefined) {
    // Only stale samples: the process was blocked (a synchronous child process, a long solve) and
    // the window would count work that may have ended. Runnable threads right now, this one aside.
    decision = sample.cpus - 1 - Math.max(0, runnable - 1) >= 0.5;
  } else if (previous) {
    const elapsed = (sample.total - previous.total) / sample.cpus; // ms of wall time per core
    const busy = sample.total - previous.total - (sample.idle - previous.idle);
    const others = Math.max(0, busy - (sample.own - previous.own)) / elapsed;
    decision = sample.cpus - 1 - others >= 0.5;
  } else {
    decision = os.loadavg()[0] < os.availableParallelism() - 0.5;
  }
  remember(sample);
  decided = { time: now, decision };
  return decision;
}

/** Below this age a CPU sample is too coarse (os.cpus() counts in clock ticks): the last decision stands. */
const SAMPLE_MIN_MS = 200;
/** Above this age a CPU sample says little about now: the load average decides instead. */
const SAMPLE_MAX_MS = 10_000;
/**
 * Above this age the newest sample is stale: the sampler's timer (SAMPLE_EVERY_MS) was starved, so
 * this process was blocked, and the instantaneous runnable count decides where Linux gives it.
 */
const SAMPLE_FRESH_MS = 500;
/** Period of the background sampler (os.cpus() reads /proc/stat: tens of microseconds). */
const SAMPLE_EVERY_MS = 250;
/** Samples kept, newest last: enough to span SAMPLE_MAX_MS at the sampler's period and then some. */
const SAMPLES_KEPT = 48;

interface CpuSample {
  time: number;
  idle: number;
  total: number;
  own: number;
  cpus: number;
}
const samples: CpuSample[] = [];
let sampler: ReturnType<typeof setInterval> | undefined;
/** The last decision and when it was taken. */
let decided: { time: number; decision: boolean } | undefined;

/**
 * Threads runnable on the machine right now (Linux /proc/loadavg, 4th field "running/total",
 * this thread included), the least of three readings so a kernel thread's blip does not count;
 * undefined where the file is missing.
 */
function runnableNow(): number | undefined {
  try {
    let least = Infinity;
    for (let reading = 0; reading < 3; reading++) {
      least = Math.min(least, Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[0]));
    }
    return Number.isFinite(least) ? least : undefined;
  } catch {
    return undefined;
  }
}

function remember(sample: CpuSample): void {
  samples.push(sample);
  if (samples.length > SAMPLES_KEPT) samples.shift();
}

/** Machine-wide idle and total CPU time and this process's own CPU time, all in core-milliseconds. */
function cpuSample(time: number): CpuSample {
  const cpus = os.cpus();
  let idle = 0,
    total = 0;
  for (const cpu of cpus) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  const usage = process.cpuUsage();
  return { time, idle, total, own: (usage.user + usage.system) / 1000, cpus: cpus.length };
}

function startPool(): Promise<Pool> {
  pool ??= new Promise<Pool>((resolve, reject) => {
    try {
      const module = sharedEigenModule();
      const memory = new webAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const instance = new webAssembly.Instance(module, { env: { memory } });
      const worker = new Worker(path.join(__dirname, 'eigen-worker.js'), {
        workerData: { compiled: module, memory, control: CONTROL },
      });
      worker.unref();
      const words = new Int32Array(memory.buffer, CONTROL, 16);
      worker.once('message', () =>
        resolve({ memory, kernel: instance.exports as unknown as SharedExports, worker, words, sequence: 0 }),
      );
      worker.once('error', (error) => {
        unavailable = error.message;
        pool = undefined;
        reject(error);
      });
    } catch (error) {
      unavailable = (error as Error).message;
      pool = undefined;
      reject(error);
    }
  });
  return pool;
}

/** Hands a job to the worker: `args` go to words[3..]. Returns the sequence number to `join` on. */
function post(p: Pool, kind: JobKind, args: number[]): number {
  p.words[2] = JOB[kind];
  for (let i = 0; i < args.length; i++) p.words[3 + i] = args[i];
  const sequence = ++p.sequence;
  Atomics.store(p.words, 0, sequence);
  Atomics.notify(p.words, 0);
  return sequence;
}

/** Waits until the worker has finished job `sequence`. */
function join(p: Pool, sequence: number): void {
  let spins = 0;
  while (Atomics.load(p.words, 1) !== sequence) {
    if (++spins > SPINS) Atomics.wait(p.words, 1, Atomics.load(p.words, 1), 1);
  }
  const failed = p.words[FAILED_JOB_WORD];
  if (failed !== 0) {
    // The shared state is suspect after a failed job: retire the pool, later calls run on one thread.
    p.words[FAILED_JOB_WORD] = 0;
    unavailable = `the worker failed on job ${failed}`;
    pool = undefined;
    p.worker.terminate().catch(() => undefined);
    throw new WeightlabError(
      'E_WORKER',
      `two-thread eigensolver: ${unavailable} (${Object.keys(JOB).find((kind) => JOB[kind as JobKind] === failed) ?? 'unknown'}); two-thread solves are off for this process`,
    );
  }
}

/** Runs one job on the worker and waits for it (tests: the failure path of join). */
export async function workerJob(kind: JobKind, args: number[]): Promise<void> {
  const p = await startPool();
  join(p, post(p, kind, args));
}

/**
 * Lays out the n x n matrix `a` (written in), d, e, a partial vector and `workLength` doubles of
 * work in the shared memory, growing it as needed; returns their byte offsets.
 */
function stage(
  p: Pool,
  a: SymmetricMatrix,
  n: number,
  workLength: number,
): { matrix: number; d: number; e: number; extra: number; work: number } {
  const matrix = ARENA;
  const d = matrix + 8 * n * n,
    e = d + 8 * n,
    extra = e + 8 * n,
    work = extra + 8 * n;
  reserve(p, work + 8 * workLength);
  writeSymmetric(a, n, new Float64Array(p.memory.buffer, matrix, n * n));
  return { matrix, d, e, extra, work };
}

/** Grows the shared memory to hold `bytes` past the control block. */
function reserve(p: Pool, bytes: number): void {
  const have = p.memory.buffer.byteLength;
  if (bytes > have) p.memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * Eigenvalues (ascending) of the symmetric n x n matrix `a` (row-major, upper triangle read) on two
 * threads; `reduction` and `bandwidth` as in symmetricEigenvaluesWasm.
 */
export async function parallelEigenvalues(
  a: SymmetricMatrix,
  n: number,
  reduction: Reduction = 'auto',
  bandwidth?: number,
): Promise<Float64Array> {
  const b = checkedBandwidth(n, bandwidth);
  if (!parallelAvailable()) return symmetricEigenvaluesWasm(a, n, reduction, bandwidth);
  const p = await startPool();
  const resolved = resolveReduction(reduction, n);
  const { matrix, d, e, extra, work } = stage(p, a, n, reductionWorkSize(p.kernel, n, resolved, b));
  if (resolved === 'two-stage') twoStageTridiagonal(p.kernel, matrix, n, b, d, e, work, helperOf(p));
  else oneStage(p, matrix, n, d, e, extra, work);
  return tridiagonalSpectrum(p.kernel, () => new Float64Array(p.memory.buffer, d, n).slice(), d, e, n);
}

/**
 * Eigenvalues (ascending) of two symmetric matrices at once, one per thread: `first` on the worker,
 * `second` here, each solved as on one thread (symmetricEigenvaluesWasm: same reduction, same
 * bits). For two layers of similar size this beats solving them in turn on two threads, since a
 * one-thread solve never waits for a partner: at n = 768, 45 ms for a pair against 2 x 30.
 */
export async function eigenvaluesSideBySide(
  first: { a: SymmetricMatrix; n: number },
  second: { a: SymmetricMatrix; n: number },
): Promise<[Float64Array, Float64Array]> {
  if (!parallelAvailable())
    return [symmetricEigenvaluesWasm(first.a, first.n), symmetricEigenvaluesWasm(second.a, second.n)];
  const p = await startPool();
  const { n } = first;
  const b = bandwidthFor(n);
  const resolved = resolveReduction('auto', n);
  const { matrix, d, e, work } = stage(p, first.a, n, reductionWorkSize(p.kernel, n, resolved, b));
  const sequence = post(p, 'solve', [matrix, n, b, d, e, work, resolved === 'two-stage' ? 1 : 0]);
  let here: Float64Array;
  try {
    here = symmetricEigenvaluesWasm(second.a, second.n);
  } finally {
    join(p, sequence);
  }
  checkQlStatus(p.words[SOLVE_STATUS_WORD]);
  return [new Float64Array(p.memory.buffer, d, n).slice().sort(), here];
}

function oneStage(p: Pool, matrix: number, n: number, d: number, e: number, extra: number, work: number): void {
  const { kernel } = p;
  kernel.begin(matrix, n, d, e, work);
  for (let k = 0; k < n - 1; k++) {
    kernel.stepHead(k);
    const begin = k + 2;
    const split = n - begin > SPLIT_MIN_ROWS ? splitRow(begin, n) : n;
    const v = kernel.vectorAt(k, 0),
      w = kernel.vectorAt(k, 1),
      u = kernel.vectorAt(k, 2),
      pv = kernel.vectorAt(k, 3);
    if (split < n) {
      const sequence = post(p, 'fusedRows', [n, split, n, matrix, v, w, u, extra]);
      kernel.fusedRows(matrix, n, begin, split, v, w, u, pv);
      join(p, sequence);
      kernel.stepTail(k, extra);
    } else {
      kernel.fusedRows(matrix, n, begin, n, v, w, u, pv);
      kernel.stepTail(k, 0);
    }
  }
}

/** The worker as the two-stage driver's helper. */
function helperOf(p: Pool): Helper {
  return { start: (kind, args) => post(p, kind, args), join: (ticket) => join(p, ticket) };
}
