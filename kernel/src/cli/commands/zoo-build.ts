// `weightlab zoo build --preset NAME --out DIR [--small]`: trains a named zoo grid into a
// native weightlab zoo folder (resumable: rerun the same command after a kill to continue),
// optionally followed by its phase metrics and phase diagram (--phases). --engine picks the
// training engine (lib/src/train/jax-engine.ts): the JS loops (default) or jitted jax-js groups.
// --shard I/N trains one part of the grid, so SLURM array tasks or Kubernetes pods (`weightlab zoo
// submit`) or plain shells build one zoo together.
// --spec FILE builds a grid of the user's own (a ZooSpec as JSON), and --dataset trains a preset's
// or a spec's grid on the user's own data (a file, or a module that produces it; issue #18).

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildZoo,
  classifyPhases,
  FormatError,
  phaseDiagram,
  phaseMetrics,
  zooPreset,
  zoo as zoos,
  type ZooSpec,
} from 'weightlab';
import { parseArgs, UsageError, workersOption, type Command } from '../command';

/** The prefix of --dataset that names a module instead of a file. */
const MODULE_PREFIX = 'module:';

/**
 * A ZooSpec from a JSON file. Paths of the user's data inside it are taken from the spec's
 * folder (so a spec and its data move together), made absolute here.
 */
