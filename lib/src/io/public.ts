// The io namespace: read and write weights in the formats other tools write (safetensors, PyTorch,
// NumPy, tfjs, Keras HDF5, ONNX), one entry point that detects the format, and the writers.
export {
  readWeights,
  loadWeights,
  detectWeightFormat,
  type WeightFormat,
  type ReadWeightsOptions,
} from './read-weights';
export {
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
  encodeSafetensors,
  type SafetensorsHeader,
  type TensorsInput,
} from './safetensors';
export { readTorch, type TorchReadOptions, type TorchCheckpoint } from './torch';
export { readNpy, readNpyHeader, writeNpy, encodeNpy, type NpyHeader } from './npy';
export { readNpz } from './npz';
export { readTfjs } from './tfjs';
export { readHdf5, type Hdf5ReadOptions } from './hdf5';
export { readOnnx, readOnnxBytes } from './onnx';
