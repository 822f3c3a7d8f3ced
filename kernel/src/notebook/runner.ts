// Executes a notebook's code cells in order on a fresh weightlab kernel and records the outputs
// in the notebook, as `weightlab run` does; a cell that overruns its time is interrupted.

import path from 'node:path';
import { launchKernel, type RunningKernel } from '../client/launcher';
import type { Message } from '../wire/message';
import { readNotebook, text, writeFileAtomic, writeNotebook, type CodeCell, type Notebook } from './nbformat';
import { NotebookOutputs } from './outputs';
import { renderNotebookHtml } from './html';

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
}

export interface CellReport {
  /** 1-based position among all cells. */
  cell: number;
  executionCount: number | null;
  status: 'ok' | 'error' | 'timeout';
  milliseconds: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface RunReport {
  notebook: string;
  out: string;
  html?: string;
  cells: CellReport[];
  failed?: CellReport;
  milliseconds: number;
}

const INTERRUPT_GRACE_MS = 10000;

/** Rejects when the kernel process ends, saying what it was doing and the tail of its stderr. */
function kernelDeath(kernel: RunningKernel, doing: string): Promise<never> {
  const died = kernel.exited.then((code): never => { throw new Error(`the kernel died (exit code ${code}) while ${doing}${kernel.stderr ? `:\n${kernel.stderr.trim()}` : ''}`); });
  died.catch(() => undefined);
  return died;
}

async function executeCell(kernel: RunningKernel, cell: CodeCell, recorder: ReturnType<NotebookOutputs['cell']>, timeoutSeconds?: number): Promise<{ reply?: Message; timedOut: boolean }> {
  const message = kernel.client.executeMessage(text(cell.source), { stopOnError: true });
  const running = kernel.client.start('shell', message);
  const died = kernelDeath(kernel, 'running this cell');
  const waitFor = (milliseconds: number | undefined) => Promise.race([
    running.done,
    died,
    ...(milliseconds === undefined ? [] : [new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), milliseconds).unref())]),
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
  const out = path.resolve(options.out ?? notebookPath);
  const progress = options.progress ?? (() => undefined);
  const kernel = await launchKernel({ cwd: path.resolve(options.cwd ?? path.dirname(notebookPath)), stderr: process.env.WEIGHTLAB_DEBUG ? 'inherit' : 'keep' });
  options.onKernel?.(kernel);
  const report: RunReport = { notebook: notebookPath, out, cells: [], milliseconds: 0 };
  try {
    const info = kernel.kernelInfo?.content;
    notebook.metadata.kernelspec = { name: 'weightlab', display_name: 'weightlab (TypeScript)', language: 'typescript' };
    if (info?.language_info) notebook.metadata.language_info = info.language_info;
    // kernel_info is answered by the kernel's I/O thread at once, while its main thread still
    // loads TypeScript and the prelude (seconds on a busy machine). A silent empty execution
    // waits for that, so a cell's time and its --timeout count the cell, not the start-up.
    const started = kernel.client.execute('', { silent: true, storeHistory: false });
    started.catch(() => undefined);
    await Promise.race([started, kernelDeath(kernel, 'starting')]);
    const outputs = new NotebookOutputs();
    const code = notebook.cells.map((cell, index) => ({ cell, index })).filter((entry): entry is { cell: CodeCell; index: number } => entry.cell.cell_type === 'code');
    let position = 0;
    for (const { cell, index } of code) {
      position++;
      const recorder = outputs.cell(cell);
      if (text(cell.source).trim() === '') continue;
      const cellStarted = Date.now();
      progress(`[${position}/${code.length}] cell ${index + 1} ...`);
      const { reply, timedOut } = await executeCell(kernel, cell, recorder, options.timeoutSeconds);
      const entry: CellReport = { cell: index + 1, executionCount: cell.execution_count, status: 'ok', milliseconds: Date.now() - cellStarted };
      if (timedOut) {
        Object.assign(entry, { status: 'timeout', ename: 'CellTimeoutError', evalue: `cell ${index + 1} did not finish within ${options.timeoutSeconds} s and was interrupted`, traceback: [] });
      } else if (reply?.content.status === 'error') {
        Object.assign(entry, { status: 'error', ename: reply.content.ename, evalue: reply.content.evalue, traceback: reply.content.traceback });
      }
      report.cells.push(entry);
      progress(`[${position}/${code.length}] cell ${index + 1} ${entry.status} (${entry.milliseconds} ms)`);
      // A kernel that ignored the interrupt cannot run the next cell, --allow-errors or not.
      const stuck = timedOut && !reply;
      if (entry.status !== 'ok' && (!options.allowErrors || stuck)) {
        report.failed = entry;
        break;
      }
    }
  } finally {
    await kernel.shutdown();
  }
  writeNotebook(out, notebook);
  if (options.html) {
    report.html = path.resolve(options.html);
    writeFileAtomic(report.html, renderNotebookHtml(notebook, path.basename(notebookPath, '.ipynb')));
  }
  report.milliseconds = Date.now() - started;
  return report;
}
