// Captures process.stdout / process.stderr writes on the main thread (console.* included) and
// hands them on as coalesced `stream` messages: one message per burst of writes to the same
// stream, flushed when the stream switches, after a short delay, or early during long
// synchronous cells so their output still appears while they run.

type StreamName = 'stdout' | 'stderr';
type Write = typeof process.stdout.write;

const FLUSH_DELAY_MS = 30;
const FLUSH_BYTES = 64 * 1024;
const LIVE_INTERVAL_MS = 200;

export class OutputCapture {
  private pending: { name: StreamName; text: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = Date.now();
  private readonly originals = new Map<StreamName, Write>();

  constructor(private readonly emit: (name: StreamName, text: string) => void) {}

  install(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      this.originals.set(name, stream.write.bind(stream) as Write);
      stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
        const done = typeof encoding === 'function' ? encoding : callback;
        const text =
          typeof chunk === 'string'
            ? chunk
            : Buffer.from(chunk as Uint8Array).toString(
                typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
              );
        this.write(name, text);
        if (typeof done === 'function') process.nextTick(done as () => void);
        return true;
      }) as Write;
    }
  }

  /** The real stream, for the kernel's own messages. */
  original(name: StreamName): Write {
    return this.originals.get(name) ?? (process[name].write.bind(process[name]) as Write);
  }

  write(name: StreamName, text: string): void {
    if (text.length === 0) return;
    if (this.pending && this.pending.name !== name) this.flush();
    if (this.pending) this.pending.text += text;
    else this.pending = { name, text };
    if (this.pending.text.length >= FLUSH_BYTES || Date.now() - this.lastFlush >= LIVE_INTERVAL_MS) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const pending = this.pending;
    this.pending = undefined;
    this.lastFlush = Date.now();
    if (pending) this.emit(pending.name, pending.text);
  }
}
