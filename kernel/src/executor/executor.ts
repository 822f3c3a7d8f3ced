// Runs cells: type-check and emit through the cell converter (./converter), then evaluate the JavaScript in this
// V8 context (breakOnSigint, so Ctrl-C stops a synchronous loop), with cross-cell bindings on
// one shared object. Also completion, inspection and is_complete through the same program.

import vm from 'node:vm';
import { CellRequire, createBindings } from './scope';
import {
  interruptError,
  InterruptError,
  isScriptInterrupt,
  runtimeError,
  typeScriptError,
  type CellError,
} from './errors';
import { codePointsToUtf16, utf16ToCodePoints } from './positions';
import { weightlabDependencies, type Converter, type LoadedTypeScript } from './typescript';
import { expandShorthandProperties, originalCharacter } from './shorthand';
import { transpileCell } from './transpile';

export type ExecutionResult = { status: 'ok'; value: unknown; hasValue: boolean } | CellError;

export interface ExecuteOptions {
  /** The file name stack traces show (default `<cell N>`). */
  label?: string;
  /** false: evaluate without recording the cell's declarations (user_expressions). */
  keep?: boolean;
  /** false: Ctrl-C does not stop this code (the prelude must not be cut half-way). */
  interruptible?: boolean;
  /** Told when the cell's JavaScript starts and when it (and its awaits) finished. */
  onRunning?: (running: boolean) => void;
}

export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
}

export interface Inspection {
  found: boolean;
  text: string;
  markdown: string;
}

const SCOPE_KEY = 'weightlab.cellScope';

/** The lines TypeScript puts at the top of CommonJS output; dropping them keeps cell line numbers close. */
const EMIT_PREAMBLE =
  /^(Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);|exports\.[\w$]+ = (exports\.[\w$]+ = )*void 0;)$/;

