// The one interface the trainer and the loss-landscape metrics see for a classifier: loss and
// gradient, exact Hessian-vector products, logits and hidden representations on rows of
// inputs. The MLP (./mlp.ts) and the small CNN (./cnn.ts) implement it, so training, Hessian
// spectra, mode connectivity and CKA are written once for both.

import { ArgumentError } from '../errors';
import { CnnNetwork, type CnnArchitecture } from './cnn';
import {
  MlpWorkspace,
  evaluateMlp,
  forward,
  hessianVectorProductMlp,
  lossAndGradient,
  type MlpArchitecture,
} from './mlp';
import { crossEntropy } from './kernels';

/** Every architecture the hand-written trainer knows. */
export type NetworkArchitecture = MlpArchitecture | CnnArchitecture;

/** Which representation CKA compares: the logits, the last hidden layer (the classifier's input), or hidden layer k (1-based). */
export type RepresentationLayer = 'logits' | 'hidden' | number;

/** A classifier with scratch space for up to `capacity` rows per call (one per thread; not re-entrant). */
export interface Network {
  readonly architecture: NetworkArchitecture;
  readonly parameterCount: number;
  /** Features per input row. */
  readonly inputs: number;
  readonly outputs: number;
  readonly capacity: number;
  /** Width of each hidden representation, in order (hidden(…, k) has hiddenWidths[k - 1] columns). */
  readonly hiddenWidths: readonly number[];
  /** Logits of n rows (a view, valid until the next call). */
  forward(params: Float64Array, x: Float64Array, n: number): Float64Array;
  /** Mean cross-entropy over n rows and its gradient (grad overwritten). */
  lossAndGradient(
    params: Float64Array,
    x: Float64Array,
    labels: ArrayLike<number>,
    n: number,
    grad: Float64Array,
  ): { loss: number; correct: number };
  /** Exact H v of the mean cross-entropy over n rows (out overwritten); returns the loss. */
  hessianVectorProduct(
    params: Float64Array,
    x: Float64Array,
    labels: ArrayLike<number>,
    n: number,
    v: Float64Array,
    out: Float64Array,
  ): number;
  /** Hidden representation k (1-based) of n rows, as a new n x hiddenWidths[k - 1] array. */
  hidden(params: Float64Array, x: Float64Array, n: number, layer: number): Float64Array;
}

class MlpNetwork implements Network {
  readonly architecture: MlpArchitecture;
  readonly parameterCount: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly capacity: number;
  readonly hiddenWidths: readonly number[];
  readonly workspace: MlpWorkspace;

  constructor(arch: MlpArchitecture, capacity: number) {
    this.architecture = arch;
    this.workspace = new MlpWorkspace(arch, capacity);
    const last = this.workspace.slots[this.workspace.slots.length - 1];
    this.parameterCount = last.bias + last.outputs;
    this.inputs = arch.inputs;
    this.outputs = arch.outputs;
    this.capacity = capacity;
    this.hiddenWidths = [...arch.hidden];
  }

  forward(params: Float64Array, x: Float64Array, n: number): Float64Array {
    return forward(this.workspace, params, x, n);
  }
  lossAndGradient(params: Float64Array, x: Float64Array, labels: ArrayLike<number>, n: number, grad: Float64Array) {
    return lossAndGradient(this.workspace, params, x, labels, n, grad);
  }
  hessianVectorProduct(
    params: Float64Array,
    x: Float64Array,
    labels: ArrayLike<number>,
    n: number,
    v: Float64Array,
    out: Float64Array,
  ): number {
    return hessianVectorProductMlp(this.workspace, params, x, labels, n, v, out);
  }

  hidden(params: Float64Array, x: Float64Array, n: number, layer: number): Float64Array {
    if (!(Number.isInteger(layer) && layer >= 1 && layer <= this.hiddenWidths.length))
      throw new ArgumentError('no such hidden layer', {
        expected: `1..${this.hiddenWidths.length}`,
        found: String(layer),
      });
    forward(this.workspace, params, x, n);
    return this.workspace.a[layer].slice(0, n * this.hiddenWidths[layer - 1]);
  }
}

/** The network of an architecture, with room for `capacity` rows per call. */
export function buildNetwork(arch: NetworkArchitecture, capacity = 256): Network {
  if (arch.kind === 'cnn') return new CnnNetwork(arch, capacity);
  if (arch.kind === 'mlp') return new MlpNetwork(arch, capacity);
  throw new ArgumentError('unknown architecture', {
    field: 'kind',
    expected: 'mlp | cnn',
    found: String((arch as { kind?: unknown }).kind),
  });
}

/** Mean loss and accuracy (a fraction) of the parameters on `size` rows, in chunks of the network's capacity. */
export function evaluateNetwork(
  net: Network,
  params: Float64Array,
  x: Float64Array,
  labels: Int32Array,
  size: number,
): { loss: number; accuracy: number } {
  // The MLP keeps its own loop so that zoos built before the CNN existed reproduce byte for byte.
  if (net instanceof MlpNetwork) return evaluateMlp(net.workspace, params, x, labels, size);
  const f = net.inputs;
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < size; start += net.capacity) {
    const n = Math.min(net.capacity, size - start);
    const logits = net.forward(params, x.subarray(start * f, (start + n) * f), n);
    const r = crossEntropy(logits, labels.subarray(start, start + n), n, net.outputs);
    loss += r.loss * n;
    correct += r.correct;
  }
  return { loss: loss / size, accuracy: correct / size };
}

/** The representation `layer` of `size` rows as a row-major size x columns matrix (logits, 'hidden' = the classifier's input, or hidden layer k). */
export function networkRepresentation(
  net: Network,
  params: Float64Array,
  x: Float64Array,
  size: number,
  layer: RepresentationLayer = 'logits',
): { values: Float64Array; rows: number; columns: number } {
  const index = layer === 'hidden' ? net.hiddenWidths.length : layer;
  if (index !== 'logits' && !(Number.isInteger(index) && index >= 1 && index <= net.hiddenWidths.length)) {
    throw new ArgumentError('no such representation layer', {
      field: 'layer',
      expected: `'logits', 'hidden' or 1..${net.hiddenWidths.length}`,
      found: String(layer),
    });
  }
  const columns = index === 'logits' ? net.outputs : net.hiddenWidths[index - 1];
  const values = new Float64Array(size * columns);
  const f = net.inputs;
  for (let start = 0; start < size; start += net.capacity) {
    const n = Math.min(net.capacity, size - start);
    const rows = x.subarray(start * f, (start + n) * f);
    values.set(index === 'logits' ? net.forward(params, rows, n) : net.hidden(params, rows, n, index), start * columns);
  }
  return { values, rows: size, columns };
}
