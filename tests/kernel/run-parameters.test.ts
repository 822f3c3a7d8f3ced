// `weightlab run -p NAME VALUE` and `--sweep`: parameters injected after the cell tagged
// `parameters` (papermill's convention) and recorded in the metadata, bad parameters refused
// before any kernel starts, and sweeps that count per check cell the runs it held in, over a real
// kernel and real files in temp folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, notebook, runUntilThenSignal, temporaryFolder } from './support';

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cliEntry, 'run', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A notebook of code cells, each given as [source, tags]. */
function taggedNotebook(cells: Array<[string, string[]]>, minor = 5) {
  const book = notebook(cells.map(([source]) => ({ cell_type: 'code', source })));
  book.cells.forEach((cell, index) => {
    cell.metadata = { tags: cells[index][1] };
  });
  return { ...book, nbformat_minor: minor };
}

function write(folder: string, name: string, content: unknown): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

function read(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function stdoutOf(cell: { outputs: Array<Record<string, any>> }): string {
  return cell.outputs
    .filter((output) => output.output_type === 'stream' && output.name === 'stdout')
    .map((output) => [].concat(output.text).join(''))
    .join('');
}

const knobs: Array<[string, string[]]> = [
  [
    '// The knobs of this notebook.\nlet seed = 0;\nconst epochs: number = 5;\nvar label = "base";\nconst widths = [4, 8];\nlet verbose = false;',
    ['parameters'],
  ],
  ['console.log(JSON.stringify({ seed, epochs, label, widths, verbose }))', []],
];

test('-p injects a cell after the parameters cell, re-assigning or redeclaring as declared, and records the values', () => {
  const folder = temporaryFolder('run-parameters');
  const input = write(folder, 'knobs.ipynb', taggedNotebook(knobs));
  const out = path.join(folder, 'out.ipynb');
  const first = run([
    input,
    '-o',
    out,
    '-p',
    'seed',
    '7',
    '-p',
    'epochs',
    '20',
    '-r',
    'label',
    '42',
    '-p',
    'verbose',
    'True',
    '--json',
  ]);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout).parameters, { seed: 7, epochs: 20, label: '42', verbose: true });
  const executed = read(out);
  assert.equal(executed.cells.length, 3);
  const injected = executed.cells[1];
  assert.deepEqual(injected.metadata.tags, ['injected-parameters']);
  assert.equal(injected.id, 'injected-parameters');
  const source = [].concat(injected.source).join('');
  // let and var are re-assigned; a const is declared again, with its annotation.
  assert.match(source, /^seed = 7;$/m);
  assert.match(source, /^const epochs: number = 20;$/m);
  assert.match(source, /^label = "42";$/m);
  assert.match(source, /^verbose = true;$/m);
  // Like papermill's, the injected cell shows nothing (an assignment's value is not a result).
  assert.deepEqual((injected as { outputs?: unknown[] }).outputs ?? [], []);
  assert.deepEqual(JSON.parse(stdoutOf(executed.cells[2])), {
    seed: 7,
    epochs: 20,
    label: '42',
    widths: [4, 8],
    verbose: true,
  });
  assert.deepEqual(executed.metadata.weightlab.parameters, { seed: 7, epochs: 20, label: '42', verbose: true });
  assert.deepEqual(executed.metadata.papermill.parameters, { seed: 7, epochs: 20, label: '42', verbose: true });
  // The input is untouched (-o), the output parses as the notebook it was.
  assert.equal(read(input).cells.length, 2);

  // Running the output again: its injected cell is replaced, not stacked; -p overrides the file.
  const file = path.join(folder, 'params.json');
  fs.writeFileSync(file, JSON.stringify({ seed: 3, widths: [16, 32, 64], label: 'from the file' }));
  const again = run([out, '--parameters-file', file, '-p', 'seed', '-1']);
  assert.equal(again.status, 0, again.stderr);
  const rerun = read(out);
  assert.equal(
    rerun.cells.filter((cell: { metadata: { tags?: string[] } }) => cell.metadata.tags?.includes('injected-parameters'))
      .length,
    1,
  );
  assert.equal(rerun.cells.length, 3);
  assert.deepEqual(JSON.parse(stdoutOf(rerun.cells[2])), {
    seed: -1,
    epochs: 5,
    label: 'from the file',
    widths: [16, 32, 64],
    verbose: false,
  });
  assert.deepEqual(rerun.metadata.weightlab.parameters, { seed: -1, widths: [16, 32, 64], label: 'from the file' });
});

