// Loader for weightlab's own AssemblyScript kernels (lib/assembly/<name>.ts, compiled by
// lib/scripts/build-wasm.js into lib/wasm/<name>.wasm). Every wasm kernel of the library is
// instantiated here, so there is one place that knows where the files are, how memory is laid
// out and what happens when a kernel is missing.
//
// How to use it from another module (e.g. the eigensolver in lib/assembly/eigen.ts):
//
//   import { wasmKernel } from '../backend/wasm';
//   interface EigenExports { tridiagonalize(a: number, n: number, d: number, e: number): void }
//   const kernel = wasmKernel<EigenExports>('eigen');        // sync; cached per name; throws
//                                                            // FormatError if the file is missing
//   const values = kernel.withArena(() => {
//     const a = kernel.writeFloat64(matrixValues);           // copy in, returns a byte offset
//     const d = kernel.allocateFloat64(n);                   // uninitialised scratch, byte offset
//     const e = kernel.allocateFloat64(n);
//     kernel.exports.tridiagonalize(a, n, d, e);
//     return kernel.readFloat64(d, n);                       // copy out (a new Float64Array)
//   });                                                      // arena is released afterwards
//
// Memory contract for kernels: a kernel never allocates (no `new`, arrays or strings; it is built
// with `--runtime stub`), it only reads and writes the byte offsets JS passes in. The loader owns
// everything above the module's initial memory as a bump arena: allocations are 16-byte aligned
// (so v128 loads of f64 pairs are aligned), memory grows on demand, and `withArena` / `reset`
// free it all at once. Views returned by `viewFloat64` are invalidated by any later allocation
// that grows memory (the ArrayBuffer is replaced); copy out with `readFloat64` unless you know.
//
// Whether wasm kernels may be used at all is decided by `engineChoice()` (WEIGHTLAB_ENGINE=js
// forbids them); callers check `wasmKernelAvailable(name)` and fall back to plain JS.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';
import { engineChoice } from './engine';

/** Folder holding the built kernels: lib/wasm next to lib/dist (this file runs from lib/dist/backend). */
export const wasmDirectory = path.resolve(__dirname, '..', '..', 'wasm');

// The WebAssembly global, typed locally: the project compiles against ES2022 + @types/node 20,
// neither of which declares it, and a global declaration here would clash with lib.dom later.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmImportDescriptor {
  module: string;
  name: string;
  kind: string;
}
interface WasmApi {
  Module: { new (bytes: Uint8Array): WasmModule; imports(module: WasmModule): WasmImportDescriptor[] };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
const ALIGN = 16;

/** An instantiated kernel with a bump-allocated arena in its memory. */
export class WasmKernel<Exports = Record<string, unknown>> {
  readonly name: string;
  readonly exports: Exports;
  readonly memory: WasmMemory;
  /** First byte of the arena: everything below belongs to the module (data, stack). */
  readonly arenaStart: number;
  private top: number;

  constructor(name: string, instance: WasmInstance) {
    const memory = instance.exports.memory as WasmMemory | undefined;
    if (!(memory instanceof WebAssemblyApi.Memory)) {
      throw new FormatError('wasm kernel does not export its memory', { file: kernelPath(name), field: 'memory' });
    }
    this.name = name;
    this.exports = instance.exports as unknown as Exports;
    this.memory = memory;
    this.arenaStart = alignUp(memory.buffer.byteLength);
    this.top = this.arenaStart;
  }

  /** Bytes currently allocated in the arena. */
  get arenaBytes(): number {
    return this.top - this.arenaStart;
  }

  /** Reserves `bytes` (16-byte aligned, contents unspecified) and returns its byte offset. */
  allocate(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0)
      throw new ArgumentError('allocation size must be a non-negative integer', {
        field: 'bytes',
        found: String(bytes),
      });
    const start = this.top;
    const end = alignUp(start + bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw new ArgumentError('wasm memory cannot grow that far (wasm32 limit is 4 GiB)', {
          field: `${this.name} kernel`,
          expected: '<= 4 GiB in total',
          found: `${end} bytes`,
        });
      }
    }
    this.top = end;
    return start;
  }

  /** Reserves room for `length` doubles. */
  allocateFloat64(length: number): number {
    return this.allocate(length * 8);
  }

  /** Copies `values` into the arena and returns their byte offset. */
  writeFloat64(values: ArrayLike<number>): number {
    const offset = this.allocateFloat64(values.length);
    new Float64Array(this.memory.buffer, offset, values.length).set(values);
    return offset;
  }

  /** A copy of `length` doubles at `offset`. */
  readFloat64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length).slice();
  }

  /** A view (no copy) of `length` doubles at `offset`; invalid after the memory grows. */
  viewFloat64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length);
  }

  /** Frees the whole arena (memory is kept for reuse, not shrunk). */
  reset(): void {
    this.top = this.arenaStart;
  }

  /** Runs `fn`, then frees whatever it allocated (also when it throws). Calls may nest. */
  withArena<T>(fn: (kernel: this) => T): T {
    const mark = this.top;
    try {
      return fn(this);
    } finally {
      this.top = mark;
    }
  }
}

function alignUp(value: number): number {
  return Math.ceil(value / ALIGN) * ALIGN;
}

/** Path of the built kernel `name`: its relaxed-SIMD build when relaxedSimdInUse() and that file exists. */
export function kernelPath(name: string): string {
  const relaxed = path.join(wasmDirectory, 'relaxed', `${name}.wasm`);
  if (relaxedSimdInUse() && fs.existsSync(relaxed)) return relaxed;
  return path.join(wasmDirectory, `${name}.wasm`);
}

const kernels = new Map<string, WasmKernel<unknown>>();
const failures = new Map<string, string>();

