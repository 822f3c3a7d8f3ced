// Training zoo models: the hand-written float64 MLP and its SGD loop.
export * from './mlp';
export * from './sgd';
