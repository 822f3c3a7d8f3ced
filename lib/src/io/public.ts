// The io namespace: read and write weights in the formats other tools write (safetensors, PyTorch,
// NumPy, tfjs, Keras HDF5, ONNX, Hugging Face model and adapter folders), one entry point that
// detects the format, LoRA adapter merging, and the writers.
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
export { readHuggingFace, readAdapter, type HuggingFaceReadOptions, type HuggingFaceConfig } from './huggingface';
export { mergeAdapter, MERGE_ADAPTER_DEFAULTS, type MergeAdapterOptions } from './lora';