/**
 * The kernel `name`, instantiated once per process (sync). Imports the module declares are
 * answered with stubs that throw (kernels are built to need none).
 */
export function wasmKernel<Exports = Record<string, unknown>>(name: string): WasmKernel<Exports> {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new ArgumentError('kernel names are lower-case words', { field: 'name', found: name });
  const cached = kernels.get(name);
  if (cached) return cached as WasmKernel<Exports>;
  const file = kernelPath(name);
  if (!fs.existsSync(file)) {
    throw new FormatError('wasm kernel not built (run `npm run build` or `node lib/scripts/build-wasm.js`)', { file });
  }
  let module: WasmModule;
  try {
    module = new WebAssemblyApi.Module(fs.readFileSync(file));
  } catch (error) {
    throw new FormatError(`wasm kernel does not compile: ${(error as Error).message}`, { file });
  }
  const imports: Record<string, Record<string, unknown>> = {};
  for (const entry of WebAssemblyApi.Module.imports(module)) {
    if (entry.kind !== 'function')
      throw new FormatError('wasm kernel imports something other than functions', {
        file,
        field: `${entry.module}.${entry.name}`,
      });
    (imports[entry.module] ??= {})[entry.name] = () => {
      throw new Error(`wasm kernel ${name} called import ${entry.module}.${entry.name}`);
    };
  }
  const kernel = new WasmKernel<Exports>(name, new WebAssemblyApi.Instance(module, imports));
  kernels.set(name, kernel as WasmKernel<unknown>);
  return kernel;
}

/**
 * Whether kernel `name` can be used now: the engine choice allows wasm, the runtime has SIMD and
 * the file loads. Never throws; the reason for a `false` is kept for `backendInfo()`.
 */
export function wasmKernelAvailable(name: string): boolean {
  if (engineChoice() === 'js') return false;
  return wasmKernelUnavailable(name) === undefined;
}

/**
 * Why kernel `name` cannot run in this process (no SIMD, file missing or not compiling), or
 * undefined when it can, whatever WEIGHTLAB_ENGINE allows: what an engine candidate's
 * `unavailable()` reports, so an explicit `engine: 'wasm'` gets the kernel or the reason.
 */
export function wasmKernelUnavailable(name: string): string | undefined {
  if (kernels.has(name)) return undefined;
  if (failures.has(name)) return failures.get(name);
  if (!wasmSimdSupported()) {
    failures.set(name, 'this runtime has no WebAssembly SIMD');
    return failures.get(name);
  }
  try {
    wasmKernel(name);
    return undefined;
  } catch (error) {
    failures.set(name, (error as Error).message);
    return failures.get(name);
  }
}

/** Why `wasmKernelAvailable(name)` said no, if it did. */
export function wasmKernelFailure(name: string): string | undefined {
  return failures.get(name);
}

/** Kernel names built into lib/wasm (without loading them). */
export function builtKernels(): string[] {
  if (!fs.existsSync(wasmDirectory)) return [];
  return fs
    .readdirSync(wasmDirectory)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => f.slice(0, -5))
    .sort();
}

// Smallest module using a v128 instruction: (func (result v128) (v128.const i64x2 0 0)).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);
let simd: boolean | undefined;

/** Whether this runtime validates wasm SIMD (Node >= 16 and current browsers do). */
export function wasmSimdSupported(): boolean {
  simd ??= WebAssemblyApi.validate(SIMD_PROBE);
  return simd as boolean;
}

// Smallest module using f64x2.relaxed_madd (opcode 0xfd 0x107): (func (result v128) three zero
// v128.const, relaxed_madd).
const RELAXED_PROBE = (() => {
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x87, 0x02, 0x0b];
  return new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    1,
    5,
    1,
    96,
    0,
    1,
    123,
    3,
    2,
    1,
    0,
    10,
    body.length + 2,
    1,
    body.length,
    ...body,
  ]);
})();
let relaxed: { inUse: boolean; reason: string } | undefined;

/**
 * Whether kernels load from their relaxed-SIMD build (lib/wasm/relaxed: fused multiply-add in the
 * hot loops, measured 1.25-1.4x faster matrix products). Decided once per process, before the first
 * kernel loads, so every kernel and thread agrees. WEIGHTLAB_RELAXED_SIMD=0 turns it off. Node 20's
 * V8 validates relaxed SIMD only behind --experimental-wasm-relaxed-simd: that flag is set here
 * (it only admits the extra opcodes; Node >= 22 ships them on).
 */
export function relaxedSimdInUse(): boolean {
  return relaxedSimdDecision().inUse;
}

/** relaxedSimdInUse() and why, for backendInfo(). */
export function relaxedSimdDecision(): { inUse: boolean; reason: string } {
  if (relaxed) return relaxed;
  const setting = (process.env.WEIGHTLAB_RELAXED_SIMD ?? '').trim().toLowerCase();
  if (setting === '0' || setting === 'off' || setting === 'false') {
    relaxed = { inUse: false, reason: 'WEIGHTLAB_RELAXED_SIMD=0' };
  } else if (!wasmSimdSupported()) {
    relaxed = { inUse: false, reason: 'no wasm SIMD' };
  } else if (WebAssemblyApi.validate(RELAXED_PROBE)) {
    relaxed = { inUse: true, reason: 'relaxed SIMD (fused multiply-add)' };
  } else {
    try {
      (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      /* not Node: stay on plain SIMD */
    }
    relaxed = WebAssemblyApi.validate(RELAXED_PROBE)
      ? { inUse: true, reason: 'relaxed SIMD (fused multiply-add; V8 flag --experimental-wasm-relaxed-simd set)' }
      : { inUse: false, reason: 'this runtime has no relaxed SIMD' };
  }
  return relaxed;
}
