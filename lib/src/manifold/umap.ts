// UMAP of a zoo through umap-js (the maintained JavaScript port of McInnes' UMAP), seeded
// from weightlab's Threefry generator so an embedding is reproducible from its seed. Wide
// inputs are first reduced by PCA (50 components by default): neighbour search on 10,000-d
// vectors is 5.5x slower than on PCA-50 (measured, shared/specs/numerics.md §7) and the
// neighbour graph barely changes.

// umap-js (and ml-matrix under it) load on first use: importing weightlab must stay cheap.
import type { UMAP as UmapClass } from 'umap-js';
import { ArgumentError } from '../errors';
import { rng as makeRng, type Rng } from '../random/rng';
import { denseMatrix, type DenseMatrix } from '../linalg/dense';
import type { Tensor } from '../tensor/tensor';
import type { EngineOption } from '../backend/engine';
import type { ProductEngine } from '../backend/products';
import { resolveOptions, type OptionDefaults, type ResolvedOptions } from '../options/resolve';
import { asDenseMatrix, randomizedPca } from './pca';

export interface UmapOptions {
  /**
   * Output dimension.
   * @default 2
   */
  components?: number;
  /**
   * Neighbours per point (n - 1 when the zoo has fewer points).
   * @default 15
   */
  neighbors?: number;
  /**
   * Minimum distance between embedded points.
   * @default 0.1
   */
  minDistance?: number;
  /** Optimisation epochs (no default here: umap-js chooses, 500 below 10,000 points). */
  epochs?: number;
  /**
   * Reduce inputs wider than this with PCA first (0 disables).
   * @default 50
   */
  pcaComponents?: number;
  /**
   * Seed or generator.
   * @default 0
   */
  seed?: number | Rng;
  /**
   * Where the PCA pre-reduction's products run (as randomizedPca's `engine`). Layouts from
   * different engines are each reproducible but not bit-identical: UMAP amplifies the rounding
   * differences of its input (neighbour ties, stochastic gradient steps).
   * @default 'auto'
   */
  engine?: EngineOption<ProductEngine>;
}

/** Defaults of umapEmbedding. */
export const UMAP_DEFAULTS = {
  components: 2,
  neighbors: 15,
  minDistance: 0.1,
  epochs: undefined,
  pcaComponents: 50,
  seed: 0,
  engine: 'auto',
} as const satisfies OptionDefaults<UmapOptions>;

type ResolvedUmapOptions = ResolvedOptions<UmapOptions, typeof UMAP_DEFAULTS>;

/** Buffered uniform draws from an Rng as the `() => number` umap-js expects. */
function uniformSource(random: Rng): () => number {
  let buffer = new Float64Array(0);
  let at = 0;
  return () => {
    if (at === buffer.length) {
      buffer = random.uniform(4096);
      at = 0;
    }
    return buffer[at++];
  };
}

function checkUmapInput(data: DenseMatrix, components: number): void {
  if (data.rows < 3)
    throw new ArgumentError('UMAP needs at least three points', { field: 'data', found: `${data.rows} row(s)` });
  if (!Number.isInteger(components) || components < 1)
    throw new ArgumentError('components must be a positive integer', {
      field: 'components',
      found: String(components),
    });
}

/** Seeds of the PCA sketch and of the layout, and whether to reduce first. */
function plan(data: DenseMatrix, options: ResolvedUmapOptions): { sketchSeed: Rng; layoutSeed: Rng; reduceTo: number } {
  const random = typeof options.seed === 'object' ? options.seed : makeRng(options.seed);
  const [sketchSeed, layoutSeed] = random.split(2);
  const { pcaComponents } = options;
  const reduceTo = pcaComponents > 0 && data.cols > pcaComponents && data.rows > pcaComponents ? pcaComponents : 0;
  return { sketchSeed, layoutSeed, reduceTo };
}

function layout(reduced: DenseMatrix, options: ResolvedUmapOptions, layoutSeed: Rng): DenseMatrix {
  const n = reduced.rows;
  const { components } = options;
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from(reduced.values.subarray(i * reduced.cols, (i + 1) * reduced.cols)),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { UMAP } = require('umap-js') as { UMAP: typeof UmapClass };
  const umap = new UMAP({
    nComponents: components,
    nNeighbors: Math.min(options.neighbors, n - 1),
    minDist: options.minDistance,
    nEpochs: options.epochs,
    random: uniformSource(layoutSeed),
  });
  const embedded = umap.fit(rows);
  const out = denseMatrix(n, components);
  embedded.forEach((point, i) =>
    point.forEach((x, c) => {
      out.values[i * components + c] = x;
    }),
  );
  return out;
}

/**
 * Embeds the rows of `data` (n x d; a 2-D Tensor is read as float64) in `components` dimensions;
 * returns n x components. Reproducible from its seed on a given engine.
 */
export async function umapEmbedding(data: DenseMatrix | Tensor, options: UmapOptions = {}): Promise<DenseMatrix> {
  const resolved = resolveOptions('umapEmbedding', UMAP_DEFAULTS, options);
  const matrix = asDenseMatrix(data);
  checkUmapInput(matrix, resolved.components);
  const { sketchSeed, layoutSeed, reduceTo } = plan(matrix, resolved);
  const reduced = reduceTo
    ? (await randomizedPca(matrix, { components: reduceTo, seed: sketchSeed, engine: resolved.engine })).scores
    : matrix;
  return layout(reduced, resolved, layoutSeed);
}
