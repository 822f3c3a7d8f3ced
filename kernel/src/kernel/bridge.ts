// Messages between the I/O worker thread (which owns every ZeroMQ socket) and the main thread
// (which runs cells). The split keeps heartbeat, control and kernel_info answered while a cell
// or the TypeScript warm-up blocks the main thread.

import type { Header } from '../wire/message';

/** A shell request the worker hands to the main thread, one at a time. */
export interface RequestToMain {
  kind: 'request';
  id: number;
  msgType: string;
  header: Header;
  content: Record<string, any>;
  /** For execute_request: the count this execution gets (already incremented when it stores history). */
  executionCount?: number;
}

export interface ExitToMain {
  kind: 'exit';
  reason: string;
  code: number;
}

/** Interrupt the execution of request `requestId` (whether it is running yet or not). */
export interface InterruptToMain {
  kind: 'interrupt';
  requestId: number;
}

/** The front end's input_reply to the input_request of request `requestId`. */
export interface InputReplyToMain {
  kind: 'input_reply';
  requestId: number;
  value: string;
}

/**
 * The input_request of request `requestId` could not be delivered: no front end's stdin socket
 * with the execute_request's routing id connected within the wait (see io-worker's STDIN_PEER_WAIT_MS).
 */
export interface InputFailedToMain {
  kind: 'input_failed';
  requestId: number;
  reason: string;
}

/**
 * comm_open (of a known target), comm_msg or comm_close from a front end: handled at once, not
 * queued behind executions, so a cell awaiting a selection gets it.
 */
export interface CommToMain {
  kind: 'comm';
  msgType: 'comm_open' | 'comm_msg' | 'comm_close';
  header: Header;
  content: Record<string, any>;
}

export type ToMain = RequestToMain | ExitToMain | InterruptToMain | InputReplyToMain | InputFailedToMain | CommToMain;

/** An IOPub message parented to the request `requestId` (or to the last request when it is gone). */
export interface IopubFromMain {
  kind: 'iopub';
  requestId: number;
  msgType: string;
  content: Record<string, any>;
  /** The parent header when it is not a request's (a comm message answers the comm's own message). */
  parent?: Header;
  /** The message's metadata (a widget comm_open carries the protocol version there). */
  metadata?: Record<string, unknown>;
}

export interface ReplyFromMain {
  kind: 'reply';
  requestId: number;
  msgType: string;
  content: Record<string, any>;
  /** text/plain of the execute_result, kept for history_request with output=true. */
  resultText?: string;
}

/** Sent once the TypeScript program and the prelude are ready (for logs and the bench). */
export interface ReadyFromMain {
  kind: 'ready';
  milliseconds: number;
}

/** The main thread got a SIGINT from outside; the worker knows which request it is for. */
export interface SigintFromMain {
  kind: 'sigint';
}

/**
 * The main thread starts (running: true) or finishes running a cell's JavaScript. The worker
 * signals SIGINT only inside that span, so a signal never lands in TypeScript or the prelude.
 */
export interface PhaseFromMain {
  kind: 'phase';
  requestId: number;
  running: boolean;
}

/** A cell called input(): the worker sends input_request on stdin to the front end of request `requestId`. */
export interface InputRequestFromMain {
  kind: 'input_request';
  requestId: number;
  prompt: string;
  password: boolean;
}

export type FromMain =
  IopubFromMain | ReplyFromMain | ReadyFromMain | SigintFromMain | PhaseFromMain | InputRequestFromMain;

export interface WorkerConfig {
  connectionFile: string;
  kernelInfo: Record<string, unknown>;
  /** The comm targets a front end may open (comms/COMM_TARGETS); comm_open of any other is closed at once. */
  commTargets: readonly string[];
  /** The pid to watch besides process.ppid (JPY_PARENT_PID). */
  parentPid?: number;
}
