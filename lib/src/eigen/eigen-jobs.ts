// The jobs the main thread of the parallel eigensolver hands its worker, and their codes in the
// shared control block (words[2]); arguments follow in words[3..]. Shared by both sides.

export const JOB = { fusedRows: 1, exit: 2, bandProduct: 3, bandUpdate: 4, bandSweeps: 5, solve: 6 } as const;
/** Word of the control block where the worker leaves a 'solve' job's QL status (0 = converged). */
export const SOLVE_STATUS_WORD = 14;
/** Word of the control block where the worker leaves the code of a job that threw (0 = none). */
export const FAILED_JOB_WORD = 13;
export type JobKind = keyof typeof JOB;
