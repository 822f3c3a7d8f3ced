// `weightlab run NB --sweep seed=0..9`: runs a notebook once per combination of parameter values
// and says, per check cell, in how many runs it held. A claim a notebook makes (`if (!(a > b))
// throw …`) may hold for one seed by luck; the sweep shows how often it does.
//
// What counts as a check: a code cell tagged `check` holds in a run when it ran without raising,
// fails when it raised (or timed out, or the kernel died in it), and is not reached when an earlier
// cell stopped the run. When no cell has the tag, every cell that failed in some run is a check.

import fs from 'node:fs';
import path from 'node:path';
import { readNotebook, text, writeFileAtomic } from './nbformat';
import {
  cellTags,
  checkParameters,
  findParametersCell,
  injectParameters,
  parseParameterValue,
  ParameterError,
  type Parameters,
  type ParameterValue,
} from './parameters';
import { runNotebook, type CellReport, type RunOptions, type RunReport } from './runner';

export const CHECK_TAG = 'check';
/** A range wider than this is almost surely a typo (seed=0..1000000). */
const MAXIMUM_RANGE = 10_000;

export interface SweepAxis {
  name: string;
  values: ParameterValue[];
  /** As written on the command line (`seed=0..9`). */
  spec: string;
}

/** `name=a..b` (integers, both ends included) or `name=a,b,c` (each parsed like -p's value). */
export function parseSweep(spec: string): SweepAxis {
  const match = /^([A-Za-z_$][\w$]*)=(.+)$/.exec(spec);
  if (!match)
    throw new ParameterError('a sweep is NAME=FROM..TO or NAME=A,B,C', {
      field: '--sweep',
      expected: 'e.g. seed=0..9 or epochs=5,10',
      found: JSON.stringify(spec),
    });
  const [, name, list] = match;
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(list);
  if (range) {
    const from = Number(range[1]),
      to = Number(range[2]);
    if (to < from || to - from >= MAXIMUM_RANGE) {
      throw new ParameterError(`the range of '${name}' is empty or too long`, {
        field: '--sweep',
        expected: `FROM <= TO and at most ${MAXIMUM_RANGE} values`,
        found: list,
      });
    }
    return { name, spec, values: Array.from({ length: to - from + 1 }, (_, step) => from + step) };
  }
  const values = list.split(',');
  if (values.some((value) => value === ''))
    throw new ParameterError(`the list of '${name}' has an empty value`, { field: '--sweep', found: list });
  return { name, spec, values: values.map(parseParameterValue) };
}

/** Every combination of the axes (the first axis varies slowest), each merged over the fixed values. */
export function sweepCombinations(axes: SweepAxis[], fixed: Parameters): Parameters[] {
  let combinations: Parameters[] = [{ ...fixed }];
  for (const axis of axes)
    combinations = combinations.flatMap((base) => axis.values.map((value) => ({ ...base, [axis.name]: value })));
  return combinations;
}

/** `seed-3_epochs-10.ipynb`: the swept values, with anything unsafe in a file name replaced. */
function runFileName(axes: SweepAxis[], values: Parameters): string {
  const parts = axes.map(
    (axis) =>
      `${axis.name}-${typeof values[axis.name] === 'string' ? values[axis.name] : JSON.stringify(values[axis.name])}`,
  );
  return `${parts.join('_').replace(/[^\w.=+-]/g, '_')}.ipynb`;
}

/** The swept values of a run as `seed=3 epochs=10`. */
function runLabel(axes: SweepAxis[], values: Parameters): string {
  return axes.map((axis) => `${axis.name}=${JSON.stringify(values[axis.name])}`).join(' ');
}

export type CheckOutcome = 'held' | 'failed' | 'not reached';

export interface SweepRun {
  parameters: Parameters;
  out: string;
  /** ok: every cell ran; failed: a cell failed; stopped: Ctrl-C/SIGTERM; error: the run could not start. */
  status: 'ok' | 'failed' | 'stopped' | 'error';
  milliseconds: number;
  /** The cell that ended the run (or, with --allow-errors, the first that failed). */
  failed?: { cell: number; ename?: string; evalue?: string };
  /** Why the run could not start (status error). */
  error?: string;
  checks: Array<{ cell: number; outcome: CheckOutcome; ename?: string; evalue?: string }>;
}

