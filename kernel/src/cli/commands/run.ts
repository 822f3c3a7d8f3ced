// `weightlab run NOTEBOOK.ipynb`: executes a notebook headless on the weightlab kernel, writes
// the outputs back (or elsewhere) and optionally a standalone HTML page; with -p it sets the
// notebook's parameters first, with --sweep it runs once per combination of values and reports
// which checks held in how many runs.

import { parseArgs, numberOption, UsageError, type Command } from '../command';
import { NotebookError } from '../../notebook/nbformat';
import {
  ParameterError,
  parseParameterValue,
  readParametersFile,
  type Parameters,
  type ParameterValue,
} from '../../notebook/parameters';
import { runNotebook, type RunReport } from '../../notebook/runner';
import { parseSweep, runSweep, sweepTable } from '../../notebook/sweep';
import type { RunningKernel } from '../../client/launcher';

const help = `Usage: weightlab run NOTEBOOK.ipynb [options]
       weightlab run NOTEBOOK.ipynb --sweep NAME=FROM..TO [--sweep NAME=A,B,C ...] [options]

Runs every code cell of an nbformat 4 notebook, in order, on a fresh weightlab kernel and
records the outputs (streams, displays, results, errors, execution counts) in the notebook.

Options:
  --out FILE        write the executed notebook here (default: over NOTEBOOK); with --sweep,
                    the folder for the sweep's notebooks (default: NOTEBOOK's name + .sweep)
  --html FILE       also write a standalone HTML page of the executed notebook (not with --sweep)
  --timeout S       interrupt a cell that runs longer than S seconds (default: no limit)
  --cwd DIR         the kernel's working directory (default: the notebook's folder)
  --allow-errors    keep going after a cell fails (exit 0; with --sweep the checks decide)
  --json            print a JSON report on stdout
  -p NAME VALUE     set a parameter (repeatable; also --parameters NAME VALUE). VALUE is parsed
                    as papermill does: a number, true/True, false/False, null/None, else a string
  -r NAME VALUE     set a parameter to the string VALUE as it is (also --parameters-raw)
  --parameters-file FILE
                    parameters from a JSON object, values as they are (-p overrides them)
  --sweep NAME=SPEC run once per value: FROM..TO (integers, both included) or A,B,C; several
                    --sweep run every combination; each run is written to the --out folder as
                    NAME-VALUE[_NAME-VALUE].ipynb, with sweep.json (every run's parameters,
                    status and checks), and a table of the checks is printed
  --jobs N          with --sweep, runs at a time (default: 1; each run is its own kernel)

Parameters follow papermill: the first code cell tagged 'parameters' declares them
(let seed = 0; const epochs = 10;). A cell tagged 'injected-parameters' is inserted after it
that re-assigns each given name (a const is declared again), replacing one an earlier run
inserted; the values are recorded in the notebook's metadata.weightlab.parameters and
metadata.papermill.parameters. A name the cell does not declare, a value whose type differs
from the declared literal's (a string for \`let seed = 0\`), or parameters for a notebook
without a parameters cell exit 2 before any cell runs.

Checks (--sweep): a code cell tagged 'check' holds in a run when it ran without an error,
fails when it raised (or timed out, or the kernel died in it), and is not reached when an
earlier cell stopped the run. When no cell has the tag, every cell that failed in some run
is reported as a check, by its position and first line.

Exit status: 0 when every cell ran, 1 when a cell failed, timed out or the kernel died,
2 for a bad command line, a bad parameter or a file that is not a notebook, 130/143 when
stopped by SIGINT/SIGTERM. With --sweep: 0 only when every check held in every run, else 1
(2 and 130/143 as above). Whatever happens, the cells that finished are written
(atomically), and the cell that failed or was stopped says why; a second signal exits at
once. A stopped sweep keeps the runs that finished and reports them.`;

function printFailure(report: RunReport): void {
  const failed = report.failed;
  if (!failed) return;
  const lines = [`weightlab run: cell ${failed.cell} failed: ${failed.ename}: ${failed.evalue}`];
  if (failed.traceback && failed.traceback.length > 0) lines.push(...failed.traceback.map((line) => `  ${line}`));
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Pulls the repeatable options parseArgs does not know out of `args`: -p/-r NAME VALUE and --sweep SPEC. */
function takeRepeated(args: string[]): {
  rest: string[];
  parameters: Array<[string, ParameterValue]>;
  sweeps: string[];
} {
  const rest: string[] = [],
    parameters: Array<[string, ParameterValue]> = [],
    sweeps: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '-p' || arg === '--parameters' || arg === '-r' || arg === '--parameters-raw') {
      if (i + 2 >= args.length) throw new UsageError(`${arg} needs a NAME and a VALUE`);
      const raw = arg === '-r' || arg === '--parameters-raw';
      parameters.push([args[i + 1], raw ? args[i + 2] : parseParameterValue(args[i + 2])]);
      i += 2;
    } else if (arg === '--sweep') {
      if (i + 1 >= args.length) throw new UsageError('--sweep needs NAME=FROM..TO or NAME=A,B,C');
      sweeps.push(args[++i]);
    } else if (arg.startsWith('--sweep=')) {
      sweeps.push(arg.slice('--sweep='.length));
    } else {
      rest.push(arg);
    }
  }
  return { rest, parameters, sweeps };
}

