// The coordinates trained generators learn in: aligned weight vectors either projected to
// whitened PCA codes (unit variance per component) or standardised per coordinate (full weight
// space), plus the way back to WeightSets. Shared by flow matching, mini D2NWG, mini IGPG and
// the hypernetworks, so they all see the zoo the same way.

import type { WeightSet } from '../weights/weight-set';
import { coordinateStd, meanVector } from './linear-algebra';
import { fitPca, pcaDecode, pcaEncode, type Pca } from './pca';
import type { WeightSpace } from './weight-space';

export interface RepresentationOptions {
  space: 'pca' | 'full';
  /** PCA rank (default min(N − 1, 64)). */
  rank?: number;
}

export class Representation {
  /** Standardised training data, [count, dimension] row-major float32 (what the networks see). */
  readonly data: Float32Array;
  readonly count: number;
  readonly dimension: number;
  private constructor(
    readonly space: WeightSpace,
    readonly shift: Float64Array,
    readonly scale: Float64Array,
    readonly pca: Pca | undefined,
    vectors: Float64Array[],
  ) {
    this.count = vectors.length;
    this.dimension = shift.length;
    this.data = new Float32Array(this.count * this.dimension);
    vectors.forEach((v, i) => {
      for (let k = 0; k < this.dimension; k++) this.data[i * this.dimension + k] = (v[k] - shift[k]) / scale[k];
    });
  }

  static of(space: WeightSpace, options: RepresentationOptions): Representation {
    if (options.space === 'pca') {
      const pca = fitPca(space.vectors, options.rank ?? Math.min(space.vectors.length - 1, 64));
      return new Representation(
        space,
        new Float64Array(pca.rank),
        Float64Array.from(pca.scales),
        pca,
        space.vectors.map((v) => pcaEncode(pca, v)),
      );
    }
    const shift = meanVector(space.vectors);
    const std = coordinateStd(space.vectors, shift);
    const largest = std.reduce((a, b) => Math.max(a, b), 0);
    // Coordinates the zoo never varies keep scale 1 (no division by ~0).
    const scale = std.map((s) => (s > 1e-8 * largest ? s : 1));
    return new Representation(space, shift, scale, undefined, space.vectors);
  }

  /** Coordinates (x − shift) / scale with a given shift and scale (e.g. a layer's init scale, no zoo statistics). */
  static scaled(space: WeightSpace, shift: Float64Array, scale: Float64Array): Representation {
    return new Representation(space, shift, scale, undefined, space.vectors);
  }

  /** The weight vector of standardised coordinates `z` (offset `at` in a batch). */
  vector(z: ArrayLike<number>, at = 0): Float64Array {
    const raw = new Float64Array(this.dimension);
    for (let k = 0; k < this.dimension; k++) raw[k] = z[at + k] * this.scale[k] + this.shift[k];
    return this.pca ? pcaDecode(this.pca, raw) : raw;
  }

  /** WeightSets from a batch of standardised rows [n, dimension]. */
  weights(batch: ArrayLike<number>, n: number, metadata: (i: number) => Record<string, unknown>): WeightSet[] {
    return Array.from({ length: n }, (_, i) =>
      this.space.toWeights(this.vector(batch, i * this.dimension), metadata(i)),
    );
  }

  /** Standardised coordinates of a weight vector. */
  encode(vector: ArrayLike<number>): Float64Array {
    const raw = this.pca ? pcaEncode(this.pca, vector) : Float64Array.from(vector);
    return raw.map((v, k) => (v - this.shift[k]) / this.scale[k]);
  }
}
