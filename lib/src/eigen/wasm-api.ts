// The WebAssembly global, typed locally for the shared-memory eigensolver: the project compiles
// against ES2022 + @types/node 20, neither of which declares it (same approach as backend/wasm.ts).

export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
export interface CompiledModule {
  readonly __compiledModule?: never;
}
export interface ModuleInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: Record<string, Record<string, unknown>>) => ModuleInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => SharedMemory;
}

/** globalThis.WebAssembly with the few members used here. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
