// Turns the built eigen kernel into one that runs on a shared memory, so two threads can work
// on the same matrix: the .wasm's own (non-shared, 0-page) memory section is replaced by an
// imported shared memory. The kernel has no data segments and keeps its per-thread state in
// wasm globals, so every thread instantiates the same patched module against one memory.
// (The project's build compiles every kernel with one flag set; patching the section here keeps
// the build generic instead of adding a second build mode for one kernel.)

import * as fs from 'node:fs';
import { FormatError } from '../errors';
import { kernelPath } from '../backend/wasm';
import { webAssembly, type CompiledModule } from './wasm-api';

function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let result = 0,
    shift = 0,
    position = at;
  for (;;) {
    const byte = bytes[position++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, position];
    shift += 7;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Maximum pages of the shared memory: 65536 pages = the 4 GiB wasm32 limit (only address space is reserved). */
export const SHARED_MAXIMUM_PAGES = 65536;

/** The eigen kernel's bytes with its memory imported as `env.memory` (shared, 0..maximum pages). */
export function sharedEigenModule(): CompiledModule {
  const file = kernelPath('eigen');
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new FormatError('not a wasm module', { file });
  const sections: { id: number; body: Uint8Array }[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readLeb(bytes, at + 1);
    sections.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  if (sections.some((s) => s.id === 2))
    throw new FormatError('eigen kernel has imports; the shared-memory patch expects none', { file });
  const memory = sections.find((s) => s.id === 5);
  if (!memory) throw new FormatError('eigen kernel declares no memory', { file });
  const name = (text: string) => {
    const encoded = new TextEncoder().encode(text);
    return [...leb(encoded.length), ...encoded];
  };
  // One import: env.memory, kind memory (2), limits flag 3 = has maximum + shared.
  const importBody = Uint8Array.from([
    1,
    ...name('env'),
    ...name('memory'),
    2,
    3,
    ...leb(0),
    ...leb(SHARED_MAXIMUM_PAGES),
  ]);
  const out: number[] = [...bytes.subarray(0, 8)];
  const emit = (id: number, body: Uint8Array) => {
    out.push(id, ...leb(body.length));
    for (const b of body) out.push(b);
  };
  let imported = false;
  for (const section of sections) {
    if (section.id === 5) continue;
    // Imports go after the type section (1) and before the function section (3); custom sections (0) keep their place.
    if (!imported && section.id !== 0 && section.id > 2) {
      emit(2, importBody);
      imported = true;
    }
    emit(section.id, section.body);
  }
  if (!imported) emit(2, importBody);
  return new webAssembly.Module(Uint8Array.from(out));
}
