// onnxruntime-node, loaded on first use: the fastest dense linear algebra reachable from Node
// here (MLAS GEMM, 2 threads; see shared/specs/numerics.md §1b). This module owns the lazy
// import, the session cache (one session per graph and dtype, shapes are dynamic) and the
// conversion between our typed arrays and ORT tensors.
//
// Copy semantics: inputs are handed to ORT as views of our typed arrays (no JS-side copy; the
// binding reads them directly); outputs come back as fresh typed arrays owned by the caller.

import type * as Ort from 'onnxruntime-node';
import { engineChoice, intraOpThreads } from '../engine';
import { installedPackage } from '../packages';
import { encodeModel, ONNX_ELEMENT_TYPE, type GraphSpec } from './model';
import type { FloatArray, FloatType } from '../operands';

export const ONNX_PACKAGE = 'onnxruntime-node';

let loaded: typeof Ort | undefined;
let loadFailure: string | undefined;

/** The onnxruntime-node module, loaded on first call (async for symmetry with the other engines). */
export async function onnx(): Promise<typeof Ort> {
  return onnxSync();
}

function onnxSync(): typeof Ort {
  if (loaded) return loaded;
  if (loadFailure) throw new Error(`onnxruntime-node is unavailable: ${loadFailure}`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(ONNX_PACKAGE) as typeof Ort;
    return loaded;
  } catch (error) {
    loadFailure = (error as Error).message.split('\n')[0];
    throw new Error(`onnxruntime-node is unavailable: ${loadFailure}`);
  }
}

/**
 * Whether dense products go to onnxruntime-node now: WEIGHTLAB_ENGINE is 'auto', the package is
 * installed and (if it was already tried) its native binding loaded.
 */
export function onnxAvailable(): boolean {
  return engineChoice() === 'auto' && loadFailure === undefined && installedPackage(ONNX_PACKAGE) !== null;
}

/**
 * Why onnxruntime-node cannot run here (not installed, or its native binding failed to load), or
 * undefined when it can, whatever WEIGHTLAB_ENGINE allows (the policy is resolveEngine's to apply).
 */
export function onnxUnavailable(): string | undefined {
  if (loadFailure !== undefined) return `${ONNX_PACKAGE} failed to load: ${loadFailure}`;
  if (installedPackage(ONNX_PACKAGE) === null) return `${ONNX_PACKAGE} is not installed`;
  return undefined;
}

/** Whether the module has been loaded in this process. */
export function onnxLoaded(): boolean {
  return loaded !== undefined;
}

/** Why loading failed, if it did. */
export function onnxFailure(): string | undefined {
  return loadFailure;
}

const sessions = new Map<string, Promise<Ort.InferenceSession>>();

/** A cached session for `graph` in `dtype` (`key` must identify the graph). */
export function session(key: string, dtype: FloatType, graph: () => GraphSpec): Promise<Ort.InferenceSession> {
  const cacheKey = `${key}:${dtype}`;
  let cached = sessions.get(cacheKey);
  if (!cached) {
    const ort = onnxSync();
    cached = ort.InferenceSession.create(encodeModel(graph(), ONNX_ELEMENT_TYPE[dtype]), {
      intraOpNumThreads: intraOpThreads(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Intra-op threads sleep when a product is done instead of spin-waiting for the next one. On
      // 2 cores the spinning threads take the CPU from the JavaScript that runs between products:
      // measured (bench/onnx-spinning.js, load 3-4) a 256² f32 product followed by 5 ms of JS took
      // 12.4 ms with spinning and 5.7 ms without; chained products were no slower without it.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    // A failed creation must not poison the cache for later calls.
    cached.catch(() => sessions.delete(cacheKey));
    sessions.set(cacheKey, cached);
  }
  return cached;
}

/** Number of cached sessions (for tests and backendInfo). */
export function sessionCount(): number {
  return sessions.size;
}

export interface OnnxInput {
  data: FloatArray;
  dims: readonly number[];
}

export interface OnnxOutput {
  data: FloatArray;
  dims: number[];
}

/** Runs `graph` (cached under `key`) on `inputs` and returns its single output `Y`. */
export async function runGraph(
  key: string,
  dtype: FloatType,
  graph: () => GraphSpec,
  inputs: Record<string, OnnxInput>,
): Promise<OnnxOutput> {
  return (await runGraphOutputs(key, dtype, graph, inputs)).Y;
}

/** Runs `graph` (cached under `key`) on `inputs` and returns every output by name. */
export async function runGraphOutputs(
  key: string,
  dtype: FloatType,
  graph: () => GraphSpec,
  inputs: Record<string, OnnxInput>,
): Promise<Record<string, OnnxOutput>> {
  const ort = onnxSync();
  const compiled = await session(key, dtype, graph);
  const feeds: Record<string, Ort.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) {
    // An input's own element type (a graph may cast a float32 input to its float64 dtype).
    feeds[name] = new ort.Tensor(input.data instanceof Float32Array ? 'float32' : 'float64', input.data, input.dims);
  }
  const results = await compiled.run(feeds);
  const outputs: Record<string, OnnxOutput> = {};
  for (const [name, output] of Object.entries(results))
    outputs[name] = { data: output.data as FloatArray, dims: [...output.dims] };
  return outputs;
}
