// Executes a notebook's code cells in order on a fresh weightlab kernel and records the outputs
// in the notebook, as `weightlab run` does; a cell that overruns its time is interrupted. Finished
// work is never lost: when the kernel dies or the run is stopped (the caller's AbortSignal, e.g. on
// SIGTERM), the outputs so far are written, atomically, with the failure recorded in the cell it hit.

import path from 'node:path';
import { launchKernel, type RunningKernel } from '../client/launcher';
import type { Message } from '../wire/message';
import { readNotebook, text, writeFileAtomic, writeNotebook, type CodeCell, type Notebook } from './nbformat';
import { NotebookOutputs } from './outputs';
import { renderNotebookHtml } from './html';
import { injectParameters, type Parameters } from './parameters';

export interface RunOptions {
  notebook: string;
  /** Where the executed notebook goes (default: over the input). */
  out?: string;
  html?: string;
  /** Per-cell limit in seconds (default: none). */
  timeoutSeconds?: number;
  /** Kernel working directory (default: the notebook's folder). */
  cwd?: string;
  allowErrors?: boolean;
  progress?: (line: string) => void;
  /** Called with the kernel once it runs, so the caller can shut it down on Ctrl-C. */
  onKernel?: (kernel: RunningKernel) => void;
  /** Stops the run: the kernel is killed, the running cell is marked as stopped, what finished is written. */
  signal?: AbortSignal;
  /** Values for the notebook's parameters cell (see parameters.ts), checked before the kernel starts. */
  parameters?: Parameters;
}

export interface CellReport {
  /** 1-based position among all cells. */
  cell: number;
  executionCount: number | null;
  status: 'ok' | 'error' | 'timeout' | 'died' | 'stopped';
  milliseconds: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface RunReport {
  notebook: string;
  out: string;
  html?: string;
  /** The values injected after the parameters cell, when any were given. */
  parameters?: Parameters;
  cells: CellReport[];
  failed?: CellReport;
  milliseconds: number;
}

const INTERRUPT_GRACE_MS = 10000;

/** Rejects when the kernel process ends, saying what it was doing and the tail of its stderr. */
function kernelDeath(kernel: RunningKernel, doing: string): Promise<never> {
  const died = kernel.exited.then((code): never => {
    throw new Error(
      `the kernel died (exit code ${code}) while ${doing}${kernel.stderr ? `:\n${kernel.stderr.trim()}` : ''}`,
    );
  });
  died.catch(() => undefined);
  return died;
}

interface CellOutcome {
  reply?: Message;
  timedOut: boolean;
  /** Set when the kernel process ended while the cell ran. */
  kernelExit?: { code: number | null };
}

async function executeCell(
  kernel: RunningKernel,
  cell: CodeCell,
  recorder: ReturnType<NotebookOutputs['cell']>,
  timeoutSeconds?: number,
): Promise<CellOutcome> {
  const message = kernel.client.executeMessage(text(cell.source), { stopOnError: true });
  const running = kernel.client.start('shell', message);
  const died = kernel.exited.then((code) => ({ kernelExit: { code } }));
  const waitFor = (milliseconds: number | undefined) =>
    Promise.race([
      running.done,
      died,
      ...(milliseconds === undefined
        ? []
        : [new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), milliseconds).unref())]),
    ]);
  try {
    let outcome = await waitFor(timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000);
    let timedOut = false;
    if (!outcome) {
      timedOut = true;
      await kernel.client.request('control', 'interrupt_request', {}, 5000).catch(() => kernel.signalInterrupt());
      outcome = await waitFor(INTERRUPT_GRACE_MS);
    }
    for (const output of running.messages) recorder.handle(output);
    if (outcome && 'kernelExit' in outcome) return { timedOut, kernelExit: outcome.kernelExit };
    if (outcome) recorder.finish(outcome.reply);
    return { reply: outcome?.reply, timedOut };
  } finally {
    running.dispose();
  }
}

