// Checkpoint I/O: readers for every weight format researchers use (all lazy, none executes
// code from a file) and writers for safetensors and .npy. Public names only.

export { FileSource, BufferSource, type ByteSource } from './byte-source';
export { type FileDType, float8ToNumber } from './file-dtypes';
export {
  readSafetensors,
  readSafetensorsHeader,
  readSafetensorsIndex,
  writeSafetensors,
  encodeSafetensors,
  type SafetensorsHeader,
  type TensorsInput,
} from './safetensors';
export { readNpy, openNpy, readNpyHeader, readNpyRows, writeNpy, encodeNpy, type NpyHeader } from './npy';
export { readNpz } from './npz';
export { ZipArchive, type ZipEntry, type ZipReadOptions } from './zip';
export { unpickle, PickleGlobal, type PickleCallable, type UnpickleOptions } from './pickle';
export { readTorch, readTorchObject, isTorchTensor, type TorchReadOptions, type TorchCheckpoint } from './torch';
export { TorchTensor, TorchStorage } from './torch-globals';
export { STATE_DICT_KEYS, type UnwrapOptions } from './checkpoint-tree';
export { readTfjs } from './tfjs';
export { readOnnx, readOnnxBytes } from './onnx';
export { readHdf5, type Hdf5ReadOptions } from './hdf5';
export {
  readWeights,
  loadWeights,
  detectWeightFormat,
  type WeightFormat,
  type ReadWeightsOptions,
} from './read-weights';
export {
  readHuggingFace,
  readAdapter,
  isHuggingFaceFolder,
  type HuggingFaceReadOptions,
  type HuggingFaceConfig,
} from './huggingface';
export { mergeAdapter, MERGE_ADAPTER_DEFAULTS, type MergeAdapterOptions } from './lora';
