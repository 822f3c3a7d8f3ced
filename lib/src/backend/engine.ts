// Which engines the user allows: the WEIGHTLAB_ENGINE and WEIGHTLAB_DEVICE environment
// variables, read on every call (cheap) so tests and notebooks can switch paths in one process.
//
//   WEIGHTLAB_ENGINE=auto  (default) fastest available: onnxruntime-node for dense products,
//                          wasm kernels where ours exist, jax-js on its wasm device for autodiff
//   WEIGHTLAB_ENGINE=wasm  no native code: our wasm kernels replace onnxruntime-node (what a
//                          browser build gets); jax-js stays on its wasm device
//   WEIGHTLAB_ENGINE=js    plain JavaScript only: no onnxruntime, no wasm kernels, and jax-js on
//                          its 'cpu' device (a JS interpreter); the reference path tests compare to
//
//   WEIGHTLAB_RELAXED_SIMD=0  load the plain-SIMD builds of weightlab's wasm kernels even where the
//                          relaxed-SIMD (fused multiply-add) builds run; read once, when the first
//                          kernel loads (lib/src/backend/wasm.ts, relaxedSimdInUse)
//
//   WEIGHTLAB_DEVICE=cpu    (default)
//   WEIGHTLAB_DEVICE=webgpu GPU slot for later: honoured only when a WebGPU adapter exists (the
//                          optional `webgpu` npm package, Dawn, must be installed and find a GPU);
//                          otherwise everything runs on the CPU and backendInfo() says why.

import * as os from 'node:os';
import { ArgumentError } from '../errors';

export type EngineChoice = 'auto' | 'wasm' | 'js';
export type DeviceRequest = 'cpu' | 'webgpu';

const ENGINES: readonly EngineChoice[] = ['auto', 'wasm', 'js'];
const DEVICES: readonly DeviceRequest[] = ['cpu', 'webgpu'];

/** The engine policy from WEIGHTLAB_ENGINE (default 'auto'). */
export function engineChoice(): EngineChoice {
  const raw = (process.env.WEIGHTLAB_ENGINE ?? '').trim().toLowerCase();
  if (raw === '') return 'auto';
  if (!(ENGINES as readonly string[]).includes(raw)) {
    throw new ArgumentError('unknown WEIGHTLAB_ENGINE', {
      field: 'WEIGHTLAB_ENGINE',
      expected: ENGINES.join('|'),
      found: raw,
    });
  }
  return raw as EngineChoice;
}

/** The device asked for in WEIGHTLAB_DEVICE (default 'cpu'); see `resolveDevice()` for what is granted. */
export function deviceRequest(): DeviceRequest {
  const raw = (process.env.WEIGHTLAB_DEVICE ?? '').trim().toLowerCase();
  if (raw === '') return 'cpu';
  if (!(DEVICES as readonly string[]).includes(raw)) {
    throw new ArgumentError('unknown WEIGHTLAB_DEVICE', {
      field: 'WEIGHTLAB_DEVICE',
      expected: DEVICES.join('|'),
      found: raw,
    });
  }
  return raw as DeviceRequest;
}

/** Threads onnxruntime-node may use per operation (the project's machines have 2 cores). */
export const INTRA_OP_THREADS = 2;

/**
 * CPUs a scheduler gave this process: SLURM_CPUS_PER_TASK (set in an array task started with
 * --cpus-per-task), else WEIGHTLAB_CPUS (what `weightlab zoo submit`'s Kubernetes manifest sets
 * to the container's CPU request); undefined when neither is set. Read on every call. Needed
 * because a scheduler without CPU confinement (SLURM's task/none) still lets the process see
 * every core, so threads sized by os.availableParallelism() would take other tasks' CPUs.
 */
export function cpuAllotment(): number | undefined {
  for (const name of ['SLURM_CPUS_PER_TASK', 'WEIGHTLAB_CPUS']) {
    const raw = process.env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const cpus = Number(raw);
    if (!(Number.isSafeInteger(cpus) && cpus >= 1))
      throw new ArgumentError(`${name} must be a whole number of CPUs >= 1`, {
        field: name,
        expected: 'an integer >= 1',
        found: JSON.stringify(raw),
      });
    return cpus;
  }
  return undefined;
}

/** onnxruntime's intra-op threads: INTRA_OP_THREADS, capped by the scheduler's allotment. */
export function intraOpThreads(): number {
  return Math.min(INTRA_OP_THREADS, cpuAllotment() ?? INTRA_OP_THREADS);
}

/** Worker threads a verb starts by default: min(2, cores), or the scheduler's allotment when one is set. */
export function defaultWorkerThreads(): number {
  return cpuAllotment() ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
}

/** The compute engines a verb can offer; each verb lists the ones it has, fastest first. */
export type Engine = 'js' | 'wasm' | 'parallel' | 'onnx' | 'jax';

/** The `engine` option every verb with a choice takes: 'auto' (the default) or one of its engines. */
export type EngineOption<Name extends Engine = Engine> = 'auto' | Name;

/** One engine a verb can run on, and whether it can run here. */
export interface EngineCandidate<Name extends Engine = Engine> {
  name: Name;
  /** Why the engine cannot run here (package missing, kernel not built, one core), or undefined when it can. */
  unavailable(): string | undefined;
}

/** Engines each WEIGHTLAB_ENGINE policy allows ('js' is always allowed: it is the reference path). */
const POLICY_ALLOWS: Record<EngineChoice, readonly Engine[]> = {
  auto: ['js', 'wasm', 'parallel', 'onnx', 'jax'],
  wasm: ['js', 'wasm', 'parallel', 'jax'],
  js: ['js'],
};

/**
 * The one engine rule every verb follows. An explicit `engine` option wins: it must be one of the
 * verb's engines (ArgumentError listing them otherwise) and able to run here (ArgumentError with the
 * reason otherwise), whatever WEIGHTLAB_ENGINE says, so a notebook that asks for an engine gets it or
 * a clear error. 'auto' or undefined takes the first of the verb's candidates (fastest first) that the
 * WEIGHTLAB_ENGINE policy allows and that can run; a verb lists 'js' last as the engine that always can.
 */
export function resolveEngine<Name extends Engine>(
  verb: string,
  requested: EngineOption<Name> | undefined,
  candidates: readonly EngineCandidate<Name>[],
): Name {
  if (requested !== undefined && requested !== 'auto') {
    const candidate = candidates.find((entry) => entry.name === requested);
    if (!candidate) {
      throw new ArgumentError(`${verb} has no engine '${String(requested)}'`, {
        field: 'engine',
        expected: `'auto' or one of ${candidates.map((entry) => `'${entry.name}'`).join(', ')}`,
        found: `'${String(requested)}'`,
      });
    }
    const why = candidate.unavailable();
    if (why !== undefined)
      throw new ArgumentError(`${verb} cannot run on engine '${candidate.name}' here: ${why}`, {
        field: 'engine',
        found: `'${candidate.name}'`,
      });
    return candidate.name;
  }
  const allowed = POLICY_ALLOWS[engineChoice()];
  for (const candidate of candidates) {
    if (allowed.includes(candidate.name) && candidate.unavailable() === undefined) return candidate.name;
  }
  const reasons = candidates.map(
    (entry) =>
      `${entry.name}: ${allowed.includes(entry.name) ? entry.unavailable() : `not allowed by WEIGHTLAB_ENGINE=${engineChoice()}`}`,
  );
  throw new ArgumentError(`${verb} has no engine that can run here (${reasons.join('; ')})`, { field: 'engine' });
}
