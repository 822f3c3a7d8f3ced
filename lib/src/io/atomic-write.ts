// Writers never leave half a file behind: they write a temp file next to the target, flush
// it, and rename it over the target (atomic on POSIX), so a crash or an exception leaves
// either the old file or nothing, never a truncated checkpoint that later reads as corrupt.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Calls `produce(write)` to stream bytes into a temp file, then renames it to `file`. */
export function writeFileAtomic(file: string, produce: (write: (bytes: Uint8Array) => void) => void): void {
  const directory = path.dirname(path.resolve(file));
  fs.mkdirSync(directory, { recursive: true });
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