export interface CheckSummary {
  /** 1-based position among all cells of the executed notebooks (after the injected-parameters cell). */
  cell: number;
  id?: string;
  firstLine: string;
  held: number;
  failed: number;
  notReached: number;
}

export interface SweepReport {
  notebook: string;
  outDir: string;
  sweep: Record<string, ParameterValue[]>;
  /** Values every run shares (-p, --parameters-file). */
  parameters: Parameters;
  /** 'tagged': cells tagged `check`; 'failed cells': no cell has the tag, so the cells that failed somewhere. */
  checkConvention: 'tagged' | 'failed cells';
  checks: CheckSummary[];
  runs: SweepRun[];
  /** Runs that did not start because the sweep was stopped. */
  notStarted: number;
  stopped?: string;
  /** True when every check held in every run of the whole sweep. */
  allHeld: boolean;
}

/** What each run gets as runNotebook's options; the sweep's own options follow. */
export interface SweepOptions extends Pick<
  RunOptions,
  'timeoutSeconds' | 'cwd' | 'allowErrors' | 'progress' | 'onKernel' | 'signal'
> {
  notebook: string;
  axes: SweepAxis[];
  /** Values every run gets (the sweep's own names may not be among them). */
  parameters?: Parameters;
  /** Folder for the executed notebooks and sweep.json (default: `<name>.sweep` next to the notebook). */
  outDir?: string;
  /** Runs at a time (default 1). */
  jobs?: number;
}

interface CheckCell {
  cell: number;
  id?: string;
  firstLine: string;
}

function firstLine(source: string): string {
  return (
    source
      .split('\n')
      .map((part) => part.trim())
      .find((part) => part !== '') ?? ''
  );
}

/** At most `width` characters, for the table. */
function shorten(line: string, width = 60): string {
  return line.length > width ? `${line.slice(0, width - 3)}...` : line;
}

function runStatus(report: RunReport): SweepRun['status'] {
  if (report.cells.some((cell) => cell.status === 'stopped')) return 'stopped';
  return report.cells.some((cell) => cell.status !== 'ok') ? 'failed' : 'ok';
}

function outcome(
  run: { status: SweepRun['status']; cells: CellReport[]; failedCell?: number },
  cell: number,
): { outcome: CheckOutcome; ename?: string; evalue?: string } {
  const entry = run.cells.find((candidate) => candidate.cell === cell);
  if (entry) {
    if (entry.status === 'ok') return { outcome: 'held' };
    if (entry.status === 'stopped') return { outcome: 'not reached' };
    return { outcome: 'failed', ename: entry.ename, evalue: entry.evalue };
  }
  if (run.status === 'error' || (run.failedCell !== undefined && cell > run.failedCell))
    return { outcome: 'not reached' };
  // A cell with no code ran by definition.
  return { outcome: 'held' };
}

interface FinishedRun {
  index: number;
  parameters: Parameters;
  out: string;
  status: SweepRun['status'];
  milliseconds: number;
  cells: CellReport[];
  failedCell?: number;
  failed?: SweepRun['failed'];
  error?: string;
}

