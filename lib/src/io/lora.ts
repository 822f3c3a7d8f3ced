// Merging a PEFT LoRA adapter into its base model's weights, so a fine-tuned model can be analysed
// (HTSR, alignment, zoo statistics) as the weights it actually computes with: W' = W + scale·ΔW with
// ΔW = B·A, scale = lora_alpha / r (or lora_alpha / sqrt(r) with `use_rslora`), per module, as PEFT's
// `merge_and_unload` does. The product is formed in float64 and added to W in float64; the merged tensor
// is then stored in the base tensor's dtype (one rounding, like PEFT merging in the base's dtype).
//
// Adapter tensor names (as `save_pretrained` writes them, adapter name removed):
//   base_model.model.<module>.lora_A.weight  (r, in) [Conv: (r, in, kh, kw)]
//   base_model.model.<module>.lora_B.weight  (out, r) [Conv: (out, r, 1, 1)]
//   base_model.model.<module>.lora_embedding_A  (r, num_embeddings)   Embedding: ΔW = (B·A)ᵀ
//   base_model.model.<module>.lora_embedding_B  (embedding_dim, r)
//   base_model.model.<module>.modules_to_save.<param>  a full replacement of <module>.<param>
// `fan_in_fan_out` (GPT-2's Conv1D stores W as (in, out)) transposes ΔW of Linear modules.

import { ArgumentError, FormatError, ShapeError } from '../errors';
import { denseMatrix, multiply } from '../linalg/dense';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet, type TensorEntry } from '../weights/weight-set';

export interface MergeAdapterOptions {
  /**
   * adapter_config.json's fields, when the adapter WeightSet does not carry them in
   * `metadata.adapterConfig` (readAdapter and loadWeights on an adapter folder put them there).
   * @default the adapter's metadata.adapterConfig
   */
  config?: Record<string, unknown>;
}

export const MERGE_ADAPTER_DEFAULTS = {
  config: undefined,
} as const satisfies OptionDefaults<MergeAdapterOptions>;

/** One adapted module and what it contributes. */
interface AdaptedModule {
  module: string;
  kind: 'linear' | 'embedding';
  a?: string;
  b?: string;
}

const PEFT_PREFIX = 'base_model.model.';
const LORA_TENSOR = /^(.*)\.lora_(A|B)(?:\.[^.]+)?\.weight$/;
const LORA_EMBEDDING = /^(.*)\.lora_embedding_(A|B)(?:\.[^.]+)?$/;
const SAVED_MODULE = /^(.*)\.modules_to_save(?:\.[^.]+)?\.([^.]+)$/;

function stripPrefix(name: string): string {
  return name.startsWith(PEFT_PREFIX) ? name.slice(PEFT_PREFIX.length) : name;
}

function positiveNumber(config: Record<string, unknown>, key: string, file: string | undefined): number {
  const value = config[key];
  if (typeof value !== 'number' || !(value > 0))
    throw new FormatError(`adapter_config.json's ${key} must be a positive number`, {
      file,
      field: key,
      expected: 'a number > 0',
      found: JSON.stringify(value),
    });
  return value;
}

/** PEFT's per-module overrides (rank_pattern, alpha_pattern): a key matches a module name that ends with it. */
function patternValue(patterns: unknown, module: string): number | undefined {
  if (patterns === null || typeof patterns !== 'object') return undefined;
  for (const [pattern, value] of Object.entries(patterns as Record<string, unknown>)) {
    let matches: boolean;
    try {
      matches = new RegExp(`^(.*\\.)?(${pattern})$`).test(module);
    } catch {
      matches = module === pattern || module.endsWith(`.${pattern}`);
    }
    if (matches && typeof value === 'number') return value;
  }
  return undefined;
}

/** Whether `module` is one of adapter_config.json's target_modules (a list of name suffixes, or one regex). */
function targeted(targets: unknown, module: string): boolean {
  if (targets === undefined || targets === null || targets === 'all-linear') return true;
  if (typeof targets === 'string') {
    try {
      return new RegExp(`^(?:${targets})$`).test(module);
    } catch {
      return module === targets || module.endsWith(`.${targets}`);
    }
  }
  if (Array.isArray(targets))
    return targets.some((t) => typeof t === 'string' && (module === t || module.endsWith(`.${t}`)));
  return true;
}

