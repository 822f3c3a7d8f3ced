// `weightlab zoo submit`: runs a shardable zoo subcommand (`build`, `metrics`) as N shards on a
// cluster. For SLURM it writes an sbatch array script into the zoo folder (kept for inspection
// and reuse) and submits it: one array task per unfinished shard, each told its CPU allotment
// (--cpus-per-task, which the build honours through SLURM_CPUS_PER_TASK). For Kubernetes it
// writes an Indexed Job manifest (JOB_COMPLETION_INDEX is the shard) for `kubectl apply`; no
// cluster is reachable from here, so it never applies it. The wrapped command gets
// `--shard INDEX/N` appended and is otherwise passed through unchanged.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { zoo as zoos } from 'weightlab';
import { parseArgs, UsageError, type Command } from '../command';

/** The subcommands of `weightlab zoo` that take --shard I/N. */
const SHARDABLE = ['build', 'metrics'];

/** The `weightlab` entry point the SLURM script runs with node (kernel/bin/weightlab.js, absolute). */
const CLI_ENTRY = path.resolve(__dirname, '..', '..', '..', 'bin', 'weightlab.js');

export const zooSubmitCommand: Command = {
  name: 'zoo submit',
  summary: 'run a zoo build (or metrics) as N shards: a SLURM job array, or a Kubernetes Indexed Job manifest',
  help: `Usage: weightlab zoo submit --scheduler slurm|kubernetes --shards N [options] [--] build|metrics ARGS...

Runs 'weightlab zoo build ARGS' (or 'zoo metrics ARGS') as N shards, appending --shard INDEX/N to
ARGS. The zoo folder is ARGS's --out DIR (build) or first positional (metrics), or --zoo DIR.

slurm: writes DIR/slurm/submit-<time>.sbatch, an array job with one task per shard
(#SBATCH --array), each running this CLI with node on the shared file system and logging to
DIR/slurm/<job>_<task>.out, and submits it with sbatch (SLURM_CONF and the usual SLURM environment
are passed through). For a build, shards whose models are all done are left out, and so are shards
still running (same host: their pid is alive; another host: SLURM still lists their task, or, if
it cannot be asked, their heartbeat is under 10 minutes old): resubmitting the same command runs
only what is unfinished.
kubernetes: writes DIR/kubernetes/job-<time>.json, a batch/v1 Job with completionMode Indexed,
completions N, the shard from JOB_COMPLETION_INDEX, and a persistent volume claim mounted at DIR's
absolute path in every pod. Apply it with 'kubectl apply -f FILE' and follow it with
'kubectl wait --for=condition=complete job/NAME'. Every index runs; finished shards exit at once.

Options:
  --scheduler S        slurm or kubernetes (required)
  --shards N           number of shards (required)
  --zoo DIR            the zoo folder, when ARGS do not name it as above
  --cpus-per-task C    CPUs per shard (default 1): SLURM --cpus-per-task, Kubernetes cpu
                       request and limit; the shard's worker and onnxruntime threads follow it
  --mem M              memory per shard, SLURM syntax: a number with K, M (default unit), G or T
                       (SLURM --mem; Kubernetes memory request and limit in Ki/Mi/Gi/Ti)
  --time T             time limit per shard: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS
                       (SLURM --time; Kubernetes activeDeadlineSeconds for the whole Job)
  --partition P        SLURM partition (default: the cluster's default)
  --wait               slurm: wait until every task has ended (polling scontrol each second); then
                       exit 0 when every submitted shard is done and 1 naming the shards that are
                       not, with each task's SLURM state, exit code and log file
  --dry-run            write the script or manifest and print it; submit nothing
  --image IMG          kubernetes: container image with weightlab on PATH (required there)
  --volume-claim NAME  kubernetes: the PersistentVolumeClaim holding the zoo (default weightlab-zoo)
  --parallelism P      kubernetes: pods at once (default N)
  --json               print {scheduler, file, shards (submitted indices), job, failed} as JSON

Exit status: 0 when submitted (with --wait: when every shard finished), 1 when a shard failed or
sbatch refused the job, 2 on a usage error.
`,
  async run(args) {
    const split = args.findIndex((arg) => arg === '--' || SHARDABLE.includes(arg));
    if (split < 0) throw new UsageError(`give the zoo subcommand to shard: ${SHARDABLE.join(' or ')} ARGS...`);
    const wrapped = args[split] === '--' ? args.slice(split + 1) : args.slice(split);
    if (wrapped[0] === 'zoo') wrapped.shift();
    if (!SHARDABLE.includes(wrapped[0] ?? ''))
      throw new UsageError(`the wrapped command must be ${SHARDABLE.join(' or ')}, got '${wrapped[0] ?? ''}'`);
    if (wrapped.some((arg) => arg === '--shard' || arg.startsWith('--shard=')))
      throw new UsageError('zoo submit appends --shard INDEX/N itself: remove --shard from the wrapped command');
    const parsed = parseArgs(args.slice(0, split), {
      values: [
        'scheduler',
        'shards',
        'zoo',
        'cpus-per-task',
        'mem',
        'time',
        'partition',
        'image',
        'volume-claim',
        'parallelism',
      ],
      flags: ['wait', 'dry-run', 'json'],
    });
    if (parsed.positional.length) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
    const scheduler = parsed.options.scheduler;
    if (scheduler !== 'slurm' && scheduler !== 'kubernetes')
      throw new UsageError(`--scheduler must be slurm or kubernetes, got '${scheduler ?? ''}'`);
    const shards = wholeOption(parsed.options.shards, 'shards');
    if (shards === undefined) throw new UsageError('--shards N is required');
    const cpus = wholeOption(parsed.options['cpus-per-task'], 'cpus-per-task') ?? 1;
    const memory = parsed.options.mem === undefined ? undefined : memoryMebibytes(parsed.options.mem);
    const seconds = parsed.options.time === undefined ? undefined : timeSeconds(parsed.options.time);
    const zooFolder = parsed.options.zoo ?? zooFolderOf(wrapped);
    if (!zooFolder) throw new UsageError('cannot tell the zoo folder from the wrapped command: give --zoo DIR');
    const zoo = path.resolve(zooFolder);
    const json = parsed.flags.has('json');
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const say = (line: string) => {
      if (!json) process.stdout.write(`${line}\n`);
    };

    if (scheduler === 'kubernetes') {
      if (parsed.flags.has('wait'))
        throw new UsageError('--wait is for slurm; for kubernetes run: kubectl wait --for=condition=complete job/NAME');
      if (parsed.options.partition !== undefined) throw new UsageError('--partition is for slurm');
      const image = parsed.options.image;
      if (!image) throw new UsageError('--image IMG is required for kubernetes (an image with weightlab on PATH)');
      const manifest = kubernetesJob({
        name: jobName(zoo, stamp),
        image,
        claim: parsed.options['volume-claim'] ?? 'weightlab-zoo',
        zoo,
        shards,
        parallelism: wholeOption(parsed.options.parallelism, 'parallelism') ?? shards,
        cpus,
        memory,
        seconds,
        wrapped,
      });
      const file = path.join(zoo, 'kubernetes', `job-${stamp}.json`);
      const text = `${JSON.stringify(manifest, null, 2)}\n`;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      if (json) {
        const report = { scheduler, file, shards: range(shards), job: manifest.metadata.name, failed: [] };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        if (parsed.flags.has('dry-run')) process.stdout.write(text);
        say(`wrote ${file}`);
        say(`apply it:  kubectl apply -f ${file}`);
        say(`follow it: kubectl wait --for=condition=complete --timeout=24h job/${manifest.metadata.name}`);
        say(`then:      weightlab zoo status ${zoo}`);
      }
      return 0;
    }

    for (const name of ['image', 'volume-claim', 'parallelism'])
      if (parsed.options[name] !== undefined) throw new UsageError(`--${name} is for kubernetes`);
    // Which shards still have work: for a build, the zoo folder says (a shard is done when all its
    // models are; one whose process is alive is left to finish); a measurement resumes from its
    // own cache, so every shard is submitted.
    let todo = range(shards);
    if (wrapped[0] === 'build' && fs.existsSync(path.join(zoo, 'zoo.json'))) {
      const status = zoos.zooBuildStatus(zoo, { shards });
      const lines = status.shards.filter((line) => line.count === shards);
      // A shard on another host counts as running until its lease ends; SLURM can say sooner.
      const running = (line: (typeof lines)[number]) =>
        line.state === 'running' &&
        !(line.job?.startsWith('slurm ') && slurmTaskEnded(line.job.slice('slurm '.length)));
      for (const line of lines.filter((line) => running(line) && line.done < line.models))
        say(`shard ${line.shard} is still running (${line.host} pid ${line.pid}): left to finish`);
      todo = lines.filter((line) => line.done < line.models && !running(line)).map((line) => line.index);
    }
    if (todo.length === 0) {
      if (json)
        process.stdout.write(`${JSON.stringify({ scheduler, file: null, shards: [], job: null, failed: [] })}\n`);
      else say(`nothing to submit: every shard of ${shards} is done or running (weightlab zoo status ${zoo})`);
      return 0;
    }
    const script = slurmScript({
      zoo,
      shards,
      tasks: todo,
      cpus,
      memory,
      time: parsed.options.time,
      partition: parsed.options.partition,
      wrapped,
      stamp,
    });
    const file = path.join(zoo, 'slurm', `submit-${stamp}.sbatch`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, script, { mode: 0o755 });
    if (parsed.flags.has('dry-run')) {
      if (json) process.stdout.write(`${JSON.stringify({ scheduler, file, shards: todo, job: null, failed: [] })}\n`);
      else process.stdout.write(`${script}\n# written to ${file}; not submitted (--dry-run)\n`);
      return 0;
    }
    const wait = parsed.flags.has('wait');
    const submitted = await sbatch(file);
    if (submitted.job === undefined) {
      process.stderr.write(
        `weightlab zoo submit: sbatch failed (exit ${submitted.status}): ${submitted.stderr.trim()}\n`,
      );
      return 1;
    }
    say(`submitted ${file} as SLURM job ${submitted.job} (shards ${todo.join(',')} of ${shards})`);
    if (!wait) {
      if (json)
        process.stdout.write(`${JSON.stringify({ scheduler, file, shards: todo, job: submitted.job, failed: [] })}\n`);
      else say(`follow it: squeue -j ${submitted.job}; weightlab zoo status ${zoo}`);
      return 0;
    }
    const tasks = await jobEnd(submitted.job);
    const failed = failedShards(zoo, wrapped[0], shards, todo, submitted.job, tasks);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ scheduler, file, shards: todo, job: submitted.job, failed }, null, 2)}\n`,
      );
    else if (failed.length === 0) say(`every shard finished (weightlab zoo status ${zoo})`);
    else for (const failure of failed) say(`shard ${failure.shard} failed: ${failure.reason}`);
    return failed.length ? 1 : 0;
  },
};

/** A whole-number option >= 1, undefined when absent. */
function wholeOption(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isSafeInteger(value) && value >= 1))
    throw new UsageError(`--${name} must be a whole number >= 1, got '${raw}'`);
  return value;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

/** The zoo folder a wrapped command names: build's --out, metrics' first positional. */
export function zooFolderOf(wrapped: string[]): string | undefined {
  for (let i = 1; i < wrapped.length; i++) {
    if (wrapped[i] === '--out') return wrapped[i + 1];
    if (wrapped[i].startsWith('--out=')) return wrapped[i].slice('--out='.length);
  }
  if (wrapped[0] === 'metrics') return wrapped.slice(1).find((arg) => !arg.startsWith('-'));
  return undefined;
}

/** SLURM's --mem syntax (a number, unit K, M, G or T, default M) in MiB. */
export function memoryMebibytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT])?B?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--mem must be a number with K, M, G or T (e.g. 4G), got '${text}'`);
  const scale: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
  const mebibytes = Number(match[1]) * scale[(match[2] ?? 'M').toUpperCase()];
  if (!(mebibytes >= 1)) throw new UsageError(`--mem must be at least 1M, got '${text}'`);
  return Math.ceil(mebibytes);
}

