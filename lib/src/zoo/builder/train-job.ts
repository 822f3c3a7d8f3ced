// Trains one model of a zoo and writes it in the native format (../native.ts): checkpoints
// as training passes their epochs, result.json last. result.json is the completion mark: a
// model whose result.json holds every epoch is done and a resumed build skips it; anything
// else is retrained from scratch, which rewrites identical bytes (training is deterministic).
// Every file goes through temp + rename, so a kill never leaves half a checkpoint.
// runJobGroup does the same for a group of same-shaped MLPs trained together by the jax engine,
// runLockstepGroup for a group trained side by side by the wasm lockstep kernels (the same
// float64 bits as runJob, so its models are recorded as engine 'js').

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeZooCheckpoint, writeZooParams, writeZooResults } from '../native';
import { toWeightSet } from '../../train/mlp';
import { trainTask, type EpochRecord } from '../../train/sgd';
import { trainNetworksJax } from '../../train/jax-engine';
import { trainLockstep } from '../../train/lockstep';
import { ArgumentError } from '../../errors';
import type { DatasetSplit } from '../../data/dataset';
import { jobTask, type ModelJob } from './spec';
import { cellData } from '../dataset';

/** Whether the model's folder already holds a complete result.json (every epoch, 0..epochs). */
export function jobComplete(root: string, job: ModelJob): boolean {
  const file = path.join(root, job.id, 'result.json');
  if (!fs.existsSync(file)) return false;
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
  if (lines.length === job.training.epochs + 1) return true;
  // A NaN run stops early by design and is complete when its last line says so.
  try {
    return JSON.parse(lines[lines.length - 1]).nan === true;
  } catch {
    return false;
  }
}

export interface JobOutcome {
  id: string;
  records: number;
  nan: boolean;
  seconds: number;
}

/** Trains `job` (on `split`, the spec's dataset; none for a PINN) and writes params.json, its checkpoints and result.json under root/job.id. */
export function runJob(root: string, job: ModelJob, split?: DatasetSplit): JobOutcome {
  const started = performance.now();
  writeZooParams(root, job.id, { ...job.params, 'training::engine': 'js' });
  const checkpoints = new Set(job.checkpointEpochs);
  const { records } = trainTask(jobTask(job, split), job.training, {
    onEpoch(record: EpochRecord, params: Float64Array) {
      if (checkpoints.has(record.epoch) || record.nan)
        writeZooCheckpoint(root, job.id, record.epoch, toWeightSet(job.training.architecture, params));
    },
  });
  writeZooResults(
    root,
    job.id,
    records.map((record) => ({ ...record })),
  );
  return {
    id: job.id,
    records: records.length,
    nan: records.some((r) => r.nan === true),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Trains a group of same-shaped MLP classification jobs together with the jax engine (one
 * jitted step for the group) and writes each model's files as runJob does. `interruption` is
 * checked between epochs.
 */
export async function runJobGroup(
  root: string,
  jobs: ModelJob[],
  split: DatasetSplit | undefined,
  interruption?: () => Error | undefined,
): Promise<JobOutcome[]> {
  const started = performance.now();
  if (!split)
    throw new ArgumentError('the jax engine trains classifiers on a dataset (a PINN zoo trains with engine js)', {
      field: 'engine',
    });
  for (const job of jobs) writeZooParams(root, job.id, { ...job.params, 'training::engine': 'jax' });
  const checkpoints = new Set(jobs[0].checkpointEpochs);
  const results = await trainNetworksJax(
    jobs.map((job) => job.training),
    jobs.map((job) => cellData(split, job.values)),
    {
      onEpoch(m, record, params) {
        if (checkpoints.has(record.epoch) || record.nan)
          writeZooCheckpoint(root, jobs[m].id, record.epoch, toWeightSet(jobs[m].training.architecture, params));
      },
      interruption,
    },
  );
  return writeGroupResults(root, jobs, results, started);
}

/**
 * Trains a group of same-shaped ReLU MLP classification jobs (SGD, same architecture, batch size,
 * epochs and inputs) side by side with trainLockstep and writes each model's files as runJob
 * does. Every model gets runJob's float64 bits, so params.json keeps 'training::engine': 'js'
 * and zoos built before grouping stay valid. `interruption` is checked between epochs.
 */
export function runLockstepGroup(
  root: string,
  jobs: ModelJob[],
  split: DatasetSplit | undefined,
  interruption?: () => Error | undefined,
): JobOutcome[] {
  const started = performance.now();
  if (!split)
    throw new ArgumentError('a lockstep group trains classifiers on a dataset (a PINN trains one model at a time)', {
      field: jobs[0]?.id ?? 'jobs',
    });
  for (const job of jobs) writeZooParams(root, job.id, { ...job.params, 'training::engine': 'js' });
  const checkpoints = jobs.map((job) => new Set(job.checkpointEpochs));
  const results = trainLockstep(
    jobs.map((job) => job.training),
    jobs.map((job) => cellData(split, job.values)),
    {
      // The builder sized the group; one pass of the kernels trains all of it.
      groupSize: jobs.length,
      interruption,
      onEpoch(m, record, params) {
        if (checkpoints[m].has(record.epoch) || record.nan)
          writeZooCheckpoint(root, jobs[m].id, record.epoch, toWeightSet(jobs[m].training.architecture, params));
      },
    },
  );
  return writeGroupResults(root, jobs, results, started);
}

/** Writes each model's result.json after a group trained together, and its outcome (the group's time shared equally). */
function writeGroupResults(
  root: string,
  jobs: readonly ModelJob[],
  results: readonly { records: readonly EpochRecord[] }[],
  started: number,
): JobOutcome[] {
  const seconds = (performance.now() - started) / 1000;
  return jobs.map((job, m) => {
    const { records } = results[m];
    writeZooResults(
      root,
      job.id,
      records.map((record) => ({ ...record })),
    );
    return {
      id: job.id,
      records: records.length,
      nan: records.some((r) => r.nan === true),
      seconds: seconds / jobs.length,
    };
  });
}