function stripPreamble(output: string): string {
  const lines = output.split('\n');
  let start = 0;
  while (start < lines.length && EMIT_PREAMBLE.test(lines[start])) start++;
  return lines.slice(start).join('\n');
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A cell that ran before the checker was ready, to be checked once it is. */
interface DeferredCell {
  /** The cell after shorthand expansion (what the converter checks). */
  text: string;
  /** The original source, for positions in its diagnostics. */
  source: string;
  expanded: ReturnType<typeof expandShorthandProperties>;
  label: string;
  /** Its names typed `any`, declared instead when the cell fails to check. */
  looseDeclarations: string;
}

/**
 * Type errors of cells that ran before the checker was ready, found once it was: the label of
 * the cell (`<cell N>`, N its execution count) and the error as a blocked cell would have had it.
 */
export interface LateDiagnostics {
  label: string;
  error: CellError;
}

export class Executor {
  private declarations = '';
  /** Set once the type-checker exists; until then cells are transpiled and run at once. */
  private converter: Converter | undefined;
  private readonly deferred: DeferredCell[] = [];
  private readonly late: LateDiagnostics[] = [];
  private readonly bindings = createBindings();
  private readonly cellRequire: CellRequire;
  private rejectInterrupt: ((error: Error) => void) | undefined;
  private cellNumber = 0;

  constructor(
    private readonly typescript: LoadedTypeScript,
    converter: Converter | (() => Converter),
    directory: string,
    weightlabPath: string,
    /** Told after each cell that ran unchecked (the kernel then starts building the checker). */
    private readonly onUncheckedCell?: () => void,
  ) {
    if (typeof converter === 'function') this.createConverter = converter;
    else this.converter = converter;
    this.cellRequire = new CellRequire(directory, weightlabPath, new Set(weightlabDependencies().keys()));
    (globalThis as Record<symbol, unknown>)[Symbol.for(SCOPE_KEY)] = {
      exports: this.bindings,
      require: this.cellRequire.require,
    };
  }

  private readonly createConverter: (() => Converter) | undefined;

  /** Whether the type-checker exists (cells are checked before they run). */
  get checked(): boolean {
    return this.converter !== undefined;
  }

  /**
   * Builds the type-checker now if it was deferred (blocking: seconds without the startup snapshot),
   * then checks, in order, the cells that ran without it, so later cells see their declarations;
   * their type errors are kept for takeLateDiagnostics. A cell with a type error leaves no
   * declarations for the checker (its names still exist at run time).
   */
  ensureChecker(): Converter {
    if (this.converter) return this.converter;
    const converter = this.createConverter!();
    this.converter = converter;
    for (const cell of this.deferred.splice(0)) {
      const converted = converter.convert(this.declarations, cell.text);
      const errors = converted.diagnostics.filter((diagnostic) => diagnostic.category === 1);
      if (errors.length > 0) {
        this.late.push({ label: cell.label, error: this.cellTypeError(errors, cell.source, cell.expanded) });
        // The cell ran, so its names exist: later cells are checked against them as `any`.
        const loose = converter.convert(this.declarations, cell.looseDeclarations);
        if (loose.diagnostics.every((diagnostic) => diagnostic.category !== 1))
          this.declarations = loose.declOutput ?? this.declarations;
        continue;
      }
      this.declarations = converted.declOutput ?? this.declarations;
    }
    // A throw-away check warms the checker's caches, so the cell that waited is as quick as the rest.
    converter.convert(this.declarations, '0');
    return converter;
  }

  /** Type errors found by ensureChecker in cells that had already run; each is returned once. */
  takeLateDiagnostics(): LateDiagnostics[] {
    return this.late.splice(0);
  }

  private cellTypeError(
    errors: Parameters<typeof typeScriptError>[0],
    source: string,
    expanded: ReturnType<typeof expandShorthandProperties>,
  ): CellError {
    return typeScriptError(
      errors.map((diagnostic) =>
        diagnostic.fileName
          ? diagnostic
          : {
              ...diagnostic,
              start: {
                ...diagnostic.start,
                character: originalCharacter(source, expanded, diagnostic.start.line, diagnostic.start.character),
              },
            },
      ),
    );
  }

  /**
   * Checks and emits `source` as it would a cell, without running it or keeping its declarations:
   * the kernel rehearses a few typical cells while idle after start-up, so V8 has compiled and
   * optimised the checker's paths before the user's cells take them. Nothing without a checker.
   */
  rehearse(source: string): void {
    this.converter?.convert(this.declarations, expandShorthandProperties(this.typescript.ts, source).text);
  }

  /** Names every cell can see (for tests and the prelude's fallback). */
  get declarationText(): string {
    return this.declarations;
  }

  /**
   * Type-checks and runs `source`. `keep: false` evaluates without recording the cell's
   * declarations (user_expressions). A thenable last value is awaited, so `display(x)` and
   * `fetchSomething()` as a last line show what they resolve to.
   */
  async execute(source: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    let interrupted = false;
    const interruption = new Promise<never>((_, reject) => {
      this.rejectInterrupt = (error) => {
        interrupted = true;
        reject(error);
      };
    });
    interruption.catch(() => {
      /* observed through Promise.race below */
    });
    try {
      return await this.run(source, options, interruption, () => interrupted);
    } finally {
      this.rejectInterrupt = undefined;
    }
  }

  private async run(
    source: string,
    options: ExecuteOptions,
    interruption: Promise<never>,
    interrupted: () => boolean,
  ): Promise<ExecutionResult> {
    const expanded = expandShorthandProperties(this.typescript.ts, source);
    const keep = options.keep !== false;
    const label = options.label ?? `<cell ${this.cellNumber + 1}>`;
    const checked = this.converter !== undefined;
    // Without the checker: the converter's JavaScript from the cell alone; only syntax errors stop it.
    const converted = this.converter
      ? this.converter.convert(this.declarations, expanded.text)
      : transpileCell(this.typescript.ts, expanded.text, Object.keys(this.bindings));
    if ('sideOutputs' in converted) this.cellRequire.addSideOutputs(converted.sideOutputs);
    const errors = converted.diagnostics.filter((diagnostic) => diagnostic.category === 1);
    if (errors.length > 0) return this.cellTypeError(errors, source, expanded);
    if (!checked && keep && 'looseDeclarations' in converted)
      this.deferred.push({
        text: expanded.text,
        source,
        expanded,
        label,
        looseDeclarations: converted.looseDeclarations,
      });
    // Declarations count once the code ran (an interrupted or throwing cell still defined what it reached).
    const declare = () => {
      if (keep && checked && 'declOutput' in converted) this.declarations = converted.declOutput ?? '';
    };
    if (!checked && keep) this.onUncheckedCell?.();
    if (!converted.output) {
      declare();
      return { status: 'ok', value: undefined, hasValue: false };
    }
    // A SIGINT that arrived while TypeScript was checking the cell is still queued for the JS
    // handler (breakOnSigint only watches from the start of the script): let it run first. It
    // runs in the event loop's poll phase, and one setImmediate from an I/O callback (the worker's
    // message that carried this request) fires before the next poll; then vm's breakOnSigint
    // removes the SIGINT listeners, which discards the pending signal. Two turns pass a poll.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    if (interrupted()) return interruptError();
    if (options.label === undefined) this.cellNumber++;
    const asynchronous = converted.hasToplevelAwait === true;
    const code =
      `(${asynchronous ? 'async ' : ''}function (exports, require) { ${stripPreamble(converted.output)}\n})` +
      `.call(undefined, globalThis[Symbol.for(${JSON.stringify(SCOPE_KEY)})].exports, globalThis[Symbol.for(${JSON.stringify(SCOPE_KEY)})].require)`;
    options.onRunning?.(true);
    try {
      const returned = vm.runInThisContext(code, {
        filename: label,
        breakOnSigint: options.interruptible !== false,
        displayErrors: false,
      });
      if (asynchronous) await Promise.race([returned, interruption]);
      declare();
      let value: unknown;
      const name = converted.lastExpressionVar;
      if (name) {
        value = this.bindings[name];
        delete this.bindings[name];
        if (isThenable(value)) value = await Promise.race([value, interruption]);
      }
      return { status: 'ok', value, hasValue: name !== undefined && value !== undefined };
    } catch (error) {
      declare();
      if (isScriptInterrupt(error)) return interruptError();
      // The last line is the wrapper's call into the cell, not the user's code.
      const wrapperFrame = `${label}:${code.split('\n').length}:`;
      const failure = runtimeError(error);
      return { ...failure, traceback: failure.traceback.filter((line) => !line.includes(wrapperFrame)) };
    } finally {
      options.onRunning?.(false);
    }
  }

  /** Rejects the running cell's pending await; returns whether a cell was waiting. */
  interrupt(reason?: string): boolean {
    const reject = this.rejectInterrupt;
    if (!reject) return false;
    reject(new InterruptError(reason));
    return true;
  }

  /**
   * Rejects the running cell's pending await with `error`, for a failure raised outside the cell's
   * own call chain that it could never catch (a stream's unhandled 'error' event); returns whether a
   * cell was waiting.
   */
  fail(error: Error): boolean {
    const reject = this.rejectInterrupt;
    if (!reject) return false;
    reject(error);
    return true;
  }

  /** `cursor` is in code points (Jupyter); the reply's positions are too. */
  complete(code: string, cursor: number): Completion {
    const offset = codePointsToUtf16(code, cursor);
    const info = this.ensureChecker().complete(this.declarations, code, offset);
    return {
      matches: info.candidates,
      cursorStart: utf16ToCodePoints(code, info.start),
      cursorEnd: utf16ToCodePoints(code, info.end),
    };
  }

  inspect(code: string, cursor: number): Inspection {
    const offset = codePointsToUtf16(code, cursor);
    // At the very end of a name the services find no token; the character before it is the name.
    const info =
      this.ensureChecker().inspect(this.declarations, code, offset) ??
      (offset > 0 ? this.ensureChecker().inspect(this.declarations, code, offset - 1) : undefined);
    if (!info) return { found: false, text: '', markdown: '' };
    const signature = (info.displayParts ?? []).map((part) => part.text).join('');
    const documentation = (info.documentation ?? []).map((part) => part.text).join('');
    const tags = (info.tags ?? []).map(
      (tag) => `@${tag.name}${tag.text ? ` ${tag.text.map((part) => part.text).join('')}` : ''}`,
    );
    const text = [signature, documentation, ...tags].filter((part) => part.length > 0).join('\n\n');
    const markdown = [`\`\`\`typescript\n${signature}\n\`\`\``, documentation, ...tags.map((tag) => `*${tag}*`)]
      .filter((part) => part.length > 0)
      .join('\n\n');
    return { found: signature.length > 0, text, markdown };
  }

  isComplete(code: string): { status: 'complete' | 'incomplete'; indent?: string } {
    const result = this.typescript.isCompleteCode(code);
    return result.completed ? { status: 'complete' } : { status: 'incomplete', indent: result.indent ?? '' };
  }
}
