// Turning whatever zoo a user holds into a checked list of models: same tensors, same shapes,
// finite values. Every generator and the evaluation go through here, so a bad zoo fails once,
// early, with the model and the reason named.

import { ArgumentError, NumericalError, ShapeError } from '../errors';
import { WeightSet } from '../weights/weight-set';
import type { ZooInput } from './types';

/** The models of a zoo input, in order. */
export async function zooModels(zoo: ZooInput): Promise<WeightSet[]> {
  if (Array.isArray(zoo)) return [...zoo];
  const maybe = zoo as { models?: readonly WeightSet[] };
  if (maybe && Array.isArray(maybe.models)) return [...maybe.models];
  if (zoo && typeof (zoo as AsyncIterable<WeightSet>)[Symbol.asyncIterator] === 'function') {
    const out: WeightSet[] = [];
    for await (const model of zoo as AsyncIterable<WeightSet>) out.push(model);
    return out;
  }
  if (zoo && typeof (zoo as Iterable<WeightSet>)[Symbol.iterator] === 'function')
    return [...(zoo as Iterable<WeightSet>)];
  throw new ArgumentError('not a zoo: expected an array or iterable of WeightSets, or an object with `models`', {
    field: 'zoo',
    found: typeof zoo,
  });
}

function modelLabel(model: WeightSet, index: number): string {
  const name = model.metadata.name ?? model.metadata.seed;
  return name === undefined ? `model ${index}` : `model ${index} (${String(name)})`;
}

export interface CheckZooOptions {
  /** Fewest models accepted (default 1). */
  minimum?: number;
  /** What needs them, for the message. */
  purpose?: string;
}

/**
 * Checks that every model has the first model's tensor names and shapes (one architecture) and
 * only finite values; the error names the model, the tensor and what is wrong.
 */
export function checkZoo(models: readonly WeightSet[], options: CheckZooOptions = {}): void {
  const minimum = options.minimum ?? 1;
  if (models.length < minimum) {
    throw new ArgumentError(`too few models${options.purpose ? ` for ${options.purpose}` : ''}`, {
      field: 'zoo',
      expected: `at least ${minimum}`,
      found: String(models.length),
    });
  }
  const first = models[0];
  models.forEach((model, index) => {
    if (!(model instanceof WeightSet))
      throw new ArgumentError('zoo entry is not a WeightSet', { field: `model ${index}` });
    const label = modelLabel(model, index);
    if (model.size !== first.size || model.names.some((name, k) => name !== first.names[k])) {
      const missing = first.names.find((name) => !model.has(name));
      const extra = model.names.find((name) => !first.has(name));
      throw new ShapeError(`mixed architectures: ${label} has different tensors than model 0`, {
        field: label,
        expected: missing ? `a tensor '${missing}'` : `${first.size} tensors in model 0's order`,
        found: extra ? `extra tensor '${extra}'` : `${model.size} tensors`,
      });
    }
    for (const name of first.names) {
      const a = first.info(name).shape;
      const b = model.info(name).shape;
      if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
        throw new ShapeError(`mixed architectures: ${label} differs from model 0 in tensor '${name}'`, {
          field: `${label}: ${name}`,
          expected: `[${a.join(', ')}]`,
          found: `[${b.join(', ')}]`,
        });
      }
      const values = model.get(name).toFloat64();
      for (let k = 0; k < values.length; k++) {
        if (!Number.isFinite(values[k])) {
          throw new NumericalError(`${label} has a non-finite weight`, {
            field: `${label}: ${name}[${k}]`,
            expected: 'finite values',
            found: String(values[k]),
          });
        }
      }
    }
  });
}
