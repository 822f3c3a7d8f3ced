// HMAC signing of Jupyter messages. The scheme comes from the connection file
// ('hmac-sha256' and friends); an empty key means messages are neither signed nor checked.

import { createHmac, getHashes, timingSafeEqual } from 'node:crypto';

export class Signer {
  private readonly algorithm: string | undefined;

  constructor(private readonly key: string, scheme = 'hmac-sha256') {
    if (!key) return;
    const match = /^hmac-(.+)$/.exec(scheme);
    if (!match || !getHashes().includes(match[1])) throw new Error(`unsupported signature scheme '${scheme}'`);
    this.algorithm = match[1];
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
}
