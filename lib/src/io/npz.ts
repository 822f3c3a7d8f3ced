// NumPy .npz archives (np.savez / np.savez_compressed): a zip of `<name>.npy` entries. Stored
// entries are read lazily straight from the file; deflated ones have only their header
// inflated at open time and the rest streamed on demand, never past the size the zip declares.

import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { BufferSource, type ByteSource } from './byte-source';
import { inflatePrefix } from './inflate';
import { lazyNpy, readNpyHeader, MAX_NPY_HEADER } from './npy';
import { ZipArchive, type ZipReadOptions } from './zip';

/** Opens an .npz lazily; tensor names are the entry names without `.npy`. */
export function readNpz(input: string | Uint8Array | ByteSource, options: ZipReadOptions = {}): WeightSet {
  const archive = new ZipArchive(input, options);
  const entries: [string, TensorEntry][] = [];
  const skipped: string[] = [];
  for (const entry of archive.entries) {
    if (!entry.name.endsWith('.npy')) {
      skipped.push(entry.name);
      continue;
    }
    const name = entry.name.slice(0, -4);
    const label = `${archive.source.name}:${entry.name}`;
    if (entry.method === 0) {
      const source = archive.entrySource(entry);
      entries.push([name, lazyNpy(source, readNpyHeader(source), name)]);
      continue;
    }
    // Deflated: inflate just enough for the header and check that header + data is exactly the declared size.
    const offset = archive.dataOffset(entry);
    const compressed = archive.source.read(offset, Math.min(entry.compressedSize, 64 * 1024), `entry '${entry.name}'`);
    const prefix = inflatePrefix(compressed, Math.min(entry.size, 12 + MAX_NPY_HEADER), `entry '${entry.name}'`, {
      file: archive.source.name,
      offset,
    });
    // The header's own size check runs against the declared entry size, so a lying size fails here, before any inflating.
    const header = readNpyHeader(new BufferSource(prefix, label), 0, entry.size);
    // The header's offsets are relative to the entry, so the tensor reads the entry's data region: one
    // streamed inflate at load time, holding only the array's bytes, with size and CRC checked.
    entries.push([name, lazyNpy(archive.entrySource(entry), header, name)]);
  }
  return new WeightSet(entries, {
    metadata: { format: 'npz', file: archive.source.name, ...(skipped.length ? { skippedEntries: skipped } : {}) },
  });
}