/** SLURM's --time syntax in seconds. */
export function timeSeconds(text: string): number {
  const day = /^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text);
  if (day) return ((Number(day[1]) * 24 + Number(day[2])) * 60 + Number(day[3] ?? 0)) * 60 + Number(day[4] ?? 0);
  const parts = /^(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text);
  if (!parts)
    throw new UsageError(`--time must be minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, got '${text}'`);
  const numbers = [parts[1], parts[2], parts[3]].filter((part) => part !== undefined).map(Number);
  if (numbers.length === 1) return numbers[0] * 60;
  if (numbers.length === 2) return numbers[0] * 60 + numbers[1];
  return (numbers[0] * 60 + numbers[1]) * 60 + numbers[2];
}

/** Quotes one word for sh/bash. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A value on an #SBATCH line: sbatch splits them at spaces but honours double quotes (seen with Debian's slurm 22.05). */
function directiveValue(value: string): string {
  if (value.includes('"')) throw new UsageError(`a path for an #SBATCH line cannot hold a double quote: ${value}`);
  return /\s/.test(value) ? `"${value}"` : value;
}

/** The wrapped command's words with its zoo folder made absolute (tasks may start elsewhere). */
function absoluteZoo(wrapped: string[], zoo: string): string[] {
  const words = [...wrapped];
  const out = words.indexOf('--out');
  const inline = words.findIndex((word) => word.startsWith('--out='));
  if (out >= 0 && out + 1 < words.length) words[out + 1] = zoo;
  else if (inline >= 0) words[inline] = `--out=${zoo}`;
  else if (words[0] === 'metrics') {
    const position = words.findIndex((word, i) => i > 0 && !word.startsWith('-'));
    if (position > 0 && path.resolve(words[position]) === zoo) words[position] = zoo;
  }
  return words;
}

