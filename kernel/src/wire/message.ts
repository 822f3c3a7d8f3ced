// Jupyter wire-protocol messages: the typed shape and the multipart framing
// (identities, <IDS|MSG>, signature, header, parent_header, metadata, content, buffers).
// Both the kernel and the client encode and decode with these functions.

import { randomUUID } from 'node:crypto';
import type { Signer } from './signer';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  [extra: string]: unknown;
}

export interface Message<Content = Record<string, any>> {
  /** ZeroMQ routing identities (ROUTER sockets) or the topic (IOPub). */
  identities: Buffer[];
  header: Header;
  /** Empty object when there is no parent. */
  parent_header: Partial<Header>;
  metadata: Record<string, any>;
  content: Content;
  buffers: Buffer[];
}

/** Why a multipart message could not be decoded; `header` is set when a reply can still be sent. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly identities: Buffer[] = [],
    readonly header?: Header,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export function newHeader(msgType: string, session: string, username = 'weightlab'): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

export interface MessageParts<Content> {
  msgType: string;
  content: Content;
  session: string;
  parent?: Partial<Header>;
  metadata?: Record<string, any>;
  identities?: Buffer[];
  buffers?: Buffer[];
  username?: string;
}

export function createMessage<Content>(parts: MessageParts<Content>): Message<Content> {
  return {
    identities: parts.identities ?? [],
    header: newHeader(parts.msgType, parts.session, parts.username),
    parent_header: parts.parent ?? {},
    metadata: parts.metadata ?? {},
    content: parts.content,
    buffers: parts.buffers ?? [],
  };
}

export function encode(message: Message<unknown>, signer: Signer): Buffer[] {
  const frames = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part ?? {}), 'utf8'),
  );
  return [
    ...message.identities,
    Buffer.from(DELIMITER),
    Buffer.from(signer.sign(frames)),
    ...frames,
    ...message.buffers,
  ];
}

function parseJson(frame: Buffer, name: string, identities: Buffer[], header?: Header): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${name} frame is not JSON`, identities, header);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new WireError(`${name} frame is not a JSON object`, identities, header);
  return value as Record<string, any>;
}

const HEADER_FIELDS = ['msg_id', 'msg_type'] as const;

/** Decodes a multipart message and checks its signature; throws WireError when it is malformed. */
export function decode(frames: Buffer[], signer: Signer): Message {
  const split = frames.findIndex(
    (frame) => frame.length === DELIMITER.length && frame.toString('latin1') === DELIMITER,
  );
  if (split < 0) throw new WireError('no <IDS|MSG> delimiter');
  const identities = frames.slice(0, split);
  const rest = frames.slice(split + 1);
  if (rest.length < 5)
    throw new WireError(`expected at least 5 frames after the delimiter, got ${rest.length}`, identities);
  const [signature, ...parts] = rest;
  const signed = parts.slice(0, 4);
  const verdict = signer.check(signature.toString('utf8'), signed);
  if (verdict === 'invalid') throw new WireError('invalid signature', identities);
  if (verdict === 'replayed')
    throw new WireError(
      'duplicate signature: a message already received was sent again (replay), not executed',
      identities,
    );
  const header = parseJson(signed[0], 'header', identities) as Header;
  for (const field of HEADER_FIELDS) {
    if (typeof header[field] !== 'string' || !header[field])
      throw new WireError(`header has no '${field}'`, identities);
  }
  const parent = parseJson(signed[1], 'parent_header', identities, header);
  const metadata = parseJson(signed[2], 'metadata', identities, header);
  const content = parseJson(signed[3], 'content', identities, header);
  return { identities, header, parent_header: parent, metadata, content, buffers: parts.slice(4) };
}
