// NN: the umbrella over the eight NN targets, so that `import NN` gives all of them:
// NNCore (tensors, graph, architectures, errors, the seeded RNG), NNTorchIO (pickle,
// checkpoints, module trees), NNTorchExport (torch.export `.pt2` archives), NNONNX, NNVision
// (JPEG, PIL transforms, datasets), NNEngine (executor) and NNEvaluation (top-1 evaluation,
// BN recalibration, timing) and NNTraining (backward, losses, optimizers). It only re-exports: nothing inside the package imports it
// (each target imports what it uses), it is for programs outside.

@_exported import NNCore
@_exported import NNEngine
@_exported import NNEvaluation
@_exported import NNONNX
@_exported import NNTorchExport
@_exported import NNTraining
@_exported import NNTorchIO
@_exported import NNVision
