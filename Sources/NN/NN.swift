// NN: the umbrella over the NN targets, for programs outside this package, so that `import NN`
// gives all of them: NNCore (tensors, graph, architectures, errors), NNTorchIO (pickle,
// checkpoints, module trees), NNTorchExport (torch.export `.pt2` archives), NNONNX, NNVision
// (JPEG, PIL transforms, datasets) and NNEngine (the executor). It only re-exports; targets
// inside the package import what they use.

@_exported import NNCore
@_exported import NNEngine
@_exported import NNONNX
@_exported import NNTorchExport
@_exported import NNTorchIO
@_exported import NNVision
