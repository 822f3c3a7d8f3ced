// `weightlab zoo build --preset NAME --out DIR [--small]`: trains a named zoo grid into a
// native weightlab zoo folder (resumable: rerun the same command after a kill to continue),
// optionally followed by its phase metrics and phase diagram (--phases). --engine picks the
// training engine (lib/src/train/jax-engine.ts): the JS loops (default) or jitted jax-js groups.
// --shard I/N trains one part of the grid, so SLURM array tasks or Kubernetes pods (`weightlab zoo
// submit`) or plain shells build one zoo together.

import { buildZoo, classifyPhases, phaseDiagram, phaseMetrics, zooPreset, zoo as zoos } from 'weightlab';
import { numberOption, parseArgs, UsageError, type Command } from '../command';

export const zooBuildCommand: Command = {
  name: 'zoo build',
  summary: 'train a model zoo grid (e.g. digits-mlp-grid) into a weightlab zoo folder',
  help: `Usage: weightlab zoo build --preset NAME --out DIR [--small] [--workers N] [--engine js|jax|auto] [--shard I/N] [--phases] [--cka-layer L] [--json]

Trains every model of the preset's grid with seeded, deterministic SGD (Adam for the PINN) and writes the
native weightlab zoo format (zoo.json, per-model params.json, result.json, and
checkpoint_NNNNNN/weights.safetensors). Models already complete in DIR are skipped,
so rerunning after an interruption continues the build.

Presets:
${Object.entries(zoos.ZOO_PRESETS)
  .map(([name, preset]) => `  ${name.padEnd(22)}${preset.summary}`)
  .join('\n')}

Options:
  --preset NAME   the grid to build (required)
  --out DIR       output folder (required)
  --small         the preset's small variant (a few models, for tests and CI)
  --workers N     worker threads (default: min(2, cores), or SLURM_CPUS_PER_TASK / WEIGHTLAB_CPUS
                  when set, which also cap onnxruntime's threads; 0 = this thread)
  --shard I/N     train only shard I of N (0-based, round-robin over the grid order; I is what
                  SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX give). Shards never write the same
                  model's files; the zoo is complete when every shard has run (no merge step);
                  each shard records its state in DIR/.shards/I-of-N.json for 'weightlab zoo status'.
                  Rerunning a shard trains only its unfinished models.
  --engine E      training engine: js (default; hand-written float64 loops, one model at a time),
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
      values: ['preset', 'out', 'workers', 'cka-layer', 'engine', 'shard'],
      flags: ['small', 'phases', 'json'],
    });
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const name = parsed.options.preset;
    const out = parsed.options.out;
    if (!name) throw new UsageError('--preset NAME is required');
    if (!out) throw new UsageError('--out DIR is required');
    if (!(name in zoos.ZOO_PRESETS))
      throw new UsageError(`unknown preset '${name}' (known: ${Object.keys(zoos.ZOO_PRESETS).join(', ')})`);
    const workers =
      parsed.options.workers === '0'
        ? 0
        : parsed.options.workers !== undefined
          ? numberOption(parsed, 'workers', 2)
          : undefined;
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
    const { zoo, ...report } = await buildZoo(zooPreset(name, { small: parsed.flags.has('small') }), {
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
