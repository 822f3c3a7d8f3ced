// The main thread's side of the kernel: answers the requests the I/O worker forwards (execute,
// complete, inspect, is_complete) with the executor, and turns cell output into IOPub messages.

import { inspect } from 'node:util';
import type { MessagePort } from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import type { Executor, LateDiagnostics } from '../executor/executor';
import { runtimeError, InterruptError, type CellError } from '../executor/errors';
import { OutputCapture } from './capture';
import { CellContext, installKernelHost, resultBundle, type MimeBundle } from './host';
import type { CommToMain, FromMain, RequestToMain } from './bridge';
import { CommManager } from './comms';
import type { Header } from '../wire/message';
import { warningOutput } from './warnings';
import { isStdinError, stdinNotImplemented, type InputOptions } from './stdin';

/** `name?` asks for the pager, as in IPython; it is not valid TypeScript, so nothing else means it. */
const PAGER_REQUEST = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\?\s*$/;

/**
 * Node emits a warning on the next tick, which in a chain of promises can come after the cell's
 * reply: one turn of the event loop lets every warning raised so far reach its cell first.
 */
function deliverQueuedWarnings(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The stderr text that reports type errors of cells which ran before the checker was ready. */
export function lateDiagnosticsText(late: readonly LateDiagnostics[]): string {
  return late
    .map(
      ({ label, error }) =>
        `${label} ran before the type-checker was ready; checked now, it has type errors:\n` +
        `${error.traceback.map((line) => `${error.ename}: ${line}`).join('\n')}\n`,
    )
    .join('');
}

export class KernelSession {
  private current: CellContext | undefined;
  /** Whether a cell ran before the type-checker was ready (deferred type-checking). */
  private uncheckedCellRan = false;
  private running: CellContext | undefined;
  /** Requests the worker asked to interrupt, possibly before they started here. */
  private readonly interrupted = new Set<number>();
  /** Keys of the platform warnings (deprecations) already shown: once per session. */
  private readonly platformWarnings = new Set<string>();
  readonly capture: OutputCapture;
  /** The input() waiting for the front end's input_reply, if any. */
  private pendingInput: { requestId: number; resolve(value: string): void; reject(error: Error): void } | undefined;
  private readonly comms = new CommManager(
    (parent, reply) => (msgType, content, metadata) =>
      this.publishComm(msgType, content, parent as unknown as Header | undefined, reply, metadata),
    (text) => this.capture.original('stderr')(`[weightlab kernel] ${text}\n`),
  );

  constructor(
    private readonly worker: Worker | MessagePort,
    private readonly executor: Promise<Executor>,
  ) {
    this.capture = new OutputCapture((name, text) => this.onStream(name, text));
    installKernelHost({
      context: () => this.current,
      publish: (context, msgType, content) => this.publish(context, msgType, content),
      flushStreams: () => this.capture.flush(),
      input: (context, prompt, options) => this.input(context, prompt, options),
      openComm: (target, open, handlers) => this.comms.openFromKernel(target, open, handlers),
    });
  }

  private post(message: FromMain): void {
    this.worker.postMessage(message);
  }

  private publish(context: CellContext, msgType: string, content: Record<string, unknown>): void {
    this.post({ kind: 'iopub', requestId: context.requestId, msgType, content });
  }

  /**
   * A comm message to a front end: parented to the running cell when a cell sent it (select()
   * in a cell), else to the comm message that caused it. `reply`: always to that message (a
   * widget's echo_update, which the front end matches to its update by the parent's msg_id).
   */
  private publishComm(
    msgType: string,
    content: Record<string, unknown>,
    parent: Header | undefined,
    reply: boolean,
    metadata?: Record<string, unknown>,
  ): void {
    const running = this.running;
    if (running && !(reply && parent))
      this.post({ kind: 'iopub', requestId: running.requestId, msgType, content, metadata });
    else this.post({ kind: 'iopub', requestId: -1, msgType, content, parent, metadata });
  }

  /** comm_open, comm_msg or comm_close from a front end. */
  onComm(message: CommToMain): void {
    this.comms.handle(message.msgType, message.content, message.header as unknown as Record<string, unknown>);
  }

  private onStream(name: 'stdout' | 'stderr', text: string): void {
    const context = this.current;
    if (!context) {
      // Output before any request (start-up): the kernel's own log.
      this.capture.original('stderr')(text);
      return;
    }
    if (!context.silent) this.publish(context, 'stream', { name, text });
  }

  /**
   * input() from a cell: refused at once unless the running cell's request allows stdin; else an
   * input_request through the worker, after the cell's earlier input() calls were answered. An
   * interrupt rejects it with the cell's InterruptError.
   */
  private input(context: CellContext | undefined, prompt: string, options: InputOptions): Promise<string> {
    if (!context || context !== this.running) {
      return Promise.reject(
        stdinNotImplemented(
          'input() was called outside a running cell (from a timer or callback after its cell ended), so no front end can answer it',
          {
            field: 'input',
            expected: 'a call while its cell runs',
            found: 'no running cell',
          },
        ),
      );
    }
    if (!context.allowStdin) {
      return Promise.reject(
        stdinNotImplemented(
          'input() needs a front end that answers input requests, and this execution does not allow stdin ' +
            '(weightlab run, nbconvert and nbclient send allow_stdin: false); pass the value in the code or through an environment variable instead',
          {
            field: 'allow_stdin',
            expected: 'true',
            found: 'false',
          },
        ),
      );
    }
    const asked = context.inputs.then(() => {
      if (context !== this.running)
        throw stdinNotImplemented('input() was still waiting when its cell ended', {
          field: 'input',
          expected: 'a running cell',
          found: 'the cell ended',
        });
      const answer = new Promise<string>((resolve, reject) => {
        this.pendingInput = { requestId: context.requestId, resolve, reject };
      });
      this.capture.flush();
      this.post({ kind: 'input_request', requestId: context.requestId, prompt, password: options.password === true });
      return Promise.race([answer, context.interruption]).finally(() => {
        if (this.pendingInput?.requestId === context.requestId) this.pendingInput = undefined;
      });
    });
    context.inputs = asked.catch(() => undefined);
    // A cell that does not await its input() still waits for the answer before it replies.
    context.tracked.add(context.inputs);
    return asked;
  }

  /** The front end's input_reply for request `requestId`. */
  onInputReply(requestId: number, value: string): void {
    const pending = this.pendingInput;
    if (!pending || pending.requestId !== requestId) return;
    this.pendingInput = undefined;
    pending.resolve(value);
  }

  /** The worker could not deliver request `requestId`'s input_request: its input() fails with the reason. */
  onInputFailed(requestId: number, reason: string): void {
    const pending = this.pendingInput;
    if (!pending || pending.requestId !== requestId) return;
    this.pendingInput = undefined;
    pending.reject(
      stdinNotImplemented(`input() could not ask the front end: ${reason}`, {
        field: 'stdin',
        expected: "a connected stdin socket with the shell socket's routing id",
        found: 'none',
      }),
    );
  }

  /**
   * A SIGINT reached the JS handler: the worker decides which request it interrupts. A cell
   * that has not started its script yet (the signal came while TypeScript checked it) is
   * stopped here and now, so it never starts: the worker's answer would come after it did.
   */
  onSignal(): void {
    if (this.running) this.interrupt(this.running.requestId);
    this.post({ kind: 'sigint' });
  }

  /** Stops request `requestId`: now if it runs (its awaits; breakOnSigint handles sync code), else when it starts. */
  interrupt(requestId: number): void {
    const context = this.running;
    if (context?.requestId === requestId) {
      context.interrupt(new InterruptError());
      void this.executor.then((executor) => executor.interrupt());
      return;
    }
    this.interrupted.add(requestId);
  }

  /**
   * A process warning: one display_data in the cell that caused it (the last cell, for one raised
   * later by a timer), after the text printed before it. Identical warnings show once per cell,
   * deprecations once per session; before any cell, the line goes to the kernel's log.
   */
  onWarning(warning: Error): void {
    const shown = warningOutput(warning);
    const context = this.current;
    // A silent execution shows nothing, so it does not use up a once-per-session warning either.
    if (context?.silent) return;
    if (shown.oncePerSession) {
      if (this.platformWarnings.has(shown.key)) return;
      this.platformWarnings.add(shown.key);
    }
    if (!context) {
      this.capture.original('stderr')(`[weightlab kernel] ${shown.line}\n`);
      return;
    }
    if (context.warnings.has(shown.key)) return;
    context.warnings.add(shown.key);
    this.capture.flush();
    this.publish(context, 'display_data', {
      data: shown.bundle.data,
      metadata: shown.bundle.metadata ?? {},
      transient: {},
    });
  }

  /** An error nobody caught (a rejected promise, a throwing timer) goes to the cell's stderr. */
  reportUncaught(kind: string, error: unknown): void {
    // A read of process.stdin (readline's question() included) would otherwise wait forever: the
    // running cell fails with the read's error instead.
    const running = this.running;
    if (running && isStdinError(error)) {
      running.interrupt(error);
      void this.executor.then((executor) => executor.fail(error));
      return;
    }
    const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : inspect(error);
    this.capture.write('stderr', `${kind}: ${text}\n`);
  }

  async handle(request: RequestToMain): Promise<void> {
    const executor = await this.executor;
    let content: Record<string, unknown>;
    let resultText: string | undefined;
    switch (request.msgType) {
      case 'execute_request':
        ({ content, resultText } = await this.execute(executor, request));
        break;
      case 'complete_request': {
        const code = String(request.content.code ?? '');
        const cursor = typeof request.content.cursor_pos === 'number' ? request.content.cursor_pos : [...code].length;
        try {
          const completion = executor.complete(code, cursor);
          content = {
            status: 'ok',
            matches: completion.matches,
            cursor_start: completion.cursorStart,
            cursor_end: completion.cursorEnd,
            metadata: {},
          };
        } catch (error) {
          content = { ...runtimeError(error) };
        }
        break;
      }
      case 'inspect_request': {
        const code = String(request.content.code ?? '');
        const cursor = typeof request.content.cursor_pos === 'number' ? request.content.cursor_pos : [...code].length;
        try {
          const found = executor.inspect(code, cursor);
          content = found.found
            ? {
                status: 'ok',
                found: true,
                data: { 'text/plain': found.text, 'text/markdown': found.markdown },
                metadata: {},
              }
            : { status: 'ok', found: false, data: {}, metadata: {} };
        } catch (error) {
          content = { ...runtimeError(error) };
        }
        break;
      }
      case 'is_complete_request':
        content = executor.isComplete(String(request.content.code ?? ''));
        break;
      default:
        content = { status: 'error', ename: 'UnsupportedRequest', evalue: request.msgType, traceback: [] };
    }
    this.post({
      kind: 'reply',
      requestId: request.id,
      msgType: request.msgType.replace(/_request$/, '_reply'),
      content,
      resultText,
    });
  }

  private async execute(
    executor: Executor,
    request: RequestToMain,
  ): Promise<{ content: Record<string, unknown>; resultText?: string }> {
    const code = String(request.content.code ?? '');
    const silent = request.content.silent === true;
    const count = request.executionCount ?? 0;
    const context = new CellContext(request.id, silent, request.content.allow_stdin === true);
    this.capture.flush();
    this.current = context;
    this.running = context;
    let resultText: string | undefined;
    let payload: Record<string, unknown>[] = [];
    let failure: CellError | undefined;
    try {
      if (this.interrupted.delete(request.id)) throw new InterruptError();
      // Only the first cell runs before the checker: the next one waits for it, so the first
      // cell's type errors are reported by the reply right after it. A batch run (allow_stdin
      // false: nbconvert, `weightlab run`) may have no next cell to report them, and a type error
      // must stop it, so its cells are always checked first.
      if (!executor.checked && (this.uncheckedCellRan || !context.allowStdin)) executor.ensureChecker();
      const late = executor.takeLateDiagnostics();
      if (late.length > 0 && !silent) this.capture.write('stderr', lateDiagnosticsText(late));
      if (!executor.checked) this.uncheckedCellRan = true;
      const pager = PAGER_REQUEST.exec(code);
      if (pager) {
        const found = executor.inspect(pager[1], pager[1].length);
        payload = [
          {
            source: 'page',
            data: found.found
              ? { 'text/plain': found.text, 'text/markdown': found.markdown }
              : { 'text/plain': `no information about ${pager[1]}` },
            start: 0,
          },
        ];
      } else {
        const result = await executor.execute(code, {
          label: `<cell ${count}>`,
          onRunning: (running) => this.post({ kind: 'phase', requestId: request.id, running }),
        });
        await deliverQueuedWarnings();
        if (result.status === 'error') {
          failure = result;
        } else {
          await context.settle();
          if (result.hasValue && !silent) {
            const bundle: MimeBundle = await Promise.race([resultBundle(result.value), context.interruption]);
            await deliverQueuedWarnings();
            this.capture.flush();
            this.publish(context, 'execute_result', {
              execution_count: count,
              data: bundle.data,
              metadata: bundle.metadata ?? {},
            });
            const text = bundle.data['text/plain'];
            resultText = typeof text === 'string' ? text : undefined;
          }
        }
      }
    } catch (error) {
      failure = runtimeError(error);
    }
    const userExpressions = failure ? {} : await this.userExpressions(executor, request.content.user_expressions);
    this.capture.flush();
    this.running = undefined;
    this.interrupted.delete(request.id);
    if (failure) {
      if (!silent)
        this.publish(context, 'error', { ename: failure.ename, evalue: failure.evalue, traceback: failure.traceback });
      return {
        content: {
          status: 'error',
          execution_count: count,
          ename: failure.ename,
          evalue: failure.evalue,
          traceback: failure.traceback,
          user_expressions: {},
          payload: [],
        },
      };
    }
    return {
      content: { status: 'ok', execution_count: count, user_expressions: userExpressions, payload },
      resultText,
    };
  }

  private async userExpressions(executor: Executor, expressions: unknown): Promise<Record<string, unknown>> {
    const results: Record<string, unknown> = {};
    if (!expressions || typeof expressions !== 'object') return results;
    for (const [name, expression] of Object.entries(expressions as Record<string, unknown>)) {
      const result = await executor.execute(String(expression), { keep: false, label: '<user expression>' });
      if (result.status === 'error') {
        results[name] = result;
        continue;
      }
      try {
        const bundle = await resultBundle(result.value);
        results[name] = { status: 'ok', data: bundle.data, metadata: bundle.metadata ?? {} };
      } catch (error) {
        results[name] = runtimeError(error);
      }
    }
    return results;
  }
}
