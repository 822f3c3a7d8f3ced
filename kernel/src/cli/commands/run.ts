// `weightlab run NOTEBOOK.ipynb`: executes a notebook headless on the weightlab kernel, writes
// the outputs back (or elsewhere) and optionally a standalone HTML page.

import { parseArgs, numberOption, type Command } from '../command';
import { NotebookError } from '../../notebook/nbformat';
import { runNotebook, type RunReport } from '../../notebook/runner';
import type { RunningKernel } from '../../client/launcher';

const help = `Usage: weightlab run NOTEBOOK.ipynb [options]

Runs every code cell of an nbformat 4 notebook, in order, on a fresh weightlab kernel and
records the outputs (streams, displays, results, errors, execution counts) in the notebook.

Options:
  --out FILE        write the executed notebook here (default: over NOTEBOOK)
  --html FILE       also write a standalone HTML page of the executed notebook
  --timeout S       interrupt a cell that runs longer than S seconds (default: no limit)
  --cwd DIR         the kernel's working directory (default: the notebook's folder)
  --allow-errors    keep going after a cell fails (exit 0)
  --json            print a JSON report on stdout

Exit status: 0 when every cell ran, 1 when a cell failed, timed out or the kernel died,
2 for a bad command line or a file that is not a notebook, 130/143 when stopped by
SIGINT/SIGTERM. Whatever happens, the cells that finished are written (atomically), and
the cell that failed or was stopped says why; a second signal exits at once.`;

function printFailure(report: RunReport): void {
  const failed = report.failed;
  if (!failed) return;
  const lines = [`weightlab run: cell ${failed.cell} failed: ${failed.ename}: ${failed.evalue}`];
  if (failed.traceback && failed.traceback.length > 0) lines.push(...failed.traceback.map((line) => `  ${line}`));
  process.stderr.write(`${lines.join('\n')}\n`);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'execute a notebook on the weightlab kernel and save its outputs (and HTML)',
  help,
  async run(args) {
    const parsed = parseArgs(args, { values: ['out', 'html', 'timeout', 'cwd'], flags: ['allow-errors', 'json'], aliases: { o: 'out' } });
    if (parsed.positional.length !== 1) {
      process.stderr.write(`weightlab run: expected one notebook, got ${parsed.positional.length}\n\n${help}\n`);
      return 2;
    }
    const timeout = parsed.options.timeout === undefined ? undefined : numberOption(parsed, 'timeout', 0);
    let kernel: RunningKernel | undefined;
    const stop = new AbortController();
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppedBy) {
        process.stderr.write(`\nweightlab run: ${signal} again; exiting without writing\n`);
        kernel?.killNow();
        process.exit(signal === 'SIGTERM' ? 143 : 130);
      }
      stoppedBy = signal;
      process.stderr.write(`\nweightlab run: ${signal}; stopping the kernel and writing the cells that finished\n`);
      stop.abort(new Error(`weightlab run received ${signal}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const report = await runNotebook({
        notebook: parsed.positional[0],
        out: parsed.options.out,
        html: parsed.options.html,
        timeoutSeconds: timeout,
        cwd: parsed.options.cwd,
        allowErrors: parsed.flags.has('allow-errors'),
        progress: (line) => process.stderr.write(`${line}\n`),
        onKernel: (running) => { kernel = running; },
        signal: stop.signal,
      });
      printFailure(report);
      if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stderr.write(`weightlab run: wrote ${report.out}${report.html ? ` and ${report.html}` : ''} (${report.cells.length} cells, ${(report.milliseconds / 1000).toFixed(1)} s)\n`);
      if (stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
      return report.failed ? 1 : 0;
    } catch (error) {
      if (error instanceof NotebookError) {
        process.stderr.write(`weightlab run: ${error.message}\n`);
        return 2;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