/** The base tensor a module path names: exact, else the one base name that is a dotted suffix of it or vice versa. */
function baseName(base: WeightSet, wanted: string, adapterTensor: string, file: string | undefined): string {
  if (base.has(wanted)) return wanted;
  const candidates = base.names.filter((name) => wanted.endsWith(`.${name}`) || name.endsWith(`.${wanted}`));
  if (candidates.length === 1) return candidates[0];
  throw new FormatError(
    candidates.length === 0
      ? 'the adapter modifies a tensor the base model does not have'
      : 'the adapter names a tensor that several base tensors could be',
    { file, field: adapterTensor, expected: `a base tensor named ${wanted}`, found: candidates.join(', ') || 'none' },
  );
}

/**
 * The base model with a PEFT LoRA adapter merged in: every adapted module's weight becomes W + scale·ΔW
 * (ΔW = B·A in float64, transposed for `fan_in_fan_out` Linear layers and for embeddings), tensors of
 * `modules_to_save` replace theirs, every other tensor is the base's (still lazy). Merged tensors are
 * computed when first read. Errors (FormatError naming the adapter tensor): a module the base lacks, A's or
 * B's rank not the configured r, ΔW's shape not W's, a module outside target_modules, DoRA or a non-LoRA
 * adapter. `metadata.mergedAdapter` records the folder, r, alpha, scale and the modules merged.
 */
