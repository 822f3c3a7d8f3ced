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
import { randomizedPca, randomizedPcaOnEngine } from './pca';

export interface UmapOptions {
  /** Output dimension (default 2). */
  components?: number;
  /** Neighbours per point (default 15, or n - 1 for tiny zoos). */
  neighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDistance?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 below 10,000 points). */
  epochs?: number;
  /** Reduce inputs wider than this with PCA first (default 50; 0 disables). */
  pcaComponents?: number;
  /** Seed or generator (default seed 0). */
  seed?: number | Rng;
}

/** Buffered uniform draws from an Rng as the `() => number` umap-js expects. */
function uniformSource(random: Rng): () => number {
  let buffer = new Float64Array(0);
  let at = 0;
  return () => {
    if (at === buffer.length) { buffer = random.uniform(4096); at = 0; }
    return buffer[at++];
  };
}

function checkUmapInput(data: DenseMatrix, components: number): void {
  if (data.rows < 3) throw new ArgumentError('UMAP needs at least three points', { field: 'data', found: `${data.rows} row(s)` });
  if (!Number.isInteger(components) || components < 1) throw new ArgumentError('components must be a positive integer', { field: 'components', found: String(components) });
}

/** Seeds of the PCA sketch and of the layout, and whether to reduce first. */
function plan(data: DenseMatrix, options: UmapOptions): { sketchSeed: Rng; layoutSeed: Rng; reduceTo: number } {
  const random = typeof options.seed === 'object' ? options.seed : makeRng(options.seed ?? 0);
  const [sketchSeed, layoutSeed] = random.split(2);
  const pcaComponents = options.pcaComponents ?? 50;
  const reduceTo = pcaComponents > 0 && data.cols > pcaComponents && data.rows > pcaComponents ? pcaComponents : 0;
  return { sketchSeed, layoutSeed, reduceTo };
}

function layout(reduced: DenseMatrix, options: UmapOptions, layoutSeed: Rng): DenseMatrix {
  const n = reduced.rows;
  const components = options.components ?? 2;
  const rows = Array.from({ length: n }, (_, i) => Array.from(reduced.values.subarray(i * reduced.cols, (i + 1) * reduced.cols)));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { UMAP } = require('umap-js') as { UMAP: typeof UmapClass };
  const umap = new UMAP({
    nComponents: components,
    nNeighbors: Math.min(options.neighbors ?? 15, n - 1),
    minDist: options.minDistance ?? 0.1,
    nEpochs: options.epochs,
    random: uniformSource(layoutSeed),
  });
  const embedded = umap.fit(rows);
  const out = denseMatrix(n, components);
  embedded.forEach((point, i) => point.forEach((x, c) => { out.values[i * components + c] = x; }));
  return out;
}

/** Embeds the rows of `data` (n x d) in `components` dimensions; returns n x components. */
export function umapEmbedding(data: DenseMatrix, options: UmapOptions = {}): DenseMatrix {
  checkUmapInput(data, options.components ?? 2);
  const { sketchSeed, layoutSeed, reduceTo } = plan(data, options);
  const reduced = reduceTo ? randomizedPca(data, { components: reduceTo, seed: sketchSeed }).scores : data;
  return layout(reduced, options, layoutSeed);
}

/**
 * umapEmbedding with the PCA pre-reduction on the matmul engine. Reproducible from its seed;
 * not bit-identical to umapEmbedding's layout, because UMAP amplifies the rounding
 * differences of its input (neighbour ties, stochastic gradient steps).
 */
export async function umapEmbeddingOnEngine(data: DenseMatrix, options: UmapOptions = {}): Promise<DenseMatrix> {
  checkUmapInput(data, options.components ?? 2);
  const { sketchSeed, layoutSeed, reduceTo } = plan(data, options);
  const reduced = reduceTo ? (await randomizedPcaOnEngine(data, { components: reduceTo, seed: sketchSeed })).scores : data;
  return layout(reduced, options, layoutSeed);
}
