// ShearsKit: the library a Swift program uses to do what the CLI does. It re-exports the
// modules it builds on (the seven NN targets, Prune, Quantize, Report; directly, not through
// the NN umbrella) and adds what needs all of them: loading a model from any file
// (ModelLoader), writing one in the format its name asks for (ModelFileWriter), and the
// workflows (sweeps, sensitivity, one sweep point's measurement).

@_exported import NNCore
@_exported import NNEngine
@_exported import NNEvaluation
@_exported import NNONNX
@_exported import NNTorchExport
@_exported import NNTorchIO
@_exported import NNVision
@_exported import Prune
@_exported import Quantize
@_exported import Report
