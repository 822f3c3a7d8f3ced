// buildZoo(spec): trains every model of a grid in parallel worker threads and writes a
// native weightlab zoo. Resumable: finished models (complete result.json) are skipped, so
// rerunning a killed build continues where it stopped. Parallelism is per model (worker
// threads): the zoo's MLPs are too small for one model's step to use two cores, and vmapped
// jax-js steps measured slower than this (bench/zoo.js compares 1 and 2 workers; on a machine
// shared with other jobs, 2 workers were not faster, so measure on an idle one).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArgumentError, InterruptedError } from '../../errors';
import { Progress } from '../../progress/progress';
import { readNativeZoo, writeZooManifest, ZOO_MANIFEST } from '../native';
import type { Zoo } from '../zoo';
import { expandGrid, manifestAxes, specDataset, specShape, type ModelJob, type ZooSpec } from './spec';
import { jobComplete, runJob, type JobOutcome } from './train-job';
import { runWorkerPool } from './pool';

export interface BuildOptions {
  /** Output folder (created; an existing zoo built from the same spec is resumed). */
  out: string;
  /** Worker threads (default: min(2, cores)); 0 trains in this thread. */
  workers?: number;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Stops the build between models (the kernel's interrupt does too). */
  signal?: AbortSignal;
}

export interface BuildReport {
  out: string;
  models: number;
  /** Models trained by this call. */
  trained: string[];
  /** Models found complete and skipped (a resumed build). */
  skipped: string[];
  /** Models whose training threw, with the message; the rest of the zoo is still built. */
  failed: { id: string; error: string }[];
  /** Models whose loss became NaN or infinite (training stopped at that epoch). */
  nan: string[];
  seconds: number;
  /** Trained models per minute of wall time in this call. */
  modelsPerMinute: number;
}

const BUILDER_KEY = 'weightlab.builder';

function canonical(spec: ZooSpec): string {
  return JSON.stringify(spec, Object.keys(spec).sort());
}

/** Builds (or resumes) the zoo described by `spec` into `options.out`. */
export async function buildZoo(spec: ZooSpec, options: BuildOptions): Promise<BuildReport & { zoo: Zoo }> {
  const out = path.resolve(options.out);
  const started = performance.now();
  const split = spec.dataset === 'convection' ? undefined : specDataset(spec);
  const shape = specShape(spec);
  const jobs = expandGrid(spec, shape.inputs, shape.outputs, shape.image);
  const manifestFile = path.join(out, ZOO_MANIFEST);
  if (fs.existsSync(manifestFile)) {
    const existing = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    const previous = existing[BUILDER_KEY] as { spec?: ZooSpec } | undefined;
    if (previous?.spec && canonical(previous.spec) !== canonical(spec)) {
      throw new ArgumentError('the output folder holds a zoo built from another spec; choose a new folder', { file: out, field: 'spec' });
    }
  }
  fs.mkdirSync(out, { recursive: true });
  // The manifest goes first, listing every model, and every params.json with it: a killed
  // build is then still a readable zoo whose unfinished models simply have no results yet.
  writeZooManifest(out, {
    name: spec.name, axes: manifestAxes(spec), seeds: [...spec.seeds], dataset: split ? split.train.name.replace(/\/train$/, '') : 'convection',
    epochs: jobs[0].checkpointEpochs, metricEpochs: [], models: jobs.map((job) => job.id),
    [BUILDER_KEY]: { spec, version: 1 },
  } as Parameters<typeof writeZooManifest>[1]);
  for (const job of jobs) if (!fs.existsSync(path.join(out, job.id, 'params.json'))) fs.mkdirSync(path.join(out, job.id), { recursive: true });

  const skipped = jobs.filter((job) => jobComplete(out, job)).map((job) => job.id);
  const todo = jobs.filter((job) => !skipped.includes(job.id)).sort((a, b) => b.cost - a.cost);
  const report: BuildReport = { out, models: jobs.length, trained: [], skipped, failed: [], nan: [], seconds: 0, modelsPerMinute: 0 };
  const bar = options.progress === false ? undefined : new Progress({ total: jobs.length, label: `zoo ${spec.name}`, signal: options.signal });
  bar?.update(skipped.length);
  const record = (outcome: JobOutcome) => {
    report.trained.push(outcome.id);
    if (outcome.nan) report.nan.push(outcome.id);
    bar?.tick();
  };
  const workers = Math.max(0, Math.min(options.workers ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length), todo.length));
  if (workers === 0) {
    for (const job of todo) {
      if (options.signal?.aborted) throw new InterruptedError(`zoo build interrupted after ${report.trained.length} models`);
      try { record(runJob(out, job, split)); } catch (error) {
        if (error instanceof InterruptedError) throw error;
        report.failed.push({ id: job.id, error: (error as Error).message });
      }
    }
  } else {
    await runInWorkers(out, spec, todo, workers, record, report, options.signal);
  }
  bar?.done();
  for (const job of jobs) if (!report.trained.includes(job.id) && !skipped.includes(job.id) && !report.failed.some((f) => f.id === job.id)) report.failed.push({ id: job.id, error: 'not trained' });
  report.seconds = (performance.now() - started) / 1000;
  report.modelsPerMinute = report.trained.length / (report.seconds / 60);
  return { ...report, zoo: readNativeZoo(out) };
}

function runInWorkers(out: string, spec: ZooSpec, todo: ModelJob[], count: number, record: (o: JobOutcome) => void, report: BuildReport, signal?: AbortSignal): Promise<void> {
  return runWorkerPool<{ done?: JobOutcome; failed?: { id: string; error: string } }>({
    script: path.join(__dirname, 'worker.js'),
    workerData: { root: out, spec },
    workers: count,
    tasks: todo.map((job) => ({ id: job.id })),
    onReply(message) {
      if (message.done) record(message.done); // Progress.tick throws InterruptedError on a kernel interrupt
      if (message.failed) report.failed.push(message.failed);
    },
    interruption: () => (signal?.aborted ? new InterruptedError(`zoo build interrupted after ${report.trained.length} models`) : undefined),
  });
}
