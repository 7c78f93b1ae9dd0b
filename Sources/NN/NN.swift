// NN: the umbrella over the six NN targets, so that `import NN` gives all of them:
// NNCore (tensors, graph, architectures, errors), NNTorchIO (pickle, checkpoints, module
// trees), NNTorchExport (torch.export `.pt2` archives), NNONNX, NNVision (JPEG, PIL transforms, datasets) and NNEngine (executor,
// evaluation, timing). ModelFileWriter lives here because it picks among their writers.

@_exported import NNCore
@_exported import NNEngine
@_exported import NNONNX
@_exported import NNTorchExport
@_exported import NNTorchIO
@_exported import NNVision
