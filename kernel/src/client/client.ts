// A Jupyter client over our wire codec: used by `weightlab run`, the bench and the protocol tests
// to talk to a kernel (ours or any other) through its connection info.

import * as zmq from 'zeromq';
import { endpoint, type ConnectionInfo } from '../wire/connection';
import { Signer } from '../wire/signer';
import { createMessage, decode, encode, type Message } from '../wire/message';
import { SocketWriter } from '../wire/socket-writer';
import { randomUUID } from 'node:crypto';

export type RequestChannel = 'shell' | 'control' | 'stdin';

export class KernelTimeoutError extends Error {
  constructor(what: string, milliseconds: number) {
    super(`${what}: no answer within ${milliseconds} ms`);
    this.name = 'KernelTimeoutError';
  }
}

/** Everything one execute_request produced. */
export interface ExecuteOutcome {
  reply: Message;
  /** IOPub messages parented to the request, from busy to idle (status and execute_input included). */
  messages: Message[];
}

/** An execute_request's content fields; allowStdin (default false) says this client answers input_request (onInputRequest). */
export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  stopOnError?: boolean;
  userExpressions?: Record<string, string>;
  allowStdin?: boolean;
}

interface Pending {
  resolve(message: Message): void;
}

interface Collector {
  messages: Message[];
  idle: Promise<void>;
  onMessage(message: Message): void;
}