/**
 * Runs `work` with SIGINT/SIGTERM turned into an abort: the first signal stops the kernels (their
 * finished cells are written), a second kills every kernel started and exits at once.
 */
async function withInterrupts(
  work: (signal: AbortSignal, onKernel: (kernel: RunningKernel) => void) => Promise<number>,
): Promise<number> {
  const kernels = new Set<RunningKernel>();
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) {
      process.stderr.write(`\nweightlab run: ${signal} again; exiting without writing\n`);
      for (const kernel of kernels) kernel.killNow();
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    stoppedBy = signal;
    process.stderr.write(`\nweightlab run: ${signal}; stopping the kernel and writing the cells that finished\n`);
    stop.abort(new Error(`weightlab run received ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const status = await work(stop.signal, (kernel) => {
      kernels.add(kernel);
      kernel.exited.then(
        () => kernels.delete(kernel),
        () => kernels.delete(kernel),
      );
    });
    if (stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
    return status;
  } catch (error) {
    if (error instanceof NotebookError || error instanceof ParameterError) {
      process.stderr.write(`weightlab run: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'execute a notebook on the weightlab kernel and save its outputs (and HTML); parameters and seed sweeps',
  help,
  async run(args) {
    const repeated = takeRepeated(args);
    const parsed = parseArgs(repeated.rest, {
      values: ['out', 'html', 'timeout', 'cwd', 'parameters-file', 'jobs'],
      flags: ['allow-errors', 'json'],
      aliases: { o: 'out' },
    });
    if (parsed.positional.length !== 1) {
      process.stderr.write(`weightlab run: expected one notebook, got ${parsed.positional.length}\n\n${help}\n`);
      return 2;
    }
    const timeout = parsed.options.timeout === undefined ? undefined : numberOption(parsed, 'timeout', 0);
    const sweeping = repeated.sweeps.length > 0;
    if (!sweeping && parsed.options.jobs !== undefined) throw new UsageError('--jobs needs --sweep');
    if (sweeping && parsed.options.html !== undefined)
      throw new UsageError('--html writes one page: it does not go with --sweep');
    const jobs = numberOption(parsed, 'jobs', 1);
    if (!Number.isInteger(jobs)) throw new UsageError(`--jobs must be a whole number, got '${parsed.options.jobs}'`);
    return withInterrupts(async (signal, onKernel) => {
      const given = repeated.parameters.length > 0 || parsed.options['parameters-file'] !== undefined;
      const parameters: Parameters = {
        ...(parsed.options['parameters-file'] === undefined
          ? {}
          : readParametersFile(parsed.options['parameters-file'])),
        ...Object.fromEntries(repeated.parameters),
      };
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      if (sweeping) {
        const report = await runSweep({
          notebook: parsed.positional[0],
          axes: repeated.sweeps.map(parseSweep),
          parameters,
          outDir: parsed.options.out,
          jobs,
          timeoutSeconds: timeout,
          cwd: parsed.options.cwd,
          allowErrors: parsed.flags.has('allow-errors'),
          progress,
          onKernel,
          signal,
        });
        if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        process.stderr.write(`${sweepTable(report)}\n`);
        return report.allHeld ? 0 : 1;
      }
      const report = await runNotebook({
        notebook: parsed.positional[0],
        out: parsed.options.out,
        html: parsed.options.html,
        timeoutSeconds: timeout,
        cwd: parsed.options.cwd,
        allowErrors: parsed.flags.has('allow-errors'),
        parameters: given ? parameters : undefined,
        progress,
        onKernel,
        signal,
      });
      printFailure(report);
      if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else
        process.stderr.write(
          `weightlab run: wrote ${report.out}${report.html ? ` and ${report.html}` : ''} (${report.cells.length} cells, ${(report.milliseconds / 1000).toFixed(1)} s)\n`,
        );
      return report.failed ? 1 : 0;
    });
  },
};