export async function runSweep(options: SweepOptions): Promise<SweepReport> {
  const notebookPath = path.resolve(options.notebook);
  const fixed = options.parameters ?? {};
  const names = new Set<string>();
  for (const axis of options.axes) {
    if (names.has(axis.name))
      throw new ParameterError(`'${axis.name}' is swept twice`, {
        file: notebookPath,
        field: '--sweep',
        found: axis.spec,
      });
    if (axis.name in fixed)
      throw new ParameterError(`'${axis.name}' is both swept and given a fixed value (-p or --parameters-file)`, {
        file: notebookPath,
        field: axis.name,
      });
    names.add(axis.name);
  }
  const combinations = sweepCombinations(options.axes, fixed);
  // Every combination is checked against the parameters cell before the first kernel starts.
  const template = readNotebook(notebookPath);
  const parametersCell = findParametersCell(notebookPath, template);
  for (const values of combinations) checkParameters(notebookPath, parametersCell, values);
  injectParameters(notebookPath, template, combinations[0]);
  const codeCells = template.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.cell_type === 'code');
  const tagged: CheckCell[] = codeCells
    .filter(({ cell }) => cellTags(cell).includes(CHECK_TAG))
    .map(({ cell, index }) => ({ cell: index + 1, id: cell.id, firstLine: firstLine(text(cell.source)) }));
  const cellAt = (cell: number): CheckCell => ({
    cell,
    id: template.cells[cell - 1]?.id,
    firstLine: firstLine(text(template.cells[cell - 1]?.source)),
  });

  const outDir = path.resolve(
    options.outDir ?? path.join(path.dirname(notebookPath), `${path.basename(notebookPath, '.ipynb')}.sweep`),
  );
  fs.mkdirSync(outDir, { recursive: true });
  const taken = new Set<string>();
  const files = combinations.map((values, index) => {
    let name = runFileName(options.axes, values);
    if (taken.has(name)) name = name.replace(/\.ipynb$/, `_${index + 1}.ipynb`);
    taken.add(name);
    return path.join(outDir, name);
  });

  const progress = options.progress ?? (() => undefined);
  const finished: FinishedRun[] = [];
  const report = (): SweepReport => {
    const runs = [...finished].sort((a, b) => a.index - b.index);
    const failedCells = [
      ...new Set(
        runs.flatMap((run) =>
          run.cells.filter((cell) => cell.status !== 'ok' && cell.status !== 'stopped').map((cell) => cell.cell),
        ),
      ),
    ].sort((a, b) => a - b);
    const checkCells = tagged.length > 0 ? tagged : failedCells.map(cellAt);
    const outcomes = runs.map((run) => checkCells.map((check) => ({ cell: check.cell, ...outcome(run, check.cell) })));
    const checks = checkCells.map((check, position) => ({
      ...check,
      held: outcomes.filter((list) => list[position].outcome === 'held').length,
      failed: outcomes.filter((list) => list[position].outcome === 'failed').length,
      notReached: outcomes.filter((list) => list[position].outcome === 'not reached').length,
    }));
    const stopped = options.signal?.aborted
      ? String(
          options.signal.reason instanceof Error ? options.signal.reason.message : (options.signal.reason ?? 'stopped'),
        )
      : undefined;
    return {
      notebook: notebookPath,
      outDir,
      sweep: Object.fromEntries(options.axes.map((axis) => [axis.name, axis.values])),
      parameters: fixed,
      checkConvention: tagged.length > 0 ? 'tagged' : 'failed cells',
      checks,
      runs: runs.map((run, position) => ({
        parameters: run.parameters,
        out: run.out,
        status: run.status,
        milliseconds: run.milliseconds,
        ...(run.failed ? { failed: run.failed } : {}),
        ...(run.error ? { error: run.error } : {}),
        checks: outcomes[position],
      })),
      notStarted: combinations.length - runs.length,
      ...(stopped ? { stopped } : {}),
      allHeld:
        runs.length === combinations.length &&
        !stopped &&
        runs.every((run) => run.status !== 'error' && run.status !== 'stopped') &&
        checks.every((check) => check.held === runs.length),
    };
  };
  const summaryFile = path.join(outDir, 'sweep.json');
  // Rewritten after every run, so a sweep that is stopped or crashes still says what ran.
  const save = () => writeFileAtomic(summaryFile, `${JSON.stringify(report(), null, 1)}\n`);

  let next = 0;
  const worker = async () => {
    while (next < combinations.length && !options.signal?.aborted) {
      const index = next++;
      const values = combinations[index];
      const label = `run ${index + 1}/${combinations.length} (${runLabel(options.axes, values)})`;
      progress(`${label} ...`);
      const started = Date.now();
      let run: FinishedRun;
      try {
        const result = await runNotebook({
          notebook: notebookPath,
          out: files[index],
          parameters: values,
          timeoutSeconds: options.timeoutSeconds,
          cwd: options.cwd ?? path.dirname(notebookPath),
          allowErrors: options.allowErrors,
          progress: (line) => progress(`${label} ${line}`),
          onKernel: options.onKernel,
          signal: options.signal,
        });
        const firstFailure = result.failed ?? result.cells.find((cell) => cell.status !== 'ok');
        run = {
          index,
          parameters: values,
          out: files[index],
          status: runStatus(result),
          milliseconds: result.milliseconds,
          cells: result.cells,
          failedCell: result.failed?.cell,
          failed: firstFailure
            ? { cell: firstFailure.cell, ename: firstFailure.ename, evalue: firstFailure.evalue }
            : undefined,
        };
      } catch (error) {
        if (error instanceof ParameterError) throw error;
        run = {
          index,
          parameters: values,
          out: files[index],
          status: 'error',
          milliseconds: Date.now() - started,
          cells: [],
          error: error instanceof Error ? error.message : String(error),
        };
      }
      finished.push(run);
      progress(
        `${label} ${run.status}${run.failed ? ` in cell ${run.failed.cell}` : ''} (${(run.milliseconds / 1000).toFixed(1)} s)`,
      );
      save();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 1, combinations.length)) }, worker));
  save();
  return report();
}

