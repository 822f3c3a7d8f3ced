// Reading a zoo folder somebody else wrote. Zoos are downloaded archives and shared folders, so
// every path the readers follow goes through here: symbolic links are resolved once and must
// stay inside the zoo (a loop, a dangling link or a link out of the zoo is a typed error naming
// the link, which the readers turn into a skipped entry), only regular files are opened (a FIFO
// named result.json would block forever), and text is read with caps on its size and nesting so
// that memory stays bounded and time linear in the file size, whatever the file holds.
//
// Defaults (ZOO_READ_DEFAULTS) and why:
// - maxTextBytes 16 MiB: the largest text parsed in one piece (a result.json line, a params.json,
//   a zoo.json, a layout.csv). Real result.json lines are a few kB (one epoch's metrics, at most
//   with the config copied in); 16 MiB is far above that and far below what breaks V8.
// - maxJsonDepth 256: configs nest a few levels; the cap is checked by a linear scan before parsing.
// - maxResultBytes 64 MiB: the largest result.json; its rows are all held in memory, about 1.3x
//   the text (64 MiB of typical ray-tune lines, 270k rows, took 83 MiB of heap; 160 MiB took
//   192 MiB), so a few such trials still fit a 512 MiB heap. Real files are kB to a few MB.
// - strict false: a trial that cannot be read is skipped and reported in `zoo.skipped` (path and
//   reason) so that one bad folder does not hide the others; strict raises its error instead.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError, WeightlabError } from '../errors';
import { DEFAULT_JSON_DEPTH, JsonLinesReader, parsePythonJson } from './python-json';

export interface ZooReadOptions {
  /**
   * Largest text parsed in one piece: a result.json line, a params.json, zoo.json, layout.csv (bytes).
   * @default 16777216 (16 MiB)
   */
  maxTextBytes?: number;
  /**
   * Deepest nesting of arrays and objects in any JSON value.
   * @default 256
   */
  maxJsonDepth?: number;
  /**
   * Largest result.json (bytes): its rows are held in memory, about 1.3x the text.
   * @default 67108864 (64 MiB)
   */
  maxResultBytes?: number;
  /**
   * Raise the first error of an unreadable trial instead of skipping it with a warning.
   * @default false
   */
  strict?: boolean;
}

export const ZOO_READ_DEFAULTS: Readonly<Required<ZooReadOptions>> = Object.freeze({
  maxTextBytes: 16 * 2 ** 20,
  maxJsonDepth: DEFAULT_JSON_DEPTH,
  maxResultBytes: 64 * 2 ** 20,
  strict: false,
});

/** What a path is once links are followed ('missing' when nothing is there). */
export type EntryKind = 'file' | 'directory' | 'other' | 'missing';

/** Bytes read per system call while streaming a result.json. */
const CHUNK_BYTES = 1 << 20;
/** The read buffer, shared: reads are synchronous, and a fresh 1 MiB per trial doubled the time to open a zoo of small trials. */
let chunkBuffer: Buffer | undefined;

function kindOf(stats: fs.Stats): EntryKind {
  return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
}

function describeKind(stats: fs.Stats): string {
  return stats.isFIFO()
    ? 'a FIFO'
    : stats.isSocket()
      ? 'a socket'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : stats.isDirectory()
          ? 'a folder'
          : 'not a regular file';
}

