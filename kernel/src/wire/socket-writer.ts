// zeromq 6 allows one pending send per socket (a second concurrent send rejects with EBUSY),
// so every socket we write from several places goes through one of these queues.

export interface SendableSocket {
  send(frames: Buffer[]): Promise<void>;
}

export class SocketWriter {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: SendableSocket,
    private readonly onError: (error: Error) => void,
  ) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch((error: Error) => this.onError(error));
    this.tail = next;
    return next;
  }

  /**
   * Like send, in the same queue, but a failure rejects the returned promise for the caller to
   * handle (retry an unroutable message) instead of going to onError; the queue goes on.
   */
  attempt(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything queued so far has been handed to ZeroMQ. */
  flush(): Promise<void> {
    return this.tail;
  }
}
