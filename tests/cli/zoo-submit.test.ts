// `weightlab zoo submit` without a cluster: the SLURM array script it writes (options, array of
// unfinished shards, the command), run by bash as a SLURM task would run it (its #SBATCH lines
// are comments); the Kubernetes Indexed Job manifest, validated against the batch/v1 Job schema
// (tests/fixtures/kubernetes, a transcription of the API reference) and its container command run
// by sh as a pod would; and its usage errors. tests/cli/slurm.test.ts submits to a real SLURM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { zooBuildStatus } from 'weightlab/internal';
import { repositoryRoot, runCli, temporaryFolder } from '../support/paths';

const SCHEMA = path.join(repositoryRoot, 'tests', 'fixtures', 'kubernetes', 'batch-v1-job.schema.json');

type Schema = Record<string, unknown>;

/**
 * The JSON Schema keywords the fixture uses ($ref, type, enum, required, properties,
 * additionalProperties, items, minItems, minimum, minLength, maxLength, pattern); the list of
 * violations, each with its JSON path.
 */
function validate(value: unknown, schema: Schema, root: Schema, where = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace(/^#\/\$defs\//, '');
    const resolved = (root.$defs as Record<string, Schema>)[target];
    if (!resolved) return [`${where}: schema has no $defs/${target}`];
    return validate(value, resolved, root, where);
  }
  const problems: string[] = [];
  const type = schema.type as string | undefined;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (type === 'integer' ? !Number.isInteger(value) : type !== undefined && actual !== type)
    return [`${where}: expected ${type}, found ${actual}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${where}: ${JSON.stringify(value)} not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value))
      problems.push(`${where}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      problems.push(`${where}: longer than ${schema.maxLength}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      problems.push(`${where}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    problems.push(`${where}: below ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      problems.push(`${where}: fewer than ${schema.minItems} items`);
    if (schema.items)
      value.forEach((item, i) => problems.push(...validate(item, schema.items as Schema, root, `${where}[${i}]`)));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!(name in object)) problems.push(`${where}: missing required ${name}`);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, member] of Object.entries(object)) {
      if (properties[name]) problems.push(...validate(member, properties[name], root, `${where}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${where}: unknown field ${name}`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...validate(member, schema.additionalProperties as Schema, root, `${where}.${name}`));
    }
  }
  return problems;
}

const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as Schema;

test('the schema validator catches what it must (so a clean manifest means something)', () => {
  const good = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'a-job' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
  };
  assert.deepEqual(validate(good, schema, schema), []);
  const bad = structuredClone(good) as Record<string, any>;
  bad.metadata.name = 'Not_A_Label';
  bad.spec.completionMode = 'indexed';
  bad.spec.completions = 2.5;
  bad.spec.template.spec.restartPolicy = 'Always';
  bad.spec.template.spec.containers[0].resource = {};
  bad.spec.template.spec.containers.push({ name: 'd', resources: { limits: { memory: '2GB' } } });
  assert.deepEqual(validate(bad, schema, schema), [
    '$.metadata.name: "Not_A_Label" does not match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    '$.spec.template.spec.restartPolicy: "Always" not one of ["Never","OnFailure"]',
    '$.spec.template.spec.containers[0]: unknown field resource',
    `$.spec.template.spec.containers[1].resources.limits.memory: "2GB" does not match ${(schema.$defs as any).Quantity.pattern}`,
    '$.spec.completionMode: "indexed" not one of ["NonIndexed","Indexed"]',
    '$.spec.completions: expected integer, found number',
  ]);
});

test('slurm: the array script holds the options, runs a shard under bash, and lists only unfinished shards', () => {
  const folder = temporaryFolder('submit-slurm');
  const zoo = path.join(folder, 'zoo');
  const build = ['build', '--preset', 'digits-mlp-grid', '--small', '--out', zoo];
  const options = ['--cpus-per-task', '2', '--mem', '2G', '--time', '1-02:03:04', '--partition', 'debug'];
  const dry = runCli([
    'zoo',
    'submit',
    '--scheduler',
    'slurm',
    '--shards',
    '4',
    ...options,
    '--dry-run',
    '--json',
    ...build,
  ]);
  assert.equal(dry.status, 0, dry.stderr);
  const report = JSON.parse(dry.stdout) as { file: string; shards: number[]; job: null };
  assert.deepEqual(report.shards, [0, 1, 2, 3]);
  assert.equal(report.job, null, 'a dry run submits nothing');
  assert.equal(path.dirname(report.file), path.join(zoo, 'slurm'), 'the script is kept in the zoo folder');
  const script = fs.readFileSync(report.file, 'utf8');
  const directives = script.split('\n').filter((line) => line.startsWith('#SBATCH '));
  assert.deepEqual(directives, [
    '#SBATCH --job-name=weightlab-zoo',
    '#SBATCH --array=0-3',
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=2',
    `#SBATCH --mem=${2 * 1024}M`,
    '#SBATCH --time=1-02:03:04',
    '#SBATCH --partition=debug',
    `#SBATCH --output=${path.join(zoo, 'slurm', '%A_%a.out')}`,
    `#SBATCH --chdir=${repositoryRoot}`,
  ]);
  const cli = path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js');
  assert.ok(
    script.includes(
      `exec ${process.execPath} ${cli} zoo build --preset digits-mlp-grid --small --out ${zoo} --shard "$SLURM_ARRAY_TASK_ID/4"`,
    ),
    script,
  );

  // The script as SLURM runs it: bash, with the array index in the environment.
  for (const index of [1, 3]) {
    const run = spawnSync('bash', [report.file], {
      env: { ...process.env, SLURM_ARRAY_TASK_ID: String(index), SLURM_CPUS_PER_TASK: '1' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(run.status, 0, run.stderr);
  }
  const status = zooBuildStatus(zoo, { shards: 4 });
  assert.deepEqual(
    status.shards.map((line) => [line.shard, line.state]),
    [
      ['0/4', 'not started'],
      ['1/4', 'finished'],
      ['2/4', 'not started'],
      ['3/4', 'finished'],
    ],
  );
  const state = JSON.parse(fs.readFileSync(path.join(zoo, '.shards', '1-of-4.json'), 'utf8')) as { threads: number };
  assert.equal(state.threads, 1, 'SLURM_CPUS_PER_TASK=1: one worker thread');
  const again = runCli(['zoo', 'submit', '--scheduler', 'slurm', '--shards', '4', '--dry-run', ...build]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^#SBATCH --array=0,2$/m, 'only the unfinished shards');
  assert.match(again.stdout, /^#SBATCH --cpus-per-task=1$/m, 'one CPU by default');
  assert.doesNotMatch(again.stdout, /--mem|--time|--partition/);
  // A path with a space: sbatch honours double quotes on #SBATCH lines, bash single quotes.
  const spaced = path.join(folder, 'my zoo');
  const quoted = runCli([
    'zoo',
    'submit',
    '--scheduler',
    'slurm',
    '--shards',
    '2',
    '--dry-run',
    ...build.slice(0, -1),
    spaced,
  ]);
  assert.equal(quoted.status, 0, quoted.stderr);
  assert.match(quoted.stdout, /^#SBATCH --job-name=weightlab-my-zoo$/m);
  assert.ok(quoted.stdout.includes(`#SBATCH --output="${path.join(spaced, 'slurm', '%A_%a.out')}"\n`), quoted.stdout);
  assert.ok(quoted.stdout.includes(` --out '${spaced}' --shard "$SLURM_ARRAY_TASK_ID/2"`), quoted.stdout);
});

test('kubernetes: an Indexed Job valid against the batch/v1 schema, whose command builds a shard', () => {
  const folder = temporaryFolder('submit-kubernetes');
  const zoo = path.join(folder, 'My Zoo');
  const result = runCli([
    'zoo',
    'submit',
    '--scheduler',
    'kubernetes',
    '--shards',
    '3',
    '--image',
    'registry.example/weightlab:1',
    '--cpus-per-task',
    '2',
    '--mem',
    '512',
    '--time',
    '90',
    '--parallelism',
    '2',
    '--json',
    '--',
    'zoo',
    'build',
    '--preset',
    'digits-mlp-grid',
    '--small',
    `--out=${zoo}`,
  ]);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { file: string; job: string; shards: number[] };
  assert.equal(path.dirname(report.file), path.join(zoo, 'kubernetes'));
  assert.deepEqual(report.shards, [0, 1, 2]);
  const manifest = JSON.parse(fs.readFileSync(report.file, 'utf8'));
  assert.deepEqual(validate(manifest, schema, schema), []);
  assert.equal(manifest.metadata.name, report.job);
  assert.match(manifest.metadata.name, /^weightlab-my-zoo-\d{8}t\d{6}z$/);
  assert.equal(manifest.spec.completionMode, 'Indexed');
  assert.equal(manifest.spec.completions, 3);
  assert.equal(manifest.spec.parallelism, 2);
  assert.equal(manifest.spec.activeDeadlineSeconds, 90 * 60);
  const pod = manifest.spec.template.spec;
  const container = pod.containers[0];
  assert.deepEqual(container.resources.requests, { cpu: '2', memory: '512Mi' });
  assert.deepEqual(container.resources.limits, container.resources.requests);
  assert.deepEqual(container.env, [{ name: 'WEIGHTLAB_CPUS', value: '2' }]);
  assert.deepEqual(container.volumeMounts, [{ name: 'zoo', mountPath: zoo }]);
  assert.deepEqual(pod.volumes, [{ name: 'zoo', persistentVolumeClaim: { claimName: 'weightlab-zoo' } }]);

  // The container's command as a pod runs it: weightlab on PATH, JOB_COMPLETION_INDEX set.
  const bin = path.join(folder, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js'), path.join(bin, 'weightlab'));
  for (const index of [0, 1, 2]) {
    const run = spawnSync(container.command[0], container.command.slice(1), {
      cwd: container.workingDir,
      env: {
        ...process.env,
        PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
        JOB_COMPLETION_INDEX: String(index),
        WEIGHTLAB_CPUS: container.env[0].value,
        SLURM_CPUS_PER_TASK: '', // not inside a SLURM task here
      },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(run.status, 0, run.stderr);
  }
  const state = JSON.parse(fs.readFileSync(path.join(zoo, '.shards', '2-of-3.json'), 'utf8')) as { threads: number };
  assert.equal(state.threads, 2, 'WEIGHTLAB_CPUS=2: two worker threads');
  const status = zooBuildStatus(zoo);
  assert.equal(status.complete, true);
  assert.deepEqual(
    status.shards.map((line) => [line.shard, line.state]),
    [
      ['0/3', 'finished'],
      ['1/3', 'finished'],
      ['2/3', 'finished'],
    ],
  );
});

test('zoo submit usage errors exit 2 and say what is wrong', () => {
  const zoo = path.join(temporaryFolder('submit-usage'), 'zoo');
  const build = ['build', '--preset', 'digits-mlp-grid', '--out', zoo];
  const cases: [string[], RegExp][] = [
    [['--shards', '2', ...build], /--scheduler must be slurm or kubernetes/],
    [['--scheduler', 'pbs', '--shards', '2', ...build], /--scheduler must be slurm or kubernetes, got 'pbs'/],
    [['--scheduler', 'slurm', ...build], /--shards N is required/],
    [['--scheduler', 'slurm', '--shards', '0', ...build], /--shards must be a whole number >= 1, got '0'/],
    [['--scheduler', 'slurm', '--shards', '2', ...build, '--shard', '0/2'], /remove --shard/],
    [['--scheduler', 'slurm', '--shards', '2'], /give the zoo subcommand/],
    [['--scheduler', 'slurm', '--shards', '2', '--', 'info', zoo], /must be build or metrics, got 'info'/],
    [['--scheduler', 'slurm', '--shards', '2', '--mem', '2 GB', ...build], /--mem must be a number/],
    [['--scheduler', 'slurm', '--shards', '2', '--time', '1:2:3:4', ...build], /--time must be minutes/],
    [['--scheduler', 'kubernetes', '--shards', '2', ...build], /--image IMG is required/],
    [['--scheduler', 'kubernetes', '--shards', '2', '--image', 'i', '--wait', ...build], /kubectl wait/],
    [['--scheduler', 'slurm', '--shards', '2', '--image', 'i', ...build], /--image is for kubernetes/],
    [['--scheduler', 'slurm', '--shards', '2', '--', 'build', '--preset', 'digits-mlp-grid'], /give --zoo DIR/],
  ];
  for (const [args, message] of cases) {
    const result = runCli(['zoo', 'submit', ...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
  }
  assert.ok(!fs.existsSync(zoo), 'nothing written on a usage error');
});
