// WeightSet: an ordered map of named tensors plus the layer structure over them. Every
// checkpoint reader produces one, every analysis consumes one. Entries may be lazy (a file
// reader supplies dtype and shape up front and the bytes only when a tensor is asked for),
// so a multi-GB checkpoint can be inspected without reading it.

import { ArgumentError, ShapeError } from '../errors';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { escapeHtml } from '../display/builders';
import { Tensor, sizeOf, type Shape } from '../tensor/tensor';
import type { DType } from '../tensor/dtype';
import { inferLayers, type Layer, type TensorInfo } from './layers';

/** A tensor whose bytes are read only on demand. */
export interface LazyTensor {
  dtype: DType;
  shape: Shape;
  /** Reads the tensor (file readers read exactly its bytes). */
  load(): Tensor;
}

export type TensorEntry = Tensor | LazyTensor;

export interface WeightSetOptions {
  /** Layer structure; inferred from names and shapes when absent. */
  layers?: Layer[];
  /** Free-form metadata (source file, format, hyperparameters). */
  metadata?: Record<string, unknown>;
  /** Keep lazily loaded tensors after the first `get` (default true). */
  cache?: boolean;
}

export class WeightSet implements Iterable<[string, Tensor]> {
  private readonly entries = new Map<string, TensorEntry>();
  private readonly loaded = new Map<string, Tensor>();
  private layerList?: Layer[];
  readonly metadata: Record<string, unknown>;
  private readonly cache: boolean;

  /** From [name, tensor] pairs (kept in order) or from a plain object of tensors. */
  constructor(tensors?: Iterable<readonly [string, TensorEntry]>, options?: WeightSetOptions);
  constructor(tensors: Record<string, TensorEntry>, options?: WeightSetOptions);
  constructor(
    tensors: Iterable<readonly [string, TensorEntry]> | Record<string, TensorEntry> = [],
    options: WeightSetOptions = {},
  ) {
    const pairs =
      Symbol.iterator in Object(tensors)
        ? (tensors as Iterable<readonly [string, TensorEntry]>)
        : Object.entries(tensors as Record<string, TensorEntry>);
    for (const [name, entry] of pairs) {
      if (this.entries.has(name)) throw new ArgumentError('duplicate tensor name', { field: name });
      this.entries.set(name, entry);
    }
    this.layerList = options.layers;
    this.metadata = options.metadata ?? {};
    this.cache = options.cache ?? true;
  }