function readSpecFile(file: string): ZooSpec {
  let spec: ZooSpec;
  try {
    spec = JSON.parse(fs.readFileSync(file, 'utf8')) as ZooSpec;
  } catch (error) {
    throw new FormatError(`cannot read the zoo spec: ${(error as Error).message}`, {
      file,
      expected: 'a ZooSpec as JSON',
    });
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new FormatError('a zoo spec is a JSON object', { file, expected: '{ "name": ..., "dataset": ... }' });
  const folder = path.dirname(path.resolve(file));
  const dataset = spec.dataset as unknown;
  if (typeof dataset === 'object' && dataset !== null) {
    const source = dataset as { file?: unknown; module?: unknown };
    for (const key of ['file', 'module'] as const) {
      const where = source[key];
      if (typeof where === 'string')
        spec = { ...spec, dataset: { ...source, [key]: path.resolve(folder, where) } as never };
    }
  }
  return spec;
}

/** --dataset FILE or --dataset module:PATH (relative to the working folder), with --labels as the source's y. */
function datasetOverride(value: string, labels: string | undefined): ZooSpec['dataset'] {
  if (value.startsWith(MODULE_PREFIX)) {
    if (labels !== undefined) throw new UsageError('--labels names the labels of a data file, not of a module');
    return { module: path.resolve(value.slice(MODULE_PREFIX.length)) };
  }
  return { file: path.resolve(value), ...(labels !== undefined ? { y: labels } : {}) };
}

export const zooBuildCommand: Command = {
  name: 'zoo build',
  summary: 'train a model zoo grid (e.g. digits-mlp-grid) into a weightlab zoo folder',
  help: `Usage: weightlab zoo build (--preset NAME | --spec FILE) --out DIR [--dataset FILE|module:PATH] [--labels Y]
                         [--small] [--workers N] [--engine js|jax|auto] [--shard I/N] [--phases] [--cka-layer L] [--json]

Trains every model of the preset's grid with seeded, deterministic SGD (Adam for the PINN) and writes the
native weightlab zoo format (zoo.json, per-model params.json, result.json, and
checkpoint_NNNNNN/weights.safetensors). Models already complete in DIR are skipped,
so rerunning after an interruption continues the build.

Presets:
${Object.entries(zoos.ZOO_PRESETS)
  .map(([name, preset]) => `  ${name.padEnd(22)}${preset.summary}`)
  .join('\n')}

Your own data: --dataset trains the preset's (or spec's) grid on it instead of the grid's dataset.
A file is .npz or .safetensors (features array 'x' of shape [rows, features] or images [rows, H, W]
or [rows, C, H, W], integer labels 'y' in 0..C-1), .npy (the features; --labels names the labels'
.npy file) or .csv (one example per row, the label in the last column or the one --labels names;
a first row that is not all numbers is a header). module:PATH names a CommonJS module whose
default export (a function, or a value) gives { x, y } or a ready { train, test } split; it runs
in every worker thread (zoo readers in a later process run it only when $WEIGHTLAB_DATA_MODULES
lists it). The split is stratified, a seeded 20% held out for testing. zoo.json
records the data's path and SHA-256, and resuming a build with changed data is refused. A spec
file (--spec) is a ZooSpec as JSON: {"name", "dataset", "axes", "seeds", "epochs", ...}, where
"dataset" is a name or {"file": "data.npz", "x": "x", "y": "y", "testFraction": 0.2, "seed": 0}
or {"module": "data.js", "export": "default"}; its paths are taken from the spec file's folder.

Options:
  --preset NAME   the grid to build (this or --spec is required)
  --spec FILE     a zoo spec (JSON) to build instead of a preset
  --out DIR       output folder (required)
  --dataset D     train on your own data: a .npz, .npy, .safetensors or .csv FILE, or
                  module:PATH (paths from the working folder)
  --labels Y      with --dataset FILE: the labels' array name (npz, safetensors; default y),
                  .npy file (required for .npy) or CSV column (default: the last)
  --small         the preset's small variant (a few models, for tests and CI)
  --workers N     worker threads (default: min(2, cores), or SLURM_CPUS_PER_TASK / WEIGHTLAB_CPUS
                  when set, which also cap onnxruntime's threads; 0 = this thread)
  --shard I/N     train only shard I of N (0-based; whole grid cells, round-robin in grid order; I is what
                  SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX give). Shards never write the same
                  model's files; the zoo is complete when every shard has run (no merge step);
                  each shard records its state in DIR/.shards/I-of-N.json for 'weightlab zoo status'.
                  Rerunning a shard trains only its unfinished models.
  --engine E      training engine: js (default; float64 loops, same-shaped ReLU MLPs and CNNs with SGD
                  in wasm lockstep groups, the same bits as one model at a time),
                  jax (groups of up to 24 same-shaped MLPs, one jit-compiled jax-js step per
                  group on its wasm device; MLP classification with SGD only: the CNN and PINN
                  presets train with js), auto (per group, jax only where bench/zoo.js --engines
                  measured it faster; on 2 cores it never was, so today auto = js). Both engines
                  follow the same seeded init and batch order and agree to ~1e-8; the engine is
                  recorded in zoo.json and params.json, and a build resumes with its engine
  --phases        then compute the phase metrics, classify the phases and print the diagram
  --cka-layer L   representation for the phase metrics' CKA: logits (default), hidden
                  (the last hidden layer) or a hidden layer number (1 = first)
  --json          print the build report as JSON: {out, shard, models (of this shard), trained, skipped, failed, nan,
                  seconds, models_per_minute} and, with --phases, phases: {rows (the phase
                  table's columns: width, batch_size, ..., train_loss, ..., phase,
                  phase_reason), thresholds, problems}
`,
  async run(args) {
    const parsed = parseArgs(args, {
      values: ['preset', 'spec', 'out', 'workers', 'cka-layer', 'engine', 'dataset', 'labels', 'shard'],
      flags: ['small', 'phases', 'json'],
    });
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const name = parsed.options.preset;
    const specFile = parsed.options.spec;
    const out = parsed.options.out;
    if (!name && !specFile) throw new UsageError('--preset NAME or --spec FILE is required');
    if (name && specFile) throw new UsageError('give --preset or --spec, not both');
    if (!out) throw new UsageError('--out DIR is required');
    if (name && !(name in zoos.ZOO_PRESETS))
      throw new UsageError(`unknown preset '${name}' (known: ${Object.keys(zoos.ZOO_PRESETS).join(', ')})`);
    if (specFile && parsed.flags.has('small')) throw new UsageError("--small picks a preset's small variant");
    if (parsed.options.labels !== undefined && parsed.options.dataset === undefined)
      throw new UsageError('--labels goes with --dataset FILE');
    let spec = specFile ? readSpecFile(specFile) : zooPreset(name!, { small: parsed.flags.has('small') });
    if (parsed.options.dataset !== undefined) {
      if (spec.dataset === 'convection')
        throw new UsageError('the convection zoo trains on its PDE: it takes no --dataset');
      // The grid's own dataset options (its generator's) do not apply to the user's data.
      spec = { ...spec, dataset: datasetOverride(parsed.options.dataset, parsed.options.labels), datasetOptions: {} };
    }
    const workers = workersOption(parsed);
    const json = parsed.flags.has('json');
    const engine = parsed.options.engine ?? 'js';
    if (engine !== 'js' && engine !== 'jax' && engine !== 'auto')
      throw new UsageError(`--engine must be js, jax or auto (got '${engine}')`);
    const layerText = parsed.options['cka-layer'] ?? 'logits';
    const ckaLayer = layerText === 'logits' || layerText === 'hidden' ? layerText : Number(layerText);
    if (typeof ckaLayer === 'number' && !(Number.isInteger(ckaLayer) && ckaLayer >= 1))
      throw new UsageError(`--cka-layer must be logits, hidden or a hidden layer number >= 1 (got '${layerText}')`);
    const shard = parsed.options.shard === undefined ? undefined : shardOption(parsed.options.shard);
    if (shard && shard.count > 1 && parsed.flags.has('phases'))
      throw new UsageError('--phases needs the whole zoo: run it after every shard has finished, without --shard');
    const { zoo, ...report } = await buildZoo(spec, {
      out,
      workers,
      engine,
      progress: !json,
      shard,
    });
    // --json uses the snake_case names of the tables (the report object itself is camelCase TypeScript).
    const result: Record<string, unknown> = {
      out: report.out,
      shard: report.shard,
      models: report.models,
      trained: report.trained,
      skipped: report.skipped,
      failed: report.failed,
      nan: report.nan,
      seconds: report.seconds,
      models_per_minute: report.modelsPerMinute,
    };
    const lines = [
      `zoo: ${report.out}${report.shard === '0/1' ? '' : ` (shard ${report.shard})`}`,
      `models: ${report.models} (${report.trained.length} trained, ${report.skipped.length} already complete, ${report.failed.length} failed, ${report.nan.length} with NaN loss)`,
      `time: ${report.seconds.toFixed(1)} s (${report.modelsPerMinute.toFixed(1)} models/min)`,
      ...report.failed.map((f) => `failed ${f.id}: ${f.error}`),
      ...report.nan.map((id) => `NaN loss: ${id}`),
    ];
    if (parsed.flags.has('phases')) {
      const table = classifyPhases(await phaseMetrics(zoo, { progress: !json, ckaLayer }));
      const thresholds = Object.fromEntries(
        Object.entries(table.thresholds ?? {}).map(([key, value]) => [
          key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
          value,
        ]),
      );
      result.phases = { rows: table.toJSON(), thresholds, problems: table.problems };
      lines.push('', String(table), '', String(phaseDiagram(table)));
    }
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${lines.join('\n')}\n`);
    return report.failed.length ? 1 : 0;
  },
};

/** --shard I/N as a Shard, or a UsageError saying what was expected. */
export function shardOption(text: string): zoos.Shard {
  try {
    return zoos.parseShard(text, '--shard');
  } catch {
    throw new UsageError(`--shard must be I/N with 0 <= I < N (e.g. 0/4), got '${text}'`);
  }
}
