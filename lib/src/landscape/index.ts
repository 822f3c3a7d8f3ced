// Loss-landscape metrics: Hessian spectra from products (whole and per layer), mode connectivity, CKA, distances.
export * from './hessian';
export { tridiagonalEigen } from '../linalg/tridiagonal';
export * from './mlp-hessian';
export * from './layer-hessian';
export * from './connectivity';
export * from './cka';
export * from './surface';