/** The sbatch array script for `tasks` (shard indices) of `shards`. */
export function slurmScript(o: {
  zoo: string;
  shards: number;
  tasks: number[];
  cpus: number;
  memory?: number;
  time?: string;
  partition?: string;
  wrapped: string[];
  stamp: string;
}): string {
  const logs = path.join(o.zoo, 'slurm');
  const contiguous = o.tasks.every((task, i) => i === 0 || task === o.tasks[i - 1] + 1);
  const array = contiguous && o.tasks.length > 1 ? `${o.tasks[0]}-${o.tasks[o.tasks.length - 1]}` : o.tasks.join(',');
  const command = ['zoo', ...absoluteZoo(o.wrapped, o.zoo)].map(shellWord).join(' ');
  return [
    '#!/bin/bash',
    `# Written by 'weightlab zoo submit' at ${o.stamp}: ${o.tasks.length} of ${o.shards} shards of`,
    `#   weightlab ${command}`,
    '# one SLURM array task per shard (the array index is the shard). Rerun the same',
    "# 'weightlab zoo submit' to run only unfinished shards, or 'sbatch' this file to rerun these.",
    `#SBATCH --job-name=weightlab-${path.basename(o.zoo).replace(/[^\w.-]+/g, '-')}`,
    `#SBATCH --array=${array}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${o.cpus}`,
    ...(o.memory !== undefined ? [`#SBATCH --mem=${o.memory}M`] : []),
    ...(o.time !== undefined ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.partition !== undefined ? [`#SBATCH --partition=${directiveValue(o.partition)}`] : []),
    `#SBATCH --output=${directiveValue(path.join(logs, '%A_%a.out'))}`,
    `#SBATCH --chdir=${directiveValue(process.cwd())}`,
    'set -euo pipefail',
    '# SLURM_CPUS_PER_TASK (set by --cpus-per-task) caps the worker and onnxruntime threads.',
    `exec ${shellWord(process.execPath)} ${shellWord(CLI_ENTRY)} ${command} --shard "$SLURM_ARRAY_TASK_ID/${o.shards}"`,
    '',
  ].join('\n');
}

