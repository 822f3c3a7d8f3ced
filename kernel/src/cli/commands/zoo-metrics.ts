// `weightlab zoo metrics DIR [--shard I/N]`: one shard of a zoo's measurements (HTSR per
// checkpoint, phase metrics per grid cell) into <DIR>/metrics, merged into one table per
// measurement when the last shard finishes (or on --merge), so a SLURM array or an Indexed Job
// can measure a zoo in N processes; `weightlab zoo submit … metrics DIR` appends the --shard.

import { zoo as zoos, type zoo } from 'weightlab';
import { numberOption, parseArgs, UsageError, workersOption, type Command } from '../command';

const KINDS = zoos.MEASUREMENT_KINDS as readonly string[];

export const zooMetricsCommand: Command = {
  name: 'zoo metrics',
  summary: 'measure a zoo (HTSR per checkpoint, phase metrics per cell) in shards, merged into one table',
  help: `Usage: weightlab zoo metrics DIR [--shard I/N] [--metrics htsr,phase] [--merge] [--json]
                                [--epochs E,E…] [--workers N] [--hessian-samples N] [--bezier-epochs N] [--force]

Measures shard I of N of the zoo in DIR and writes its rows to DIR/metrics/<kind>.shard-I-of-N.arrow:
  htsr   WeightWatcher's summary of every checkpoint (layers, skipped_layers, log_norm, alpha,
         alpha_weighted, log_alpha_norm, log_spectral_norm, stable_rank; problem: why a checkpoint
         that could not be read or analysed has nulls), sharded by checkpoint
  phase  phase metrics of every grid cell (as phaseMetrics: losses, accuracies, Hessian, mode
         connectivity, CKA, L2 distance), sharded by cell, since pair metrics need all its seeds
When every shard of N is in, the rows are merged into DIR/metrics/<kind>.arrow (an Arrow IPC file:
pandas.read_feather, polars or DuckDB's arrow extension read it), in the zoo's order, the same whatever N;
\`weightlab zoo info DIR\` and openZoo(DIR).table() then show them as htsr_* and phase_* columns.
A shard whose file already holds rows of the same settings is not measured again.

Exit status: 0 when this shard's rows are written (merged or waiting for other shards); with --merge,
1 when a measurement still misses shards (listed on stderr).

Options:
  --shard I/N            0-based shard I of N (as SLURM_ARRAY_TASK_ID; default 0/1: everything)
  --metrics LIST         htsr, phase or both (default htsr,phase)
  --merge                only merge the shard files already written (measures nothing; each
                         measurement merges the complete set of shards with the newest settings)
  --epochs E,E…          HTSR: the checkpoint epochs to analyse (default every checkpoint)
  --workers N            phase: worker threads measuring cells (default min(2, cores))
  --hessian-samples N    phase: train rows of the Hessian batch (default 256)
  --bezier-epochs N      phase: epochs of the Bezier-curve fit (default 10)
  --force                measure this shard again even if its file is up to date
  --json                 print one object per measurement: {kind, shard, shard_file, measured, rows,
                         merged_file, merged_rows, waiting_for}
`,
  async run(args) {
    const parsed = parseArgs(args, {
      values: ['shard', 'metrics', 'epochs', 'workers', 'hessian-samples', 'bezier-epochs'],
      flags: ['merge', 'force', 'json'],
    });
    if (parsed.positional.length !== 1) throw new UsageError('expected exactly one DIR');
    const dir = parsed.positional[0];
    const metrics = (parsed.options.metrics ?? KINDS.join(','))
      .split(',')
      .map((kind) => kind.trim())
      .filter((kind) => kind !== '');
    for (const kind of metrics)
      if (!KINDS.includes(kind)) throw new UsageError(`--metrics takes ${KINDS.join(', ')} (got '${kind}')`);
    const epochs = parsed.options.epochs?.split(',').map((text) => {
      const epoch = Number(text);
      if (!Number.isInteger(epoch) || epoch < 0)
        throw new UsageError(`--epochs takes non-negative integers, got '${text}'`);
      return epoch;
    });
    const workers = workersOption(parsed);
    const phase = {
      workers,
      hessianSamples:
        parsed.options['hessian-samples'] !== undefined ? numberOption(parsed, 'hessian-samples', 256) : undefined,
      bezier:
        parsed.options['bezier-epochs'] !== undefined
          ? { epochs: numberOption(parsed, 'bezier-epochs', 10) }
          : undefined,
    };
    const json = parsed.flags.has('json');
    const settings = { metrics: metrics as zoo.MeasurementKind[], epochs, phase };
    let table: ReturnType<typeof zoos.mergeZooMeasurements>;
    if (parsed.flags.has('merge')) {
      if (parsed.options.shard !== undefined || parsed.flags.has('force'))
        throw new UsageError('--merge measures nothing: it takes no --shard or --force');
      table = zoos.mergeZooMeasurements(dir, { metrics: settings.metrics });
    } else {
      let shard;
      try {
        shard = zoos.parseShard(parsed.options.shard ?? '0/1');
      } catch (error) {
        throw new UsageError(`--shard: ${(error as Error).message} (got '${parsed.options.shard}')`);
      }
      table = await zoos.measureZoo(dir, { ...settings, shard, force: parsed.flags.has('force'), progress: !json });
    }
    const reports = table.rows();
    if (json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else
      for (const report of reports) {
        if (report.shard_file !== null)
          process.stdout.write(
            `${report.kind}: ${report.measured ? 'measured' : 'up to date'} ${report.rows} rows in ${report.shard_file}\n`,
          );
        process.stdout.write(
          report.merged_file !== null
            ? `${report.kind}: merged ${report.merged_rows} rows into ${report.merged_file}\n`
            : `${report.kind}: waiting for shards ${report.waiting_for.join(', ')} before merging\n`,
        );
      }
    const missing = reports.filter((report) => report.waiting_for.length > 0);
    if (parsed.flags.has('merge') && missing.length > 0) {
      for (const report of missing)
        process.stderr.write(
          `weightlab zoo metrics: ${report.kind} cannot be merged yet: missing shards ${report.waiting_for.join(', ')}\n`,
        );
      return 1;
    }
    return 0;
  },
};
