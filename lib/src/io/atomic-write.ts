// Writers never leave half a file behind: they write a temp file next to the target, flush
// it, and rename it over the target (atomic on POSIX), so a crash or an exception leaves
// either the old file or nothing, never a truncated checkpoint that later reads as corrupt.
// A writer killed outright (kill -9) cannot remove its temp file; the next write of the same
// target removes the temp files of writers that are no longer running.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Whether process `pid` on this host may be running: only "no such process" counts as gone. */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The temp file writeFileAtomic writes for `file` in this process: `.<name>.<pid>.<8 hex>.tmp` beside it. */
function temporaryFor(file: string): string {
  return path.join(
    path.dirname(path.resolve(file)),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Whether `name` is a writeFileAtomic temp file whose writer is no longer running (killed mid-write). */
export function isDeadWritersTemporary(name: string): boolean {
  const match = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
  return match !== null && !processIsRunning(Number(match[1]));
}

/** Removes the temp files beside `file` that writers of `file` left when they died mid-write. */
export function removeStaleTemps(file: string): string[] {
  const directory = path.dirname(path.resolve(file));
  const prefix = `.${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch {
    return [];
  }
  const removed = names
    .filter((name) => name.startsWith(prefix) && isDeadWritersTemporary(name))
    .map((name) => path.join(directory, name));
  for (const stale of removed) fs.rmSync(stale, { force: true });
  return removed;
}

/** Calls `produce(write)` to stream bytes into a temp file, then renames it to `file`. */
export function writeFileAtomic(file: string, produce: (write: (bytes: Uint8Array) => void) => void): void {
  const directory = path.dirname(path.resolve(file));
  fs.mkdirSync(directory, { recursive: true });
  removeStaleTemps(file);
  const temp = temporaryFor(file);
  const fd = fs.openSync(temp, 'wx');
  let ok = false;
  try {
    produce((bytes) => {
      let done = 0;
      while (done < bytes.byteLength) {
        done += fs.writeSync(fd, bytes, done, Math.min(bytes.byteLength - done, 1 << 30));
      }
    });
    fs.fsyncSync(fd);
    ok = true;
  } finally {
    fs.closeSync(fd);
    if (!ok) fs.rmSync(temp, { force: true });
  }
  fs.renameSync(temp, file);
}