/** A DNS-1123 label for the Job: weightlab-<zoo folder>-<time>, at most 63 characters. */
function jobName(zoo: string, stamp: string): string {
  const base = path
    .basename(zoo)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = stamp.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `weightlab-${base.slice(0, 63 - 'weightlab-'.length - suffix.length - 1).replace(/-+$/, '')}-${suffix}`.replace(
    /--+/g,
    '-',
  );
}

/** A batch/v1 Indexed Job running the wrapped command once per shard. */
export function kubernetesJob(o: {
  name: string;
  image: string;
  claim: string;
  zoo: string;
  shards: number;
  parallelism: number;
  cpus: number;
  memory?: number;
  seconds?: number;
  wrapped: string[];
}) {
  const command = ['weightlab', 'zoo', ...absoluteZoo(o.wrapped, o.zoo)].map(shellWord).join(' ');
  const resources: Record<string, string> = { cpu: String(o.cpus) };
  if (o.memory !== undefined) resources.memory = `${o.memory}Mi`;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, labels: { 'app.kubernetes.io/name': 'weightlab', 'app.kubernetes.io/component': 'zoo' } },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: Math.min(o.parallelism, o.shards),
      backoffLimit: 3 * o.shards,
      ...(o.seconds !== undefined ? { activeDeadlineSeconds: o.seconds } : {}),
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'weightlab' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'shard',
              image: o.image,
              // JOB_COMPLETION_INDEX is set in every pod of an Indexed Job: 0..completions-1.
              command: ['sh', '-c', `exec ${command} --shard "$JOB_COMPLETION_INDEX/${o.shards}"`],
              workingDir: o.zoo,
              env: [{ name: 'WEIGHTLAB_CPUS', value: String(o.cpus) }],
              resources: { requests: resources, limits: resources },
              volumeMounts: [{ name: 'zoo', mountPath: o.zoo }],
            },
          ],
          volumes: [{ name: 'zoo', persistentVolumeClaim: { claimName: o.claim } }],
        },
      },
    },
  };
}

