// The kernel's I/O thread: owns every ZeroMQ socket, signs and checks messages, keeps the shell
// queue, the execution count and the history, and answers heartbeat, control, kernel_info and
// history itself. Cells run on the main thread, so a busy cell never silences the kernel.

import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { endpoint, readConnectionFile, type ConnectionInfo } from '../wire/connection';
import { Signer } from '../wire/signer';
import { createMessage, decode, encode, WireError, type Header, type Message } from '../wire/message';
import { SocketWriter } from '../wire/socket-writer';
import { History } from './history';
import type { CommToMain, FromMain, ReplyFromMain, ToMain, WorkerConfig } from './bridge';

/** Requests that need the TypeScript program, so the main thread answers them. */
const MAIN_THREAD_REQUESTS = new Set(['execute_request', 'complete_request', 'inspect_request', 'is_complete_request']);
const KEPT_PARENTS = 256;
const COMM_MESSAGES = new Set(['comm_open', 'comm_msg', 'comm_close']);
/**
 * How long an input_request waits for the front end's stdin socket to connect: a client connects
 * its shell and stdin sockets together, so this is only reached when it never connects stdin.
 */
const STDIN_PEER_WAIT_MS = 10_000;
/** How long after a script started the first SIGINT that interrupts it is sent (see signalWhileRunning). */
const SIGNAL_DELAY_MS = 50;

function log(text: string): void {
  try {
    writeSync(2, `[weightlab kernel] ${text}\n`);
  } catch {
    /* stderr closed: nothing to do */
  }
}

interface InFlight {
  id: number;
  message: Message;
}

class IoServer {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  private readonly shellWriter: SocketWriter;
  private readonly controlWriter: SocketWriter;
  private readonly iopubWriter: SocketWriter;
  private readonly stdinWriter: SocketWriter;
  private readonly queue: Message[] = [];
  private readonly parents = new Map<number, Header>();
  private readonly history = new History();
  /** Open comms (comm_id to target name), for comm_info_request and to drop messages to closed ones. */
  private readonly comms = new Map<string, string>();
  private inFlight: InFlight | undefined;
  private nextId = 1;
  private lastRequestId = 0;
  private executionCount = 0;
  private exiting = false;
  private interruptRepeater: NodeJS.Timeout | undefined;
  private firstSignal: NodeJS.Timeout | undefined;
  /** Date.now() when the running request's script started (its 'running' phase). */
  private runningSince = 0;
  /** The request whose JavaScript runs on the main thread now. */
  private runningId: number | undefined;
  /** The request an interrupt was asked for. */
  private interruptedId: number | undefined;
  /**
   * The request whose cell waits for an input_reply (a front end answers one input_request at a
   * time), and the msg_id of that input_request.
   */
  private awaitingInput: { requestId: number; msgId: string } | undefined;