export async function runNotebook(options: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const notebookPath = path.resolve(options.notebook);
  const notebook: Notebook = readNotebook(notebookPath);
  if (options.parameters) injectParameters(notebookPath, notebook, options.parameters);
  const out = path.resolve(options.out ?? notebookPath);
  const progress = options.progress ?? (() => undefined);
  const kernel = await launchKernel({
    cwd: path.resolve(options.cwd ?? path.dirname(notebookPath)),
    stderr: process.env.WEIGHTLAB_DEBUG ? 'inherit' : 'keep',
    // A batch run checks every cell before it runs (no allow_stdin), so the first cell waits for
    // the checker anyway: blocking mode starts the kernel from the startup snapshot, which builds
    // the checker sooner. WEIGHTLAB_TYPECHECK in the environment still decides.
    env: { WEIGHTLAB_TYPECHECK: process.env.WEIGHTLAB_TYPECHECK || 'blocking' },
  });
  options.onKernel?.(kernel);
  const stop = () => kernel.killNow();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const report: RunReport = {
    notebook: notebookPath,
    out,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    cells: [],
    milliseconds: 0,
  };
  try {
    const info = kernel.kernelInfo?.content;
    notebook.metadata.kernelspec = {
      name: 'weightlab',
      display_name: 'weightlab (TypeScript)',
      language: 'typescript',
    };
    if (info?.language_info) notebook.metadata.language_info = info.language_info;
    // kernel_info is answered by the kernel's I/O thread at once, while its main thread still
    // loads TypeScript and the prelude (seconds on a busy machine). A silent empty execution
    // waits for that, so a cell's time and its --timeout count the cell, not the start-up.
    const started = kernel.client.execute('', { silent: true, storeHistory: false });
    started.catch(() => undefined);
    // Stopped while starting: the first cell is then recorded as stopped, below.
    await Promise.race([started, kernelDeath(kernel, 'starting')]).catch((error: unknown) => {
      if (!options.signal?.aborted) throw error;
    });
    const outputs = new NotebookOutputs();
    const code = notebook.cells
      .map((cell, index) => ({ cell, index }))
      .filter((entry): entry is { cell: CodeCell; index: number } => entry.cell.cell_type === 'code');
    let position = 0;
    for (const { cell, index } of code) {
      position++;
      const recorder = outputs.cell(cell);
      if (text(cell.source).trim() === '') continue;
      const cellStarted = Date.now();
      progress(`[${position}/${code.length}] cell ${index + 1} ...`);
      const { reply, timedOut, kernelExit } = await executeCell(kernel, cell, recorder, options.timeoutSeconds);
      const entry: CellReport = {
        cell: index + 1,
        executionCount: cell.execution_count,
        status: 'ok',
        milliseconds: Date.now() - cellStarted,
      };
      if (kernelExit && options.signal?.aborted) {
        const reason =
          options.signal.reason instanceof Error
            ? options.signal.reason.message
            : String(options.signal.reason ?? 'the run was stopped');
        Object.assign(entry, {
          status: 'stopped',
          ename: 'RunStopped',
          evalue: `${reason}; cell ${index + 1} was stopped and the cells after it did not run`,
          traceback: [],
        });
      } else if (kernelExit) {
        const detail = kernel.stderr ? `:\n${lastLines(kernel.stderr, 20)}` : '';
        const cause = kernel.exitCause ? `; ${kernel.exitCause}` : '';
        Object.assign(entry, {
          status: 'died',
          ename: 'KernelDied',
          evalue: `the kernel died (exit code ${kernelExit.code ?? 'none: killed by a signal'}) while running cell ${index + 1}${cause}${detail}`,
          traceback: [],
        });
      } else if (timedOut) {
        Object.assign(entry, {
          status: 'timeout',
          ename: 'CellTimeoutError',
          evalue: `cell ${index + 1} did not finish within ${options.timeoutSeconds} s and was interrupted`,
          traceback: [],
        });
      } else if (reply?.content.status === 'error') {
        Object.assign(entry, {
          status: 'error',
          ename: reply.content.ename,
          evalue: reply.content.evalue,
          traceback: reply.content.traceback,
        });
      }
      if (entry.status === 'died' || entry.status === 'stopped') recorder.fail(entry.ename!, entry.evalue!);
      report.cells.push(entry);
      progress(`[${position}/${code.length}] cell ${index + 1} ${entry.status} (${entry.milliseconds} ms)`);
      // A kernel that ignored the interrupt, died or was stopped cannot run the next cell, --allow-errors or not.
      const stuck = (timedOut && !reply) || kernelExit !== undefined;
      if (entry.status !== 'ok' && (!options.allowErrors || stuck)) {
        report.failed = entry;
        break;
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await kernel.shutdown();
  }
  writeNotebook(out, notebook);
  if (options.html) {
    report.html = path.resolve(options.html);
    writeFileAtomic(report.html, await renderNotebookHtml(notebook, path.basename(notebookPath, '.ipynb')));
  }
  report.milliseconds = Date.now() - started;
  return report;
}

function lastLines(textValue: string, count: number): string {
  return textValue.trim().split('\n').slice(-count).join('\n');
}