/** Runs sbatch --parsable; the job id from its output. */
function sbatch(file: string): Promise<{ job?: string; status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sbatch', ['--parsable', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ status: 127, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => {
      const job = /^(\d+)/.exec(stdout.trim())?.[1];
      resolve({ job, status: code ?? 1, stderr });
    });
  });
}

/** Whether SLURM says a job (or array task, JOB_TASK) is no longer queued or running; false when it cannot be asked. */
function slurmTaskEnded(job: string): boolean {
  const queued = spawnSync('squeue', ['-h', '-j', job, '-o', '%T'], { encoding: 'utf8' });
  if (queued.error || queued.status === null) return false; // no squeue here: trust the lease
  // An ended job is absent (empty output), or unknown to the controller (exit 1, "Invalid job id").
  return queued.status !== 0 || queued.stdout.trim() === '';
}

/** SLURM job states after which a task runs no more. */
const ENDED = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
]);

/** Each array task's state and exit code, from `scontrol -o show job` (no accounting database needed). */
function arrayTasks(job: string): { tasks: Map<number, string>; pending: boolean; known: boolean } {
  const shown = spawnSync('scontrol', ['-o', 'show', 'job', job], { encoding: 'utf8' });
  const tasks = new Map<number, string>();
  let pending = false;
  for (const line of (shown.stdout ?? '').split('\n')) {
    const task = /\bArrayTaskId=(\S+)/.exec(line)?.[1];
    const state = /\bJobState=(\S+)/.exec(line)?.[1];
    const exit = /\bExitCode=(\S+)/.exec(line)?.[1];
    if (task === undefined || state === undefined) continue;
    if (!ENDED.has(state)) pending = true;
    if (/^\d+$/.test(task)) tasks.set(Number(task), `${state} exit ${exit ?? '?'}`);
  }
  return { tasks, pending, known: shown.status === 0 };
}

/**
 * Waits until every task of the array has ended, polling scontrol each second (sbatch --wait
 * polls at growing intervals, up to a minute late); the tasks' states at the end.
 */
async function jobEnd(job: string): Promise<Map<number, string>> {
  for (;;) {
    const { tasks, pending, known } = arrayTasks(job);
    // Unknown: the job has left the controller's memory (MinJobAge): it has ended.
    if (!pending || !known) return tasks;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** After the job ended: the submitted shards that did not finish, with SLURM's word on each task. */
function failedShards(
  zoo: string,
  subcommand: string,
  shards: number,
  tasks: number[],
  job: string,
  slurmStates: Map<number, string>,
): { shard: string; reason: string }[] {
  const describe = (index: number) => {
    const slurm = slurmStates.get(index);
    return `${slurm ? `SLURM ${slurm}` : 'SLURM state unknown'}; log ${path.join(zoo, 'slurm', `${job}_${index}.out`)}`;
  };
  if (subcommand === 'build') {
    const status = zoos.zooBuildStatus(zoo, { shards });
    return status.shards
      .filter((line) => line.count === shards && tasks.includes(line.index) && line.done < line.models)
      .map((line) => ({
        shard: line.shard,
        reason: `${line.done}/${line.models} models done, state ${line.state}${line.error ? ` (${line.error})` : ''}${line.failed.length ? `, failed ${line.failed.map((f) => f.id).join(', ')}` : ''}; ${describe(line.index)}`,
      }));
  }
  // A measurement's completion is its own (its cache); SLURM's exit codes are what is known here.
  return tasks
    .filter((index) => {
      const state = slurmStates.get(index);
      return !state || !/^COMPLETED exit 0:0$/.test(state);
    })
    .map((index) => ({ shard: `${index}/${shards}`, reason: describe(index) }));
}