function withTimeout<T>(promise: Promise<T>, milliseconds: number | undefined, what: string): Promise<T> {
  if (!milliseconds || !Number.isFinite(milliseconds)) return promise;
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KernelTimeoutError(what, milliseconds)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class KernelClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly sockets: Record<RequestChannel, zmq.Dealer>;
  private readonly writers: Record<RequestChannel, SocketWriter>;
  private readonly iopub = new zmq.Subscriber();
  private readonly pending = new Map<string, Pending>();
  private readonly collectors = new Map<string, Collector>();
  private readonly listeners = new Set<(message: Message) => void>();
  private readonly inputListeners = new Set<(request: Message) => void>();
  private closed = false;
  /** performance.now() when the first kernel_info_reply arrived (start-up measurements). */
  firstKernelInfoReplyAt: number | undefined;

  constructor(readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.sockets = { shell: new zmq.Dealer(), control: new zmq.Dealer(), stdin: new zmq.Dealer() };
    const onError = (error: Error) => {
      if (!this.closed) process.stderr.write(`kernel client: send failed: ${error.message}\n`);
    };
    this.writers = {
      shell: new SocketWriter(this.sockets.shell, onError),
      control: new SocketWriter(this.sockets.control, onError),
      stdin: new SocketWriter(this.sockets.stdin, onError),
    };
    for (const socket of [...Object.values(this.sockets), this.iopub]) socket.linger = 0;
    // One routing id on shell, control and stdin (as jupyter_client does): the kernel addresses an
    // input_request on its stdin socket to the identity the execute_request came from on shell.
    for (const socket of Object.values(this.sockets)) socket.routingId = this.session;
  }

  /**
   * Connects to the kernel's sockets: all of them by default; a subset, then the rest in a later
   * call, lets tests see what a kernel does with a front end whose stdin socket connects late.
   */
  connect(channels: ReadonlyArray<RequestChannel | 'iopub'> = ['shell', 'control', 'stdin', 'iopub']): void {
    for (const channel of channels) {
      if (channel === 'iopub') {
        this.iopub.connect(endpoint(this.info, 'iopub'));
        this.iopub.subscribe();
        void this.receiveIopub();
        continue;
      }
      this.sockets[channel].connect(endpoint(this.info, channel));
      void this.receiveReplies(this.sockets[channel]);
    }
  }

  private async receiveReplies(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(frames, this.signer);
        } catch (error) {
          process.stderr.write(`kernel client: dropped a malformed reply: ${(error as Error).message}\n`);
          continue;
        }
        if (message.header.msg_type === 'input_request') {
          for (const listener of this.inputListeners) listener(message);
          continue;
        }
        const parent = message.parent_header.msg_id;
        const waiting = parent ? this.pending.get(parent) : undefined;
        if (waiting) {
          this.pending.delete(parent!);
          waiting.resolve(message);
        }
      }
    } catch (error) {
      if (!this.closed) process.stderr.write(`kernel client: reply socket stopped: ${(error as Error).message}\n`);
    }
  }

  private async receiveIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        let message: Message;
        try {
          message = decode(frames, this.signer);
        } catch (error) {
          process.stderr.write(`kernel client: dropped a malformed IOPub message: ${(error as Error).message}\n`);
          continue;
        }
        const parent = message.parent_header.msg_id;
        if (parent) this.collectors.get(parent)?.onMessage(message);
        for (const listener of this.listeners) listener(message);
      }
    } catch (error) {
      if (!this.closed) process.stderr.write(`kernel client: IOPub socket stopped: ${(error as Error).message}\n`);
    }
  }

  /** Calls `listener` for every IOPub message; returns a function that removes it. */
  onIopub(listener: (message: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` for every input_request the kernel sends on stdin (its parent header is the
   * execute_request; content: prompt, password); answer with inputReply(). Returns a remover.
   */
  onInputRequest(listener: (request: Message) => void): () => void {
    this.inputListeners.add(listener);
    return () => this.inputListeners.delete(listener);
  }

  /** Answers the kernel's pending input_request with `value`. */
  inputReply(value: string, request?: Message): Promise<void> {
    const message = createMessage({
      msgType: 'input_reply',
      content: { value },
      parent: request?.header,
      session: this.session,
      username: 'weightlab-client',
    });
    return this.writers.stdin.send(encode(message, this.signer));
  }

  /** Collects IOPub messages parented to `msgId` until its idle status. */
  private collect(msgId: string): Collector {
    let done!: () => void;
    const collector: Collector = {
      messages: [],
      idle: new Promise<void>((resolve) => {
        done = resolve;
      }),
      onMessage(message) {
        collector.messages.push(message);
        if (message.header.msg_type === 'status' && message.content.execution_state === 'idle') done();
      },
    };
    this.collectors.set(msgId, collector);
    return collector;
  }

  newMessage(msgType: string, content: Record<string, unknown>): Message {
    return createMessage({ msgType, content, session: this.session, username: 'weightlab-client' });
  }

  /** A promise of the reply to `msgId` (for requests sent as raw frames). */
  expectReply(msgId: string, timeoutMs?: number): Promise<Message> {
    const reply = new Promise<Message>((resolve) => this.pending.set(msgId, { resolve }));
    return withTimeout(reply, timeoutMs, `reply to ${msgId}`).finally(() => this.pending.delete(msgId));
  }

  /** Sends a message and returns a promise of its reply (without waiting for it to be sent). */
  send(channel: RequestChannel, message: Message, timeoutMs?: number): Promise<Message> {
    const reply = new Promise<Message>((resolve) => this.pending.set(message.header.msg_id, { resolve }));
    void this.writers[channel].send(encode(message, this.signer));
    return withTimeout(reply, timeoutMs, message.header.msg_type).finally(() =>
      this.pending.delete(message.header.msg_id),
    );
  }

  request(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown> = {},
    timeoutMs?: number,
  ): Promise<Message> {
    return this.send(channel, this.newMessage(msgType, content), timeoutMs);
  }

  /** Raw frames on a channel, for protocol tests of malformed input. */
  sendFrames(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    return this.writers[channel].send(frames);
  }

  /**
   * Sends a request and returns its outcome (reply and idle status) as a promise with no time
   * limit, for callers that act on a timeout themselves (interrupt, then wait again).
   */
  start(
    channel: RequestChannel,
    message: Message,
  ): { done: Promise<ExecuteOutcome>; messages: Message[]; dispose(): void } {
    const collector = this.collect(message.header.msg_id);
    const reply = this.send(channel, message);
    const done = Promise.all([reply, collector.idle]).then(([answer]) => ({
      reply: answer,
      messages: collector.messages,
    }));
    return {
      done,
      messages: collector.messages,
      dispose: () => {
        this.collectors.delete(message.header.msg_id);
        this.pending.delete(message.header.msg_id);
      },
    };
  }

  /** Sends a request and waits for both its reply and its idle status. */
  async requestWithOutput(channel: RequestChannel, message: Message, timeoutMs?: number): Promise<ExecuteOutcome> {
    const collector = this.collect(message.header.msg_id);
    try {
      const reply = await this.send(channel, message, timeoutMs);
      await withTimeout(collector.idle, timeoutMs, `${message.header.msg_type} idle status`);
      return { reply, messages: collector.messages };
    } finally {
      this.collectors.delete(message.header.msg_id);
    }
  }

  execute(code: string, options: ExecuteOptions & { timeoutMs?: number } = {}): Promise<ExecuteOutcome> {
    const message = this.executeMessage(code, options);
    return this.requestWithOutput('shell', message, options.timeoutMs);
  }

  executeMessage(code: string, options: ExecuteOptions = {}): Message {
    return this.newMessage('execute_request', {
      code,
      silent: options.silent ?? false,
      store_history: options.storeHistory ?? true,
      user_expressions: options.userExpressions ?? {},
      allow_stdin: options.allowStdin ?? false,
      stop_on_error: options.stopOnError ?? true,
    });
  }

  /**
   * Waits until the kernel answers kernel_info on shell and its IOPub status reaches us (a
   * subscriber misses messages published before its subscription propagates).
   */
  async waitForReady(timeoutMs = 30000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const message = this.newMessage('kernel_info_request', {});
      const collector = this.collect(message.header.msg_id);
      try {
        const remaining = Math.max(1, deadline - Date.now());
        const reply = await this.send('shell', message, remaining);
        this.firstKernelInfoReplyAt ??= performance.now();
        const seen = await Promise.race([
          collector.idle.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 250)),
        ]);
        if (seen) return reply;
      } catch (error) {
        if (!(error instanceof KernelTimeoutError)) throw error;
      } finally {
        this.collectors.delete(message.header.msg_id);
      }
    }
    throw new KernelTimeoutError('kernel_info_request', timeoutMs);
  }

  /** One heartbeat round trip; false when the kernel does not echo within the timeout. */
  async heartbeat(timeoutMs = 1000): Promise<boolean> {
    const socket = new zmq.Request();
    socket.linger = 0;
    socket.receiveTimeout = timeoutMs;
    try {
      socket.connect(endpoint(this.info, 'hb'));
      await socket.send('ping');
      const [echo] = await socket.receive();
      return echo.toString() === 'ping';
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [...Object.values(this.sockets), this.iopub]) socket.close();
  }
}
