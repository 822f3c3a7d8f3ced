// `weightlab htsr PATH`: WeightWatcher's per-layer HTSR/SETOL metrics of a checkpoint from the
// command line. PATH is any weight file weightlab reads, or a .npy holding one matrix (2-D = a
// Linear weight (out, in), 4-D = a Conv2d kernel (out, in, kh, kw)). With --json it prints one
// JSON object per layer, the rows of the result's table (WeightWatcher's column names, the same
// as in the API), for diffing against WeightWatcher.
// With --describe it only lists the layers an analysis would fit (WeightWatcher's describe()).
// Exits 1, listing every skipped layer and why, when no layer could be analysed.

import {
  analyze,
  ANALYZE_DEFAULTS,
  ArgumentError,
  describe,
  loadWeights,
  readNpy,
  skippedLine,
  WeightSet,
  type AnalyzeOptions,
} from 'weightlab/internal';
import { numberOption, parseArgs, UsageError, type Command } from '../command';

const HELP = `Usage: weightlab htsr PATH [--json] [--fix-fingers clip_xmax|xmin_peak] [--fit PL|TPL|E_TPL] [--pl-package ww|powerlaw]
                      [--detx] [--mp-fit] [--randomize] [--glorot-fix] [--fft] [--tolerance X] [--xmax K|force]
       weightlab htsr PATH --describe [--json]
                      [--no-pool | --intra [--no-sparsify] | --peft | --peft-with-base] [--vectors]

HTSR / SETOL layer-quality metrics (WeightWatcher 0.7.5.5's alpha, alpha_weighted, D, xmin, norms, ...)
of every Linear / Conv1D / Conv2d / Embedding layer of a checkpoint.

Arguments:
  PATH                     a weight file (safetensors, .pt/.bin, .npz, tfjs model.json / weights manifest or
                           its folder, ONNX, Keras HDF5), a Hugging Face model folder or hub cache
                           models--org--name folder, or a .npy with one matrix: 2-D = Linear weight
                           (out, in), 4-D = Conv2d kernel (out, in, kh, kw)

Exit status: 0 with at least one layer analysed; 1 when none could be (the reasons go to stderr).

Options:
  --json                   one JSON object per layer, WeightWatcher's snake_case column names
  --describe               list the layers an analysis would fit (layer_id, name, M, N, Q, layer_type,
                           longname, num_evals, rf), computing nothing (WeightWatcher's describe())
  --fix-fingers clip_xmax  refit without spurious top eigenvalues (default: off)
  --fix-fingers xmin_peak  search xmin only up to 1.5x the log-ESD histogram peak (powerlaw package)
  --xmin-max X             xmin_peak: upper end of the xmin search instead of 1.5x the peak
  --fit PL|TPL|E_TPL       tail model: power law (default), truncated power law (adds Lambda), or TPL
                           with xmin_peak; TPL and xmin_peak use the powerlaw package's fit
  --pl-package ww|powerlaw WeightWatcher's own fit (default) or the powerlaw package's (xmax is null)
  --detx                   SETOL trace-log condition: detX_num, detX_val, detX_val_unrescaled, erg_gap
  --mp-fit                 Marchenko-Pastur bulk fit: num_spikes, sigma_mp, mp_softrank, ...
  --vectors                eigenvector localization, bulk vs tail: bulk_mean_vec_entropy, tail_mean_loc_ratio, ...
  --randomize              randomized-ESD columns: rand_distance, max_rand_eval, ... (seeded)
  --seed N                 seed of the randomized ESD (default ${ANALYZE_DEFAULTS.seed})
  --min-evals N            skip layers with fewer eigenvalues (default ${ANALYZE_DEFAULTS.minEvals})
  --max-evals N            skip layers with more eigenvalues (default ${ANALYZE_DEFAULTS.maxEvals})
  --glorot-fix             scale each matrix by sqrt((N + M) / 2) (WeightWatcher's glorot_fix)
  --fft                    analyse the real part of each matrix's 2-D DFT (WeightWatcher's experimental fft)
  --tolerance X            weak_rank_loss counts eigenvalues below X (default ${ANALYZE_DEFAULTS.tolerance})
  --xmax K                 fit without the top |K| eigenvalues, e.g. --xmax -2 (WeightWatcher's xmax)
  --xmax force             the powerlaw package's fit bounded by the largest eigenvalue

What a row is (WeightWatcher's layer iterators; default: one row per layer, Conv2d slices pooled):
  --no-pool                one row per Conv2d kernel slice (slice_id column; WeightWatcher's pool=False, ww2x)
  --intra                  one row per pair of consecutive layers: the ESD of their product (Xflag column)
  --no-sparsify            --intra without the random 0/1 mask between the layers (drawn from --seed)
  --peft                   PEFT LoRA checkpoints: only each adapter's delta B·A (rows *.lora_BA)
  --peft-with-base         the base layers, W + B·A (rows *.lora_W_plus_AB) and B·A (peft column)
`;

