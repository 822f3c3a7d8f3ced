// nbformat 4 notebooks: the types we read and write, validation with errors that name the file
// and the position, and atomic writes (temp file, then rename) so a crash never leaves half a file.

import { readFileSync } from 'node:fs';
import { writeFileAtomic as writeBytesAtomic } from 'weightlab/dist/io/atomic-write';
import { locateJsonError } from './json-error';
import { FormatError } from 'weightlab';

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: 'code';
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}

export interface TextCell {
  cell_type: 'markdown' | 'raw';
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}

export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, any>;
  cells: Cell[];
}

/** A file that is not a readable nbformat 4 notebook: a FormatError naming the file, like the library's readers. */
export class NotebookError extends FormatError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message, { file });
  }
}

export function text(source: MultilineString | undefined): string {
  return Array.isArray(source) ? source.join('') : (source ?? '');
}

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineAndColumn(content: string, offset: number): string {
  const before = content.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function parseJson(file: string, content: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    const located = locateJsonError(content);
    const detail = located
      ? `at ${lineAndColumn(content, located.offset)}: ${located.message}`
      : `: ${(error as Error).message}`;
    throw new NotebookError(file, `not valid JSON ${detail}`.replace(' :', ':'));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMultiline(value: unknown): value is MultilineString {
  return typeof value === 'string' || (Array.isArray(value) && value.every((line) => typeof line === 'string'));
}

/** Checks the parts of nbformat 4 that running and rendering rely on. */
export function validateNotebook(file: string, value: unknown): Notebook {
  if (!isRecord(value)) throw new NotebookError(file, 'not a notebook: the top level is not a JSON object');
  if (value.nbformat !== 4)
    throw new NotebookError(file, `not an nbformat 4 notebook (nbformat is ${JSON.stringify(value.nbformat)})`);
  if (!Array.isArray(value.cells)) throw new NotebookError(file, "not a notebook: 'cells' is not a list");
  if (value.metadata !== undefined && !isRecord(value.metadata))
    throw new NotebookError(file, "'metadata' is not an object");
  value.cells.forEach((cell, index) => {
    const where = `cell ${index + 1}`;
    if (!isRecord(cell)) throw new NotebookError(file, `${where} is not an object`);
    if (cell.cell_type !== 'code' && cell.cell_type !== 'markdown' && cell.cell_type !== 'raw') {
      throw new NotebookError(file, `${where} has an unknown cell_type ${JSON.stringify(cell.cell_type)}`);
    }
    if (!isMultiline(cell.source)) throw new NotebookError(file, `${where} has no source text`);
    if (cell.metadata === undefined) cell.metadata = {};
    if (cell.cell_type === 'code') {
      if (cell.outputs === undefined) cell.outputs = [];
      if (!Array.isArray(cell.outputs)) throw new NotebookError(file, `${where} has outputs that are not a list`);
      if (cell.execution_count === undefined) cell.execution_count = null;
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: typeof value.nbformat_minor === 'number' ? value.nbformat_minor : 5,
    metadata: (value.metadata as Record<string, any>) ?? {},
    cells: value.cells as Cell[],
  };
}

export function readNotebook(file: string): Notebook {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NotebookError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return validateNotebook(file, parseJson(file, content));
}

/** Writes `content` to `file` through lib's temp-file-and-rename writer (never half a file). */
export function writeFileAtomic(file: string, content: string): void {
  writeBytesAtomic(file, (write) => write(Buffer.from(content, 'utf8')));
}

/** Jupyter's own layout: one-space indentation and a final newline. */
export function writeNotebook(file: string, notebook: Notebook): void {
  writeFileAtomic(file, `${JSON.stringify(notebook, null, 1)}\n`);
}