/** True when `file` has an entry, even a bad link (whoever reads it then says what is wrong with it). */
export function hasEntry(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A file system error (ENOENT, EACCES, ELOOP, ...) as opposed to a bug. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Errors that make one trial unreadable (and so skippable), as opposed to bugs, which propagate. */
export function isReadError(error: unknown): error is WeightlabError | NodeJS.ErrnoException {
  return error instanceof WeightlabError || isSystemError(error);
}

function checkLimit(options: ZooReadOptions, key: 'maxTextBytes' | 'maxJsonDepth' | 'maxResultBytes'): number {
  const value = options[key] ?? ZOO_READ_DEFAULTS[key];
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ArgumentError('must be a positive integer', { field: key, found: String(value) });
  return value;
}

/** A zoo folder being read: its real location, the read limits, and safe ways to reach its files. */
export class ZooFolder {
  /** The folder with every link resolved: links must point inside it. */
  readonly realRoot: string;
  readonly maxTextBytes: number;
  readonly maxJsonDepth: number;
  readonly maxResultBytes: number;
  readonly strict: boolean;

  constructor(
    readonly root: string,
    options: ZooReadOptions = {},
  ) {
    this.maxTextBytes = checkLimit(options, 'maxTextBytes');
    this.maxJsonDepth = checkLimit(options, 'maxJsonDepth');
    this.maxResultBytes = checkLimit(options, 'maxResultBytes');
    this.strict = options.strict ?? ZOO_READ_DEFAULTS.strict;
    try {
      this.realRoot = fs.realpathSync(root);
    } catch (error) {
      throw new FormatError(`cannot open the zoo folder: ${(error as Error).message}`, { file: root });
    }
  }

  /**
   * What `file` is. A symbolic link is followed only when it resolves inside the zoo; a loop, a
   * dangling link or a link out of the zoo is a FormatError naming the link and its target.
   */
  entry(file: string): EntryKind {
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(file);
    } catch (error) {
      if (isSystemError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return 'missing';
      throw new FormatError(`cannot read: ${(error as Error).message}`, { file });
    }
    if (!stats.isSymbolicLink()) return kindOf(stats);
    let target = '?';
    try {
      target = fs.readlinkSync(file);
    } catch {
      /* the target is only for the message */
    }
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch (error) {
      const code = isSystemError(error) ? error.code : undefined;
      if (code === 'ELOOP')
        throw new FormatError('symbolic link loop', {
          file,
          expected: 'a link that resolves',
          found: `a link to ${target} that leads back to itself`,
        });
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new FormatError('dangling symbolic link', {
          file,
          expected: 'a link to an existing file or folder',
          found: `a link to ${target}, which does not exist`,
        });
      throw new FormatError(`cannot resolve symbolic link: ${(error as Error).message}`, {
        file,
        found: `a link to ${target}`,
      });
    }
    if (
      real !== this.realRoot &&
      !real.startsWith(this.realRoot.endsWith(path.sep) ? this.realRoot : this.realRoot + path.sep)
    ) {
      throw new FormatError('symbolic link points outside the zoo folder and is not followed', {
        file,
        expected: `a target inside ${this.realRoot}`,
        found: real === target ? `a link to ${target}` : `a link to ${target} (${real})`,
      });
    }
    return kindOf(fs.statSync(real));
  }

  /** Opens a regular file for reading (never blocking on a FIFO); its descriptor and size. */
  private open(file: string): { fd: number; size: number } {
    const kind = this.entry(file);
    if (kind === 'missing') throw new FormatError('file not found', { file });
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for regular files.
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (error) {
      throw new FormatError(`cannot open: ${(error as Error).message}`, { file });
    }
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) {
      fs.closeSync(fd);
      throw new FormatError('not a regular file', { file, expected: 'a regular file', found: describeKind(stats) });
    }
    return { fd, size: stats.size };
  }

  /** A whole text file of at most maxTextBytes (UTF-8). */
  readText(file: string): string {
    const { fd, size } = this.open(file);
    try {
      if (size > this.maxTextBytes) {
        throw new FormatError('file too large to read whole', {
          file,
          expected: `at most ${this.maxTextBytes} bytes (option maxTextBytes)`,
          found: `${size} bytes`,
        });
      }
      const bytes = Buffer.alloc(size);
      let done = 0;
      while (done < size) {
        const got = fs.readSync(fd, bytes, done, size - done, done);
        if (got === 0) break;
        done += got;
      }
      return bytes.toString('utf8', 0, done);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** One JSON document (Python's NaN/Infinity accepted), size and depth capped. */
  readJson(file: string): unknown {
    return parsePythonJson(this.readText(file), file, undefined, { maxDepth: this.maxJsonDepth });
  }

  /**
   * A JSON Lines file streamed line by line: at most maxTextBytes per line and maxResultBytes in
   * all, each checked as the bytes arrive, so a 1 GiB line costs 16 MiB of reading, not 1 GiB of memory.
   */
  readJsonLines(file: string): { rows: Record<string, unknown>[]; droppedLastLine: boolean } {
    const { fd } = this.open(file);
    const reader = new JsonLinesReader(file, this.maxJsonDepth);
    chunkBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
    const chunk = chunkBuffer;
    let pieces: Buffer[] = [];
    let lineBytes = 0;
    let lineStart = 0;
    let lineNumber = 1;
    let position = 0;
    // `pieces` holds only the start of a line that a read cut (copied: `chunk` is reused); a line
    // that lies within one read is decoded straight from the chunk.
    const endLine = (view: Buffer, from: number, end: number) => {
      const text =
        pieces.length === 0
          ? view.toString('utf8', from, end)
          : Buffer.concat([...pieces, view.subarray(from, end)]).toString('utf8');
      reader.line(text, lineStart);
      pieces = [];
      lineBytes = 0;
    };
    try {
      for (;;) {
        // Never past the first byte beyond the cap, so the error can name the line that holds it.
        const got = fs.readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, this.maxResultBytes + 1 - position), position);
        if (got === 0) break;
        const view = chunk.subarray(0, got);
        let from = 0;
        while (from < got) {
          const newline = view.indexOf(0x0a, from);
          const end = newline === -1 ? got : newline;
          if (lineBytes + (end - from) > this.maxTextBytes) {
            throw new FormatError('result line too long', {
              file,
              field: `line ${lineNumber}`,
              offset: lineStart,
              expected: `a line of at most ${this.maxTextBytes} bytes (option maxTextBytes)`,
              found: `more than ${this.maxTextBytes} bytes without a newline`,
            });
          }
          if (newline === -1) {
            if (end > from) pieces.push(Buffer.from(view.subarray(from, end)));
            lineBytes += end - from;
            break;
          }
          endLine(view, from, end);
          lineNumber++;
          lineStart = position + newline + 1;
          from = newline + 1;
        }
        position += got;
        if (position > this.maxResultBytes) {
          throw new FormatError('result file too large', {
            file,
            field: `line ${lineNumber}`,
            offset: this.maxResultBytes,
            expected: `at most ${this.maxResultBytes} bytes (option maxResultBytes)`,
            found: `more than ${this.maxResultBytes} bytes`,
          });
        }
      }
      if (lineBytes > 0) endLine(chunk, 0, 0);
    } finally {
      fs.closeSync(fd);
    }
    return reader.finish();
  }

  /** Names in a folder, sorted; a FormatError (naming it) when it cannot be listed. */
  list(directory: string): string[] {
    try {
      return fs.readdirSync(directory).sort();
    } catch (error) {
      throw new FormatError(`cannot list the folder: ${(error as Error).message}`, { file: directory });
    }
  }
}
