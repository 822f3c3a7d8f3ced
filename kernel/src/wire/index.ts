// The Jupyter wire protocol shared by the kernel and the client.
export * from './connection';
export * from './signer';
export * from './message';
export * from './socket-writer';
