// Turns what goes wrong in a cell (type errors, thrown values, interrupts) into Jupyter's
// ename / evalue / traceback, with the kernel's own stack frames removed.

import { inspect } from 'node:util';
import path from 'node:path';
import type { Diagnostic } from 'tslab/dist/converter';

export interface CellError {
  status: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Raised into a running cell's await when the user interrupts it. */
export class InterruptError extends Error {
  constructor(message = 'interrupted by the user') {
    super(message);
    this.name = 'KeyboardInterrupt';
  }
}

const KERNEL_DIRECTORY = path.resolve(__dirname, '..');
const INTERNAL_FRAME = /\((node:|internal\/)|at (node:|internal\/)|node:vm|\/tslab\/dist\//;

function isInternalFrame(line: string): boolean {
  return INTERNAL_FRAME.test(line) || line.includes(KERNEL_DIRECTORY);
}

export function typeScriptError(diagnostics: Diagnostic[]): CellError {
  const lines = diagnostics.map(
    (diagnostic) =>
      `${diagnostic.fileName ? `${diagnostic.fileName} ` : ''}${diagnostic.start.line + 1}:${diagnostic.start.character + 1} - ${diagnostic.messageText}`,
  );
  return { status: 'error', ename: 'TypeScriptError', evalue: lines.join('\n'), traceback: lines };
}

export function interruptError(message?: string): CellError {
  const error = new InterruptError(message);
  return { status: 'error', ename: error.name, evalue: error.message, traceback: [`${error.name}: ${error.message}`] };
}

export function isScriptInterrupt(error: unknown): boolean {
  return (
    error instanceof InterruptError || (error as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED'
  );
}

/** A thrown value as a cell error; non-Error values (`throw "x"`) are reported as they are. */
export function runtimeError(error: unknown): CellError {
  if (isScriptInterrupt(error)) return interruptError();
  if (!(error instanceof Error)) {
    const text = typeof error === 'string' ? error : inspect(error, { depth: 2 });
    return { status: 'error', ename: 'Uncaught', evalue: text, traceback: [`Uncaught ${text}`] };
  }
  const ename = error.name || error.constructor?.name || 'Error';
  const evalue = error.message ?? '';
  const stack = typeof error.stack === 'string' ? error.stack : `${ename}: ${evalue}`;
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  const head = firstFrame < 0 ? lines : lines.slice(0, firstFrame);
  const frames =
    firstFrame < 0 ? [] : lines.slice(firstFrame).filter((line) => /^\s+at /.test(line) && !isInternalFrame(line));
  return { status: 'error', ename, evalue, traceback: [...head, ...frames] };
}