test('bad parameters exit 2 before any cell runs, with a message naming the file and the parameter', () => {
  const folder = temporaryFolder('run-parameters-bad');
  const input = write(folder, 'knobs.ipynb', taggedNotebook(knobs));
  const untouched = fs.readFileSync(input, 'utf8');
  const cases: Array<{ args: string[]; message: RegExp }> = [
    {
      args: ['-p', 'sed', '7'],
      message:
        /'sed': the parameters cell \(cell 1\) does not declare 'sed' \(expected one of seed, epochs, label, widths, verbose, found sed\)/,
    },
    {
      args: ['-p', 'seed', 'seven'],
      message:
        /'seed': the parameters cell \(cell 1\) declares `let seed = 0` \(expected a number, found the string "seven"\)/,
    },
    {
      args: ['-p', 'label', '5'],
      message: /'label': .*-r NAME VALUE passes VALUE as a string .*\(expected a string, found the number 5\)/,
    },
    {
      args: ['-p', 'widths', '[1,2]'],
      message: /'widths': .*put an array in --parameters-file \(expected an array, found the string "\[1,2\]"\)/,
    },
    { args: ['-p', 'verbose', 'null'], message: /'verbose': .*\(expected a boolean, found null\)/ },
    {
      args: ['--sweep', 'seed=3..1'],
      message:
        /'--sweep': the range of 'seed' is empty or too long \(expected FROM <= TO and at most 10000 values, found 3..1\)/,
    },
    { args: ['--sweep', 'seed=0..1', '-p', 'seed', '2'], message: /'seed' is both swept and given a fixed value/ },
    { args: ['--sweep', 'epochs=1,x'], message: /'epochs': .*\(expected a number, found the string "x"\)/ },
  ];
  for (const { args, message } of cases) {
    const result = run([input, ...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    // A --sweep that does not parse is a command-line matter; every other message names the notebook.
    if (!message.source.startsWith("'--sweep'")) assert.ok(result.stderr.includes(input), result.stderr);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /cell 1 \.\.\./, 'no cell ran');
  }
  assert.equal(fs.readFileSync(input, 'utf8'), untouched);
  assert.equal(fs.existsSync(path.join(folder, 'knobs.sweep')), false);

  const broken = path.join(folder, 'broken.json');
  fs.writeFileSync(broken, '{"seed": 2,');
  const badFile = run([input, '--parameters-file', broken]);
  assert.equal(badFile.status, 2);
  assert.match(
    badFile.stderr,
    new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, offset 11: the parameters file is not valid JSON`),
  );
  const list = path.join(folder, 'list.json');
  fs.writeFileSync(list, '[1, 2]');
  assert.match(
    run([input, '--parameters-file', list]).stderr,
    /must hold one JSON object .*\(expected an object, found an array\)/,
  );

  const plain = write(folder, 'plain.ipynb', notebook([{ cell_type: 'code', source: 'let seed = 0;' }]));
  const noCell = run([plain, '-p', 'seed', '1']);
  assert.equal(noCell.status, 2);
  assert.match(
    noCell.stderr,
    new RegExp(
      `${plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: parameters were given but no code cell is tagged 'parameters'`,
    ),
  );
  assert.equal(run([plain, '-p', 'seed']).status, 2, '-p without a value is a usage error');
});

test('--sweep seed=0..4 over a check that fails for odd seeds: held in 3 of 5 runs, later checks not reached, sweep.json, exit 1', () => {
  const folder = temporaryFolder('run-sweep');
  const input = write(
    folder,
    'odd.ipynb',
    taggedNotebook([
      ['let seed = 0;', ['parameters']],
      ['if (seed % 2 === 1) throw new Error(`odd seed ${seed}`);', ['check']],
      ['console.log(`seed ${seed} passed`)', []],
      ['if (seed === 4) throw new Error("seed 4 is unlucky");', ['check']],
    ]),
  );
  const seeds = [0, 1, 2, 3, 4];
  const even = seeds.filter((seed) => seed % 2 === 0);
  const result = run([input, '--sweep', 'seed=0..4', '--jobs', '2']);
  assert.equal(result.status, 1, result.stderr);
  const outDir = path.join(folder, 'odd.sweep');
  assert.deepEqual(fs.readdirSync(outDir).sort(), [...seeds.map((seed) => `seed-${seed}.ipynb`), 'sweep.json']);
  // The table: the first check held in the even runs; the second failed for 4 and was not reached in the odd ones.
  assert.match(result.stderr, /sweep of odd\.ipynb over seed=0\.\.4: 5 runs/);
  assert.match(
    result.stderr,
    new RegExp(`cell 3 +if \\(seed % 2 === 1\\).* +${even.length}/5 +${seeds.length - even.length} +0`),
  );
  assert.match(
    result.stderr,
    new RegExp(`cell 5 +if \\(seed === 4\\).* +${even.length - 1}/5 +1 +${seeds.length - even.length}`),
  );
  assert.match(result.stderr, /seed=3: failed, cell 3: Error: odd seed 3/);
  assert.match(result.stderr, /not every check held in every run/);

  const summary = read(path.join(outDir, 'sweep.json'));
  assert.equal(summary.notebook, input);
  assert.deepEqual(summary.sweep, { seed: seeds });
  assert.equal(summary.checkConvention, 'tagged');
  assert.equal(summary.allHeld, false);
  assert.equal(summary.notStarted, 0);
  assert.deepEqual(
    summary.checks.map((check: Record<string, unknown>) => [check.cell, check.held, check.failed, check.notReached]),
    [
      [3, even.length, seeds.length - even.length, 0],
      [5, even.length - 1, 1, seeds.length - even.length],
    ],
  );
  assert.deepEqual(
    summary.runs.map((entry: { parameters: { seed: number } }) => entry.parameters.seed),
    seeds,
  );
  for (const entry of summary.runs) {
    const seed = entry.parameters.seed;
    const expected = seed % 2 === 1 ? ['failed', 'not reached'] : seed === 4 ? ['held', 'failed'] : ['held', 'held'];
    assert.deepEqual(
      entry.checks.map((check: { outcome: string }) => check.outcome),
      expected,
      `seed ${seed}`,
    );
    assert.equal(entry.status, expected.includes('failed') ? 'failed' : 'ok');
    assert.equal(entry.out, path.join(outDir, `seed-${seed}.ipynb`));
    // Each run's notebook holds its own seed, its outputs and the recorded parameters.
    const executed = read(entry.out);
    assert.deepEqual(executed.metadata.weightlab.parameters, { seed });
    assert.equal([].concat(executed.cells[1].source).join('').split('\n')[1], `seed = ${seed};`);
    assert.equal(stdoutOf(executed.cells[3]), seed % 2 === 1 ? '' : `seed ${seed} passed\n`);
  }
  assert.equal(read(input).cells.length, 4, 'the input notebook is not rewritten');
});

test('--sweep without check tags reports the cells that failed; several --sweep run every combination; all held exits 0', () => {
  const folder = temporaryFolder('run-sweep-untagged');
  const input = write(
    folder,
    'plain.ipynb',
    taggedNotebook(
      [
        ['let seed = 0;\nlet epochs = 1;', ['parameters']],
        ['if (seed * epochs === 2) throw new RangeError("seed times epochs is 2");', []],
      ],
      4,
    ),
  );
  const outDir = path.join(folder, 'grid');
  const failing = run([input, '--sweep', 'seed=1,2', '--sweep', 'epochs=1,2', '-o', outDir, '--json']);
  assert.equal(failing.status, 1, failing.stderr);
  const summary = JSON.parse(failing.stdout);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(outDir, 'sweep.json'), 'utf8')), summary);
  assert.deepEqual(
    summary.runs.map((entry: { parameters: unknown }) => entry.parameters),
    [
      { seed: 1, epochs: 1 },
      { seed: 1, epochs: 2 },
      { seed: 2, epochs: 1 },
      { seed: 2, epochs: 2 },
    ],
  );
  const products = summary.runs.map(
    (entry: { parameters: { seed: number; epochs: number } }) => entry.parameters.seed * entry.parameters.epochs,
  );
  assert.equal(summary.checkConvention, 'failed cells');
  assert.deepEqual(summary.checks, [
    {
      cell: 3,
      id: 'c1',
      firstLine: 'if (seed * epochs === 2) throw new RangeError("seed times epochs is 2");',
      held: products.filter((product: number) => product !== 2).length,
      failed: products.filter((product: number) => product === 2).length,
      notReached: 0,
    },
  ]);
  assert.ok(fs.existsSync(path.join(outDir, 'seed-2_epochs-1.ipynb')));
  assert.match(failing.stderr, /no cell is tagged 'check': the cells that failed in some run/);
  assert.match(failing.stderr, /seed=2 epochs=1: failed, cell 3: RangeError: seed times epochs is 2/);

  const passing = run([input, '--sweep', 'seed=3,5', '-o', outDir]);
  assert.equal(passing.status, 0, passing.stderr);
  assert.match(passing.stderr, /no cell is tagged 'check' and no cell failed in any run/);
  assert.match(passing.stderr, /every check held in every run/);
  assert.equal(read(path.join(outDir, 'sweep.json')).allHeld, true);
});

test('SIGINT during a sweep: the finished runs and the stopped one are kept and reported, the rest not started, exit 130', async () => {
  const folder = temporaryFolder('run-sweep-sigint');
  const input = write(
    folder,
    'slow.ipynb',
    taggedNotebook([
      ['let seed = 0;', ['parameters']],
      ['await new Promise((resolve) => setTimeout(resolve, seed === 1 ? 600_000 : 1));', ['check']],
    ]),
  );
  const { code, stderr } = await runUntilThenSignal(
    [input, '--sweep', 'seed=0..3'],
    'run 2/4 (seed=1) [3/3] cell 3 ...',
    'SIGINT',
  );
  assert.equal(code, 130, stderr);
  assert.match(stderr, /2 runs \(2 not started: weightlab run received SIGINT\)/);
  const summary = read(path.join(folder, 'slow.sweep', 'sweep.json'));
  assert.equal(summary.stopped, 'weightlab run received SIGINT');
  assert.equal(summary.notStarted, 2);
  assert.deepEqual(
    summary.runs.map((entry: { status: string }) => entry.status),
    ['ok', 'stopped'],
  );
  assert.deepEqual(
    summary.checks.map((check: Record<string, unknown>) => [check.held, check.notReached]),
    [[1, 1]],
  );
  assert.deepEqual(fs.readdirSync(path.join(folder, 'slow.sweep')).sort(), [
    'seed-0.ipynb',
    'seed-1.ipynb',
    'sweep.json',
  ]);
  const stopped = read(path.join(folder, 'slow.sweep', 'seed-1.ipynb'));
  assert.equal(stopped.cells[2].outputs.at(-1).ename, 'RunStopped');
});
