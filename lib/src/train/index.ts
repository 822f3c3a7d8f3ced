// Training zoo models: the hand-written float64 MLP, small CNN and PINN, the network interface
// the landscape metrics share, the training tasks, the SGD/Adam loop and the jitted jax-js group trainer.
export * from './mlp';
export * from './cnn';
export * from './network';
export * from './sgd';
export * from './task';
export * from './pinn';
export * from './jax-engine';
export * from './lockstep';