/** An axis's values as written back: `0..9` for consecutive integers, else `a,b,c`. */
function axisValues(values: ParameterValue[]): string {
  const integers = values.every(
    (value, step) => Number.isInteger(value) && (step === 0 || value === (values[step - 1] as number) + 1),
  );
  if (integers && values.length >= 3) return `${values[0]}..${values[values.length - 1]}`;
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(',');
}

/** The sweep as a text table: one row per check, then the runs that failed and how. */
export function sweepTable(report: SweepReport): string {
  const total = report.runs.length;
  const axes = Object.entries(report.sweep).map(([name, values]) => `${name}=${axisValues(values)}`);
  const lines = [
    `sweep of ${path.basename(report.notebook)} over ${axes.join(' x ')}: ${total} run${total === 1 ? '' : 's'}${report.notStarted ? ` (${report.notStarted} not started: ${report.stopped ?? 'stopped'})` : ''}, notebooks in ${report.outDir}`,
  ];
  if (report.checks.length === 0) {
    lines.push(
      report.checkConvention === 'tagged'
        ? 'no check cells'
        : "no cell is tagged 'check' and no cell failed in any run",
    );
  } else {
    lines.push(
      report.checkConvention === 'tagged'
        ? "checks (cells tagged 'check'):"
        : "checks (no cell is tagged 'check': the cells that failed in some run):",
    );
    const rows = report.checks.map((check) => [
      `cell ${check.cell}`,
      shorten(check.firstLine),
      `${check.held}/${total}`,
      String(check.failed),
      String(check.notReached),
    ]);
    const header = ['cell', 'first line', 'held', 'failed', 'not reached'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const format = (row: string[]) =>
      `  ${row.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ')}`.trimEnd();
    lines.push(format(header), ...rows.map(format));
  }
  const troubled = report.runs.filter((run) => run.status !== 'ok');
  if (troubled.length > 0) {
    lines.push('runs that did not finish cleanly:');
    for (const run of troubled) {
      const values = Object.keys(report.sweep)
        .map((name) => `${name}=${JSON.stringify(run.parameters[name])}`)
        .join(' ');
      const why =
        run.error ??
        (run.failed
          ? `cell ${run.failed.cell}: ${run.failed.ename}: ${(run.failed.evalue ?? '').split('\n')[0]}`
          : run.status);
      lines.push(`  ${values}: ${run.status}, ${why}`);
    }
  }
  lines.push(report.allHeld ? 'every check held in every run' : 'not every check held in every run');
  return lines.join('\n');
}
