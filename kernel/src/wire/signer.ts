// HMAC signing of Jupyter messages. The scheme comes from the connection file
// ('hmac-sha256' and friends); an empty key means messages are neither signed nor checked.
// The kernel's signer also remembers the signatures it accepted, as ipykernel does, so that a
// signed message captured on the wire and sent again (a replay) is refused instead of executed twice.

import { createHmac, getHashes, timingSafeEqual } from 'node:crypto';

/** How many accepted signatures are remembered; past it the oldest tenth is forgotten (ipykernel keeps 2^16). */
export const SIGNATURE_HISTORY = 65_536;

export type Verdict = 'valid' | 'invalid' | 'replayed';

export class Signer {
  private readonly algorithm: string | undefined;
  private readonly seen: Set<string> | undefined;

  constructor(
    private readonly key: string,
    scheme = 'hmac-sha256',
    options: { rejectReplays?: boolean } = {},
  ) {
    if (!key) return;
    const match = /^hmac-(.+)$/.exec(scheme);
    if (!match || !getHashes().includes(match[1])) throw new Error(`unsupported signature scheme '${scheme}'`);
    this.algorithm = match[1];
    if (options.rejectReplays) this.seen = new Set();
  }

  get enabled(): boolean {
    return this.algorithm !== undefined;
  }

  /** Hex digest over the four JSON frames (header, parent_header, metadata, content), in that order. */
  sign(frames: readonly Buffer[]): string {
    if (!this.algorithm) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const actual = Buffer.from(signature, 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** verify(), and for a signer that rejects replays, 'replayed' when this signature was accepted before. */
  check(signature: string, frames: readonly Buffer[]): Verdict {
    if (!this.verify(signature, frames)) return 'invalid';
    if (!this.seen || !this.algorithm) return 'valid';
    if (this.seen.has(signature)) return 'replayed';
    this.seen.add(signature);
    if (this.seen.size > SIGNATURE_HISTORY) {
      // A Set iterates in insertion order: drop the oldest tenth in one pass.
      let drop = Math.ceil(SIGNATURE_HISTORY / 10);
      for (const old of this.seen) {
        if (drop-- <= 0) break;
        this.seen.delete(old);
      }
    }
    return 'valid';
  }
}
