// Input for cells: input() and password() ask the front end for a line over Jupyter's stdin
// channel (input_request / input_reply), and process.stdin, which under Jupyter is a pipe nobody
// ever writes to or closes, is replaced by a stream that fails at once with a clear message
// instead of leaving a readline waiting forever.

import { Readable } from 'node:stream';
import type { ErrorDetails } from 'weightlab';

/**
 * weightlab is loaded when the first error is made, not when the kernel starts: the I/O thread
 * must answer kernel_info before the main thread spends time loading the library.
 */
function library(): typeof import('weightlab') {
  return require('weightlab') as typeof import('weightlab');
}

type StdinErrorClass = new (message: string, details?: ErrorDetails) => Error;
let stdinErrorClass: StdinErrorClass | undefined;

/**
 * What input() raises when no front end can answer (allow_stdin false: `weightlab run`,
 * nbconvert, nbclient), and what process.stdin reads fail with; ipykernel's StdinNotImplementedError.
 */
export function stdinNotImplemented(message: string, details: ErrorDetails = {}): Error {
  stdinErrorClass ??= class StdinNotImplementedError extends library().WeightlabError {
    constructor(text: string, fields: ErrorDetails = {}) {
      super('E_STDIN', text, fields);
    }
  };
  return new stdinErrorClass(message, details);
}

/** Whether `error` is the one stdinNotImplemented() makes (by its code: any copy of weightlab). */
export function isStdinError(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === 'E_STDIN';
}

export interface InputOptions {
  /** true: the front end hides what is typed (a password field). Default false. */
  password?: boolean;
}

/**
 * The kernel-provided names every cell sees, as TypeScript the prelude runs: thin functions over
 * the kernel host's input(), so cells get their types, completion and documentation.
 */
export const INPUT_PRELUDE = `/**
 * Asks the notebook for a line of text (Jupyter's input_request); resolves to what was typed.
 * Rejects with StdinNotImplementedError when the front end cannot answer (weightlab run,
 * nbconvert), and with KeyboardInterrupt when the cell is interrupted while waiting.
 */
function input(prompt: string = '', options: { password?: boolean } = {}): Promise<string> {
  return (globalThis as any)[Symbol.for('weightlab.kernelHost')].input(prompt, options);
}
/** input() with the typed text hidden, for secrets. */
function password(prompt: string = ''): Promise<string> {
  return (globalThis as any)[Symbol.for('weightlab.kernelHost')].input(prompt, { password: true });
}
`;

const STDIN_MESSAGE =
  'process.stdin is not connected in the weightlab kernel (Jupyter gives the kernel no terminal); ' +
  'use `await input(prompt)` to ask the notebook for a line of text';

/**
 * Replaces process.stdin with a stream whose first read fails with StdinNotImplementedError, so
 * readline and `process.stdin.on('data')` end with that message. A failed stream is replaced by
 * a fresh one on the next access, so each new reader gets the message too.
 */
export function replaceProcessStdin(): void {
  let stream: Readable | undefined;
  const fresh = (): Readable =>
    new Readable({
      read() {
        this.destroy(
          stdinNotImplemented(STDIN_MESSAGE, {
            field: 'process.stdin',
            expected: 'a terminal or pipe with input',
            found: 'no input channel',
          }),
        );
      },
    });
  Object.defineProperty(process, 'stdin', {
    configurable: true,
    enumerable: true,
    get(): Readable {
      if (!stream || stream.destroyed) stream = fresh();
      return stream;
    },
  });
}