  /** Tensor names in order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }
  /** Number of tensors. */
  get size(): number {
    return this.entries.size;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** dtype and shape without reading the tensor. */
  info(name: string): TensorInfo {
    const entry = this.entries.get(name);
    if (!entry)
      throw new ArgumentError('no such tensor', {
        field: name,
        expected: `one of ${this.names.slice(0, 8).join(', ')}${this.size > 8 ? ', ...' : ''}`,
      });
    return { dtype: entry.dtype, shape: entry.shape };
  }

  /** The tensor called `name` (read now if lazy). */
  get(name: string): Tensor {
    const entry = this.entries.get(name);
    if (!entry) this.info(name); // throws the descriptive error
    if (entry instanceof Tensor) return entry;
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const tensor = (entry as LazyTensor).load();
    if (
      tensor.dtype !== entry!.dtype ||
      tensor.shape.length !== entry!.shape.length ||
      tensor.shape.some((d, i) => d !== entry!.shape[i])
    ) {
      throw new ShapeError('lazy tensor loaded with a different dtype or shape than announced', {
        field: name,
        expected: `${entry!.dtype} [${entry!.shape.join(', ')}]`,
        found: `${tensor.dtype} [${tensor.shape.join(', ')}]`,
      });
    }
    if (this.cache) this.loaded.set(name, tensor);
    return tensor;
  }

  /** Drops cached copies of lazily read tensors (all, or one). */
  release(name?: string): void {
    if (name === undefined) this.loaded.clear();
    else this.loaded.delete(name);
  }

  /** Number of scalar parameters over all tensors. */
  get numParameters(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += sizeOf(entry.shape);
    return total;
  }

  /** The layer structure (inferred from names and shapes unless given). */
  get layers(): Layer[] {
    this.layerList ??= inferLayers(
      [...this.entries].map(([name, entry]) => [name, { dtype: entry.dtype, shape: entry.shape }]),
    );
    return this.layerList;
  }

  *[Symbol.iterator](): Iterator<[string, Tensor]> {
    for (const name of this.entries.keys()) yield [name, this.get(name)];
  }

  /** A new set with `fn` applied to every tensor (read eagerly). */
  map(fn: (tensor: Tensor, name: string) => Tensor): WeightSet {
    return new WeightSet(
      this.names.map((name) => [name, fn(this.get(name), name)] as [string, Tensor]),
      { metadata: { ...this.metadata } },
    );
  }

  /** A new set with the tensors whose names pass `keep` (still lazy where they were). */
  filter(keep: (name: string, info: TensorInfo) => boolean): WeightSet {
    const kept = [...this.entries].filter(([name, entry]) => keep(name, { dtype: entry.dtype, shape: entry.shape }));
    return new WeightSet(kept, { metadata: { ...this.metadata } });
  }

  /** A new set with names renamed by `fn` (lazy entries stay lazy). */
  rename(fn: (name: string) => string): WeightSet {
    return new WeightSet(
      [...this.entries].map(([name, entry]) => [fn(name), entry] as [string, TensorEntry]),
      { metadata: { ...this.metadata } },
    );
  }

  /** All tensors concatenated in order into one float64 vector (the usual model-zoo vectorisation). */
  flatten(): Float64Array {
    const out = new Float64Array(this.numParameters);
    let at = 0;
    for (const name of this.names) {
      const values = this.get(name).toFloat64();
      out.set(values, at);
      at += values.length;
    }
    return out;
  }

  /** Where each tensor starts in the `flatten()` vector, by name. */
  flatOffsets(): Map<string, number> {
    const offsets = new Map<string, number>();
    let at = 0;
    for (const name of this.names) {
      offsets.set(name, at);
      at += sizeOf(this.info(name).shape);
    }
    return offsets;
  }

  /** A set shaped like this one, filled from a flat vector (inverse of `flatten`); metadata defaults to a copy of this set's. */
  unflatten(vector: ArrayLike<number>, metadata: Record<string, unknown> = { ...this.metadata }): WeightSet {
    if (vector.length !== this.numParameters) {
      throw new ShapeError('vector length differs from the number of parameters', {
        expected: String(this.numParameters),
        found: String(vector.length),
      });
    }
    let at = 0;
    const tensors: [string, Tensor][] = this.names.map((name) => {
      const { shape } = this.info(name);
      const size = sizeOf(shape);
      const values = new Float64Array(size);
      for (let i = 0; i < size; i++) values[i] = vector[at + i];
      at += size;
      return [name, new Tensor('float64', values, shape)];
    });
    return new WeightSet(tensors, { layers: this.layerList, metadata });
  }

  toString(): string {
    return `WeightSet(${this.size} tensors, ${this.numParameters} parameters, ${this.layers.length} layers)`;
  }

  [mimeBundle](): MimeBundle {
    const rows = this.names.map((name) => {
      const { dtype, shape } = this.info(name);
      return [name, dtype, `[${shape.join(', ')}]`, String(sizeOf(shape))];
    });
    const header = ['tensor', 'dtype', 'shape', 'parameters'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd();
    const shown = rows.slice(0, 40);
    const text = [
      this.toString(),
      line(header),
      ...shown.map(line),
      ...(rows.length > shown.length ? [`... ${rows.length - shown.length} more`] : []),
    ].join('\n');
    const html = `<table class="weightlab-table"><caption>${escapeHtml(this.toString())}</caption><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${shown
      .map((r) => `<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
    return { data: { 'text/plain': text, 'text/html': html } };
  }
}
