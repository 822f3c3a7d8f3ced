// Writers never leave half a file behind: they write a temp file next to the target, flush
// it, and rename it over the target (atomic on POSIX), so a crash or an exception leaves
// either the old file or nothing, never a truncated checkpoint that later reads as corrupt.
// A writer killed outright (kill -9) cannot remove its temp file; the next write of the same
// target removes the temp files of writers that are no longer running.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `.<name>.<pid>.<hex>.tmp` files beside `file` left by writers that died mid-write. */
export function removeStaleTemps(file: string): string[] {
  const directory = path.dirname(path.resolve(file));
  const prefix = `.${path.basename(file)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processIsRunning(pid)) continue;
    fs.rmSync(path.join(directory, name), { force: true });
    removed.push(path.join(directory, name));
  }
  return removed;
}

/** Calls `produce(write)` to stream bytes into a temp file, then renames it to `file`. */
export function writeFileAtomic(file: string, produce: (write: (bytes: Uint8Array) => void) => void): void {
  const directory = path.dirname(path.resolve(file));
  fs.mkdirSync(directory, { recursive: true });
  removeStaleTemps(file);
  const temp = path.join(directory, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