export const htsrCommand: Command = {
  name: 'htsr',
  summary: 'HTSR/SETOL spectral metrics per layer (WeightWatcher-compatible alpha, alpha_weighted, ...)',
  help: HELP,
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, {
      values: ['fix-fingers', 'fit', 'pl-package', 'xmin-max', 'seed', 'min-evals', 'max-evals', 'tolerance', 'xmax'],
      flags: [
        'json',
        'detx',
        'mp-fit',
        'randomize',
        'describe',
        'glorot-fix',
        'fft',
        'no-pool',
        'intra',
        'no-sparsify',
        'peft',
        'peft-with-base',
        'vectors',
      ],
    });
    if (parsed.positional.length !== 1) throw new UsageError('expected exactly one PATH');
    const fixFingers = parsed.options['fix-fingers'];
    if (fixFingers !== undefined && fixFingers !== 'clip_xmax' && fixFingers !== 'xmin_peak')
      throw new UsageError(`--fix-fingers takes clip_xmax or xmin_peak, got '${fixFingers}'`);
    const fit = parsed.options.fit;
    if (fit !== undefined && fit !== 'PL' && fit !== 'TPL' && fit !== 'E_TPL')
      throw new UsageError(`--fit takes PL, TPL or E_TPL, got '${fit}'`);
    const plPackage = parsed.options['pl-package'];
    if (plPackage !== undefined && plPackage !== 'ww' && plPackage !== 'powerlaw')
      throw new UsageError(`--pl-package takes ww or powerlaw, got '${plPackage}'`);
    const xminMax = parsed.options['xmin-max'] === undefined ? undefined : Number(parsed.options['xmin-max']);
    if (xminMax !== undefined && !(xminMax > 0))
      throw new UsageError(`--xmin-max must be a positive number, got '${parsed.options['xmin-max']}'`);
    const seed = parsed.options.seed === undefined ? ANALYZE_DEFAULTS.seed : Number(parsed.options.seed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new UsageError(`--seed must be a non-negative integer, got '${parsed.options.seed}'`);
    const tolerance =
      parsed.options.tolerance === undefined ? ANALYZE_DEFAULTS.tolerance : Number(parsed.options.tolerance);
    if (!(tolerance >= 0)) throw new UsageError(`--tolerance must be a number >= 0, got '${parsed.options.tolerance}'`);
    const rawXmax = parsed.options.xmax;
    const xmax = rawXmax === undefined || rawXmax === 'force' ? rawXmax : Number(rawXmax);
    if (typeof xmax === 'number' && !(Number.isInteger(xmax) && xmax !== 0))
      throw new UsageError(`--xmax takes a nonzero integer (top eigenvalues left out) or force, got '${rawXmax}'`);
    const sizes = {
      minEvals: numberOption(parsed, 'min-evals', ANALYZE_DEFAULTS.minEvals),
      maxEvals: numberOption(parsed, 'max-evals', ANALYZE_DEFAULTS.maxEvals),
      glorotFix: parsed.flags.has('glorot-fix'),
      fft: parsed.flags.has('fft'),
    };
    const file = parsed.positional[0];
    if (parsed.flags.has('describe')) {
      const model = file.toLowerCase().endsWith('.npy') ? readNpy(file) : await loadWeights(file);
      const table = describe(model, sizes);
      if (table.numRows() === 0) {
        process.stderr.write(`weightlab htsr: no layer of ${file} would be analysed (see weightlab htsr ${file})\n`);
        return 1;
      }
      if (parsed.flags.has('json')) for (const row of table.rows()) process.stdout.write(`${JSON.stringify(row)}\n`);
      else process.stdout.write(`${table.toString()}\n`);
      return 0;
    }
    // Flags left out stay undefined: analyze() fills in its own defaults (ANALYZE_DEFAULTS).
    const options: AnalyzeOptions = {
      ...sizes,
      tolerance,
      xmax,
      fixFingers,
      fit,
      plPackage,
      xminMax,
      detX: parsed.flags.has('detx'),
      mpFit: parsed.flags.has('mp-fit'),
      randomize: parsed.flags.has('randomize'),
      seed,
      // The layer iterator.
      pool: !parsed.flags.has('no-pool'),
      intra: parsed.flags.has('intra'),
      sparsify: !parsed.flags.has('no-sparsify'),
      peft: parsed.flags.has('peft-with-base') ? 'with_base' : parsed.flags.has('peft'),
      vectors: parsed.flags.has('vectors'),
    };
    if (parsed.flags.has('peft') && parsed.flags.has('peft-with-base'))
      throw new UsageError('--peft and --peft-with-base exclude each other (--peft-with-base includes the deltas)');
    if (parsed.flags.has('no-sparsify') && !options.intra)
      throw new UsageError('--no-sparsify applies to --intra only');
    const model = file.toLowerCase().endsWith('.npy') ? readNpy(file) : await loadWeights(file);
    let result;
    try {
      result = await analyze(model, options);
    } catch (error) {
      // A combination of fit options WeightWatcher rejects is a usage error of these flags.
      const field = error instanceof ArgumentError ? error.details.field : undefined;
      if (
        field === 'fit' ||
        field === 'fixFingers' ||
        field === 'plPackage' ||
        field === 'xmax' ||
        field === 'intra' ||
        field === 'peft' ||
        field === 'glorotFix' ||
        field === 'fft'
      )
        throw new UsageError((error as Error).message);
      throw error;
    }
    if (result.layers.length === 0) {
      // An empty table with an empty mean alpha would read as a result: it is a failure, with its reasons.
      process.stderr.write(
        `weightlab htsr: no layer of ${file} could be analysed (${result.skipped.length} skipped):\n`,
      );
      for (const skipped of result.skipped) process.stderr.write(`  ${skippedLine(skipped)}\n`);
      if (result.skipped.length === 0) process.stderr.write('  the file holds no tensors\n');
      // Tensors the reader could not represent at all (tfjs string weights, HDF5 compound datasets).
      const metadata = model instanceof WeightSet ? model.metadata : {};
      const unread = [metadata.skippedWeights, metadata.skippedDatasets].flatMap((list) =>
        Array.isArray(list) ? list : [],
      );
      if (unread.length > 0) process.stderr.write(`  not read from the file: ${unread.join(', ')}\n`);
      return 1;
    }
    if (parsed.flags.has('json')) {
      for (const row of result.toJSON()) process.stdout.write(`${JSON.stringify(row)}\n`);
      for (const skipped of result.skipped) process.stderr.write(`skipped ${skippedLine(skipped)}\n`);
    } else {
      // The text table lists the skipped layers itself.
      process.stdout.write(`${result.toString()}\n`);
    }
    return 0;
  },
};