export function mergeAdapter(base: WeightSet, adapter: WeightSet, options: MergeAdapterOptions = {}): WeightSet {
  const o = resolveOptions('mergeAdapter', MERGE_ADAPTER_DEFAULTS, options);
  const config = o.config ?? (adapter.metadata.adapterConfig as Record<string, unknown> | undefined);
  const file = typeof adapter.metadata.weightFile === 'string' ? adapter.metadata.weightFile : undefined;
  if (config === undefined || config === null || typeof config !== 'object')
    throw new ArgumentError('the adapter carries no adapter_config.json: read it with readAdapter or pass { config }', {
      field: 'config',
    });
  if (config.peft_type !== undefined && config.peft_type !== 'LORA')
    throw new FormatError('only LoRA adapters can be merged', {
      file,
      field: 'peft_type',
      expected: 'LORA',
      found: String(config.peft_type),
    });
  if (config.use_dora === true)
    throw new FormatError('DoRA adapters (use_dora) rescale W by a learned magnitude: not supported', {
      file,
      field: 'use_dora',
      expected: 'false',
      found: 'true',
    });
  const rank = positiveNumber(config, 'r', file);
  const alpha = positiveNumber(config, 'lora_alpha', file);
  const rslora = config.use_rslora === true;
  const fanInFanOut = config.fan_in_fan_out === true;

  const modules = new Map<string, AdaptedModule>();
  const replacements = new Map<string, string>(); // base tensor -> adapter tensor
  for (const name of adapter.names) {
    const lora = LORA_TENSOR.exec(name) ?? LORA_EMBEDDING.exec(name);
    if (lora) {
      const module = stripPrefix(lora[1]);
      const kind = LORA_TENSOR.test(name) ? 'linear' : 'embedding';
      const entry = modules.get(module) ?? { module, kind };
      if (entry.kind !== kind)
        throw new FormatError('a module has both Linear and Embedding LoRA tensors', { file, field: name });
      if (lora[2] === 'A') entry.a = name;
      else entry.b = name;
      modules.set(module, entry);
      continue;
    }
    const saved = SAVED_MODULE.exec(name);
    if (saved) {
      replacements.set(baseName(base, `${stripPrefix(saved[1])}.${saved[2]}`, name, file), name);
      continue;
    }
    throw new FormatError('an adapter tensor that is neither a LoRA factor nor a saved module', {
      file,
      field: name,
      expected: '<module>.lora_A.weight, <module>.lora_B.weight, lora_embedding_A/B or modules_to_save',
    });
  }

  const merged = new Map<string, () => Tensor>();
  const record: { module: string; weight: string; r: number; alpha: number; scale: number }[] = [];
  for (const entry of modules.values()) {
    if (entry.a === undefined || entry.b === undefined)
      throw new FormatError('a LoRA module lacks one of its two factors', {
        file,
        field: entry.a ?? entry.b,
        expected: 'both lora_A and lora_B',
      });
    if (!targeted(config.target_modules, entry.module))
      throw new FormatError("the adapter has LoRA factors for a module outside adapter_config.json's target_modules", {
        file,
        field: entry.a,
        expected: JSON.stringify(config.target_modules),
        found: entry.module,
      });
    const r = patternValue(config.rank_pattern, entry.module) ?? rank;
    const moduleAlpha = patternValue(config.alpha_pattern, entry.module) ?? alpha;
    const aShape = adapter.info(entry.a).shape;
    const bShape = adapter.info(entry.b).shape;
    const aRank = aShape[0];
    const bRank = bShape[1];
    const trailingOnes = bShape.slice(2).every((extent) => extent === 1);
    if (aShape.length < 2 || bShape.length < 2 || aRank !== r || bRank !== r || !trailingOnes)
      throw new FormatError('LoRA factor shapes do not match the configured rank r', {
        file,
        field: aRank !== r || aShape.length < 2 ? entry.a : entry.b,
        expected: `A (${r}, in...) and B (out, ${r}) for r = ${r}`,
        found: `A [${aShape.join(', ')}], B [${bShape.join(', ')}]`,
      });
    const weight = baseName(base, `${entry.module}.weight`, entry.a, file);
    const baseShape = base.info(weight).shape;
    const out = bShape[0];
    const inner = sizeOf(aShape) / r;
    // ΔW as stored in the base: (out, in...) for Linear and Conv, transposed for fan_in_fan_out and Embedding.
    const transpose = entry.kind === 'embedding' || (fanInFanOut && baseShape.length === 2);
    const deltaShape = transpose ? [inner, out] : [out, ...aShape.slice(1)];
    if (sizeOf(baseShape) !== out * inner || baseShape.join('x') !== deltaShape.join('x'))
      throw new ShapeError("B·A does not have the base weight's shape", {
        file,
        field: entry.a,
        expected: `[${baseShape.join(', ')}] (${weight})`,
        found: `[${deltaShape.join(', ')}]${fanInFanOut ? ' with fan_in_fan_out' : ''}`,
      });
    const scale = rslora ? moduleAlpha / Math.sqrt(r) : moduleAlpha / r;
    const { a, b } = entry;
    merged.set(weight, () => {
      const product = multiply(
        denseMatrix(out, r, adapter.get(b).toFloat64()),
        denseMatrix(r, inner, adapter.get(a).toFloat64()),
      ).values;
      const original = base.get(weight);
      const values = original.toFloat64().slice();
      if (transpose) {
        for (let row = 0; row < out; row++)
          for (let column = 0; column < inner; column++)
            values[column * out + row] += scale * product[row * inner + column];
      } else for (let i = 0; i < values.length; i++) values[i] += scale * product[i];
      return new Tensor('float64', values, baseShape).astype(original.dtype);
    });
    record.push({ module: entry.module, weight, r, alpha: moduleAlpha, scale });
  }

  const entries = base.names.map((name): [string, TensorEntry] => {
    const info = base.info(name);
    const compute = merged.get(name);
    const replacement = replacements.get(name);
    if (replacement !== undefined) {
      const replacementInfo = adapter.info(replacement);
      if (replacementInfo.shape.join('x') !== info.shape.join('x'))
        throw new ShapeError("a saved module's tensor does not have the base tensor's shape", {
          file,
          field: replacement,
          expected: `[${info.shape.join(', ')}] (${name})`,
          found: `[${replacementInfo.shape.join(', ')}]`,
        });
      return [name, { dtype: replacementInfo.dtype, shape: info.shape, load: () => adapter.get(replacement) }];
    }
    if (compute !== undefined) return [name, { dtype: info.dtype, shape: info.shape, load: compute }];
    return [name, { dtype: info.dtype, shape: info.shape, load: () => base.get(name) }];
  });
  return new WeightSet(entries, {
    cache: true,
    metadata: {
      ...base.metadata,
      mergedAdapter: {
        folder: adapter.metadata.folder,
        r: rank,
        alpha,
        useRslora: rslora,
        fanInFanOut,
        modules: record,
        replaced: [...replacements.keys()],
      },
    },
  });
}
