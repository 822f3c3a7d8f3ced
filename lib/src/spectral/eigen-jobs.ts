// The jobs the main thread of the parallel eigensolver hands its worker, and their codes in the
// shared control block (words[2]); arguments follow in words[3..]. Shared by both sides.

export const JOB = { fusedRows: 1, exit: 2, bandProduct: 3, bandUpdate: 4, bandSweeps: 5 } as const;
export type JobKind = keyof typeof JOB;
