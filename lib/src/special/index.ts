// Special functions the statistics modules share (log-gamma, incomplete gamma, the normal
// distribution, log-space sums). Each file states its method and measured accuracy.
export * from './log-sum-exp';
export * from './log-gamma';
export * from './incomplete-gamma';
export * from './normal';