  constructor(
    private readonly info: ConnectionInfo,
    private readonly config: WorkerConfig,
  ) {
    this.signer = new Signer(info.key, info.signature_scheme, { rejectReplays: true });
    const onError = (channel: string) => (error: Error) => log(`send on ${channel} failed: ${error.message}`);
    this.shellWriter = new SocketWriter(this.shell, onError('shell'));
    this.controlWriter = new SocketWriter(this.control, onError('control'));
    this.iopubWriter = new SocketWriter(this.iopub, onError('iopub'));
    this.stdinWriter = new SocketWriter(this.stdin, onError('stdin'));
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) socket.linger = 1000;
    // A ROUTER drops a message to a peer that has not connected yet, silently by default: an
    // input_request sent before the front end's stdin socket finished connecting (a first cell
    // that calls input() right after kernel_info) would leave the cell waiting forever.
    // Mandatory routing makes that send fail, and requestInput retries it.
    this.stdin.mandatory = true;
  }

  async start(): Promise<void> {
    await Promise.all([
      this.shell.bind(endpoint(this.info, 'shell')),
      this.control.bind(endpoint(this.info, 'control')),
      this.stdin.bind(endpoint(this.info, 'stdin')),
      this.iopub.bind(endpoint(this.info, 'iopub')),
      this.heartbeat.bind(endpoint(this.info, 'hb')),
    ]);
    this.publish('status', { execution_state: 'starting' });
    void this.echoHeartbeats();
    void this.receive(this.shell, 'shell', (message) => this.onShell(message));
    void this.receive(this.control, 'control', (message) => this.onControl(message));
    void this.receive(this.stdin, 'stdin', (message) => this.onStdin(message));
    parentPort!.on('message', (message: FromMain) => this.onMain(message));
    this.watchParent();
  }

  private async echoHeartbeats(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (error) {
      if (!this.exiting) log(`heartbeat stopped: ${(error as Error).message}`);
    }
  }

  private async receive(socket: zmq.Router, channel: string, handle: (message: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(frames, this.signer);
        } catch (error) {
          this.onMalformed(
            error as Error,
            channel,
            socket === this.control ? this.controlWriter : socket === this.stdin ? this.stdinWriter : this.shellWriter,
          );
          continue;
        }
        try {
          handle(message);
        } catch (error) {
          log(`error handling ${message.header.msg_type} on ${channel}: ${(error as Error).stack}`);
        }
      }
    } catch (error) {
      if (!this.exiting) log(`${channel} socket stopped: ${(error as Error).message}`);
    }
  }

  private onMalformed(error: Error, channel: string, writer: SocketWriter): void {
    log(`dropped a malformed message on ${channel}: ${error.message}`);
    if (!(error instanceof WireError) || !error.header || !error.header.msg_type.endsWith('_request')) return;
    // The header is readable and the signature valid, so the sender is waiting for this reply.
    const replyType = error.header.msg_type.replace(/_request$/, '_reply');
    void writer.send(
      this.encode(error.identities, replyType, error.header, {
        status: 'error',
        ename: 'MalformedMessage',
        evalue: error.message,
        traceback: [`MalformedMessage: ${error.message}`],
      }),
    );
  }

  private encode(
    identities: Buffer[],
    msgType: string,
    parent: Partial<Header>,
    content: Record<string, unknown>,
    metadata: Record<string, unknown> = {},
  ): Buffer[] {
    return encode(
      createMessage({ identities, msgType, content, parent, metadata, session: this.session }),
      this.signer,
    );
  }

  private reply(writer: SocketWriter, request: Message, content: Record<string, unknown>, msgType?: string): void {
    const type = msgType ?? request.header.msg_type.replace(/_request$/, '_reply');
    void writer.send(this.encode(request.identities, type, request.header, content));
  }

  private publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: Partial<Header> = {},
    metadata: Record<string, unknown> = {},
  ): void {
    const topic = Buffer.from(`kernel.${this.session}.${msgType}`);
    void this.iopubWriter.send(this.encode([topic], msgType, parent, content, metadata));
  }

  private onShell(message: Message): void {
    if (COMM_MESSAGES.has(message.header.msg_type)) {
      this.onComm(message);
      return;
    }
    this.queue.push(message);
    this.pump();
  }

  /**
   * comm_open, comm_msg, comm_close: handled on arrival rather than queued, so a selection reaches
   * a cell that awaits it. busy/idle only when nothing else runs (a front end shows the kernel's
   * state from the last status message, and a cell may be running).
   */
  private onComm(message: Message): void {
    const content = message.content;
    const type = message.header.msg_type as CommToMain['msgType'];
    const commId = content.comm_id;
    if (typeof commId !== 'string' || commId.length === 0) {
      log(`ignoring a ${type} without a comm_id`);
      return;
    }
    const idle = !this.inFlight && this.queue.length === 0;
    if (idle) this.publish('status', { execution_state: 'busy' }, message.header);
    if (type === 'comm_open' && !this.config.commTargets.includes(String(content.target_name))) {
      // The messaging spec: a comm_open for a target the kernel does not have is answered by comm_close.
      log(`closing comm ${commId}: no comm target ${JSON.stringify(content.target_name)}`);
      this.publish(
        'comm_close',
        {
          comm_id: commId,
          data: {
            reason: `the weightlab kernel has no comm target ${JSON.stringify(content.target_name)} (targets: ${this.config.commTargets.join(', ')})`,
          },
        },
        message.header,
      );
    } else if (type !== 'comm_open' && !this.comms.has(commId)) {
      log(`ignoring a ${type} for comm ${commId}, which is not open`);
    } else {
      if (type === 'comm_open') this.comms.set(commId, String(content.target_name));
      if (type === 'comm_close') this.comms.delete(commId);
      parentPort!.postMessage({ kind: 'comm', msgType: type, header: message.header, content } satisfies ToMain);
    }
    if (idle) this.publish('status', { execution_state: 'idle' }, message.header);
  }

  /** Handles queued shell requests in order until one must wait for the main thread. */
  private pump(): void {
    while (!this.inFlight && this.queue.length > 0 && !this.exiting) {
      const message = this.queue.shift()!;
      this.publish('status', { execution_state: 'busy' }, message.header);
      if (MAIN_THREAD_REQUESTS.has(message.header.msg_type)) {
        this.forward(message);
      } else {
        this.handleHere(message, this.shellWriter);
        this.publish('status', { execution_state: 'idle' }, message.header);
      }
    }
  }

  private forward(message: Message): void {
    const id = this.nextId++;
    this.parents.set(id, message.header);
    if (this.parents.size > KEPT_PARENTS) this.parents.delete(this.parents.keys().next().value as number);
    this.lastRequestId = id;
    this.inFlight = { id, message };
    let executionCount: number | undefined;
    if (message.header.msg_type === 'execute_request') {
      const content = message.content;
      const silent = content.silent === true;
      const store = content.store_history !== false && !silent;
      if (store) this.executionCount++;
      executionCount = this.executionCount;
      if (store) this.history.add(executionCount, String(content.code ?? ''));
      if (!silent)
        this.publish(
          'execute_input',
          { code: String(content.code ?? ''), execution_count: executionCount },
          message.header,
        );
    }
    const request: ToMain = {
      kind: 'request',
      id,
      msgType: message.header.msg_type,
      header: message.header,
      content: message.content,
      executionCount,
    };
    parentPort!.postMessage(request);
  }

  private onMain(message: FromMain): void {
    if (message.kind === 'ready') {
      if (process.env.WEIGHTLAB_KERNEL_DEBUG)
        log(`TypeScript program and prelude ready in ${message.milliseconds.toFixed(0)} ms`);
      return;
    }
    if (message.kind === 'sigint') {
      this.interrupt();
      return;
    }
    if (message.kind === 'phase') {
      this.runningId = message.running ? message.requestId : undefined;
      if (message.running) this.runningSince = Date.now();
      if (message.running && this.interruptedId === message.requestId) this.signalWhileRunning(message.requestId);
      if (!message.running) this.stopSignalling();
      return;
    }
    if (message.kind === 'input_request') {
      this.requestInput(message.requestId, message.prompt, message.password);
      return;
    }
    if (message.kind === 'iopub') {
      if (message.msgType === 'comm_close') this.comms.delete(String(message.content.comm_id));
      // A comm the kernel opens (a widget): comm_info lists it and the front end's messages reach it.
      if (message.msgType === 'comm_open')
        this.comms.set(String(message.content.comm_id), String(message.content.target_name));
      const parent =
        message.parent ?? this.parents.get(message.requestId) ?? this.parents.get(this.lastRequestId) ?? {};
      this.publish(message.msgType, message.content, parent, message.metadata);
      return;
    }
    this.onReply(message);
  }

  private onReply(message: ReplyFromMain): void {
    const inFlight = this.inFlight;
    if (!inFlight || inFlight.id !== message.requestId) {
      log(`reply for unknown request ${message.requestId}`);
      return;
    }
    this.inFlight = undefined;
    this.runningId = undefined;
    this.interruptedId = undefined;
    this.awaitingInput = undefined;
    this.stopSignalling();
    const request = inFlight.message;
    this.reply(this.shellWriter, request, message.content, message.msgType);
    this.publish('status', { execution_state: 'idle' }, request.header);
    if (request.header.msg_type === 'execute_request') {
      if (message.resultText !== undefined && message.content.execution_count !== undefined) {
        this.history.setOutput(message.content.execution_count, message.resultText);
      }
      if (message.content.status === 'error' && request.content.stop_on_error !== false) this.abortQueuedExecutions();
    }
    this.pump();
  }

  /** stop_on_error: executions queued before the error reply went out are answered 'aborted'. */
  private abortQueuedExecutions(): void {
    const kept: Message[] = [];
    for (const message of this.queue) {
      if (message.header.msg_type !== 'execute_request') {
        kept.push(message);
        continue;
      }
      this.publish('status', { execution_state: 'busy' }, message.header);
      this.reply(this.shellWriter, message, {
        status: 'aborted',
        execution_count: this.executionCount,
        user_expressions: {},
        payload: [],
      });
      this.publish('status', { execution_state: 'idle' }, message.header);
    }
    this.queue.splice(0, this.queue.length, ...kept);
  }

  /**
   * input_request on the stdin socket, addressed to the identities of the execute request's
   * shell socket (a front end's stdin socket has the same routing id) and parented to it.
   */
  private requestInput(requestId: number, prompt: string, password: boolean): void {
    const inFlight = this.inFlight;
    if (!inFlight || inFlight.id !== requestId) {
      log(`input_request for request ${requestId}, which is no longer running`);
      return;
    }
    const request = createMessage({
      identities: inFlight.message.identities,
      msgType: 'input_request',
      content: { prompt, password },
      parent: inFlight.message.header,
      session: this.session,
    });
    this.awaitingInput = { requestId, msgId: request.header.msg_id };
    void this.sendInputRequest(encode(request, this.signer), requestId, request.header.msg_id);
  }

  /**
   * Sends an input_request, retrying while the front end's stdin socket is not connected yet
   * (EHOSTUNREACH on the mandatory ROUTER), for at most STDIN_PEER_WAIT_MS; then the cell's
   * input() fails with a message saying so, instead of waiting for an answer that cannot come.
   */
  private async sendInputRequest(frames: Buffer[], requestId: number, msgId: string): Promise<void> {
    const started = Date.now();
    const stillWaiting = () => this.awaitingInput?.msgId === msgId;
    for (let delay = 5; stillWaiting(); delay = Math.min(2 * delay, 200)) {
      try {
        await this.stdinWriter.attempt(frames);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'EHOSTUNREACH' || Date.now() - started >= STDIN_PEER_WAIT_MS) {
          if (!stillWaiting()) return;
          this.awaitingInput = undefined;
          const reason =
            code === 'EHOSTUNREACH'
              ? `no front end's stdin socket with the execute_request's routing id connected within ${STDIN_PEER_WAIT_MS / 1000} s`
              : `sending input_request failed: ${(error as Error).message}`;
          log(reason);
          parentPort!.postMessage({ kind: 'input_failed', requestId, reason } satisfies ToMain);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private onStdin(message: Message): void {
    if (message.header.msg_type !== 'input_reply') {
      log(`ignoring ${message.header.msg_type} on stdin`);
      return;
    }
    const awaiting = this.awaitingInput;
    if (!awaiting) {
      log('ignoring an input_reply: no cell is waiting for input');
      return;
    }
    // jupyter_client sends input_reply with no parent; a reply that names another input_request
    // answers one that was abandoned (interrupted) and must not answer this one.
    const parent = message.parent_header.msg_id;
    if (parent !== undefined && parent !== awaiting.msgId) {
      log('ignoring an input_reply to an earlier input_request');
      return;
    }
    this.awaitingInput = undefined;
    const requestId = awaiting.requestId;
    const value = message.content.value;
    parentPort!.postMessage({
      kind: 'input_reply',
      requestId,
      value: typeof value === 'string' ? value : String(value ?? ''),
    } satisfies ToMain);
  }

  private onControl(message: Message): void {
    switch (message.header.msg_type) {
      case 'kernel_info_request':
      case 'shutdown_request':
      case 'debug_request':
      case 'interrupt_request':
        this.publish('status', { execution_state: 'busy' }, message.header);
        this.handleHere(message, this.controlWriter);
        this.publish('status', { execution_state: 'idle' }, message.header);
        return;
      default:
        log(`ignoring ${message.header.msg_type} on control`);
    }
  }

  /** Requests answered on this thread, from shell or control. */
  private handleHere(message: Message, writer: SocketWriter): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'kernel_info_request':
        this.reply(writer, message, this.config.kernelInfo);
        return;
      case 'comm_info_request': {
        // The open comms, of one target when the request names it.
        const target = typeof content.target_name === 'string' ? content.target_name : undefined;
        const comms: Record<string, { target_name: string }> = {};
        for (const [commId, targetName] of this.comms)
          if (target === undefined || target === targetName) comms[commId] = { target_name: targetName };
        this.reply(writer, message, { status: 'ok', comms });
        return;
      }
      case 'history_request':
        this.reply(writer, message, { status: 'ok', history: this.history.query(content) });
        return;
      case 'interrupt_request':
        this.reply(writer, message, { status: 'ok' });
        this.interrupt();
        return;
      case 'debug_request':
        this.reply(writer, message, {
          type: 'response',
          request_seq: content.seq ?? 0,
          seq: 0,
          success: false,
          command: content.command ?? '',
          message: 'the weightlab kernel has no debugger',
        });
        return;
      case 'shutdown_request':
        this.reply(writer, message, { status: 'ok', restart: content.restart === true });
        void this.exit(content.restart === true ? 'restart requested' : 'shutdown requested');
        return;
      default:
        log(`unknown request ${message.header.msg_type}`);
        if (message.header.msg_type.endsWith('_request')) {
          this.reply(writer, message, {
            status: 'error',
            ename: 'UnsupportedRequest',
            evalue: `${message.header.msg_type} is not supported`,
            traceback: [],
          });
        }
    }
  }

  /**
   * Interrupts the request in flight. The main thread learns which one by message (it may not
   * have started it yet, or be awaiting); a synchronous loop is reached only by a signal (vm's
   * breakOnSigint), sent while the cell's JavaScript runs and repeated until it stops, since
   * one that arrives just before the loop starts is queued for the JS handler instead.
   */
  private interrupt(): void {
    const inFlight = this.inFlight;
    if (!inFlight || inFlight.message.header.msg_type !== 'execute_request' || this.interruptedId === inFlight.id)
      return;
    this.interruptedId = inFlight.id;
    parentPort!.postMessage({ kind: 'interrupt', requestId: inFlight.id } satisfies ToMain);
    if (this.runningId === inFlight.id) this.signalWhileRunning(inFlight.id);
  }

  private signalWhileRunning(requestId: number): void {
    if (this.interruptRepeater) return;
    // Not at once: the main thread posts 'running' just before vm.runInThisContext, whose
    // breakOnSigint first removes the process's SIGINT listeners and only then starts its
    // watchdog; a SIGINT in between meets Node's default action and ends the kernel. A sync cell
    // is well inside its script (watchdog listening) after SIGNAL_DELAY_MS.
    const send = () => {
      if (this.runningId === requestId) process.kill(process.pid, 'SIGINT');
    };
    let repeats = 0;
    this.interruptRepeater = setInterval(() => {
      if (this.runningId !== requestId || ++repeats > 20) this.stopSignalling();
      else send();
    }, 500);
    this.firstSignal = setTimeout(send, Math.max(0, this.runningSince + SIGNAL_DELAY_MS - Date.now()));
  }

  private stopSignalling(): void {
    if (this.interruptRepeater) clearInterval(this.interruptRepeater);
    if (this.firstSignal) clearTimeout(this.firstSignal);
    this.interruptRepeater = undefined;
    this.firstSignal = undefined;
  }

  /** Flushes replies, then ends the whole process (process.exit here would only end this thread). */
  async exit(reason: string, code = 0): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    await Promise.race([
      Promise.all([
        this.shellWriter.flush(),
        this.controlWriter.flush(),
        this.iopubWriter.flush(),
        this.stdinWriter.flush(),
      ]),
      new Promise((resolve) => setTimeout(resolve, 500)),
    ]);
    // Closing the sockets on this thread first: a worker torn down with open zeromq sockets
    // aborts the process (Napi::Error in the addon's cleanup).
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) {
      try {
        socket.close();
      } catch {
        /* already closed */
      }
    }
    parentPort!.postMessage({ kind: 'exit', reason, code } satisfies ToMain);
    // The main thread exits on that message unless a cell holds it; then a signal ends it.
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1500).unref();
  }

  /** Ends the kernel when the process that started it dies, so kernels are never orphaned. */
  private watchParent(): void {
    const initialParent = process.ppid;
    const parentPid = this.config.parentPid;
    const timer = setInterval(() => {
      let gone = process.ppid !== initialParent;
      if (!gone && parentPid) {
        try {
          process.kill(parentPid, 0);
        } catch (error) {
          gone = (error as NodeJS.ErrnoException).code === 'ESRCH';
        }
      }
      if (gone) {
        clearInterval(timer);
        log('parent process died; exiting');
        void this.exit('parent died');
      }
    }, 500);
  }
}

const config = workerData as WorkerConfig;
const server = new IoServer(readConnectionFile(config.connectionFile), config);
server.start().catch((error: Error) => {
  log(`cannot start: ${error.stack}`);
  void server.exit('cannot bind the sockets', 1);
});
