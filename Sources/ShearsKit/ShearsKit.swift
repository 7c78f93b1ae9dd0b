// ShearsKit: the library a Swift program uses to do what the CLI does, as types: model files
// both ways (ModelFile), the sweep (SweepPlan, Sweep), sensitivity, bench, profile, crossover,
// quantize-and-compare, fine-tuning (FineTune), and measuring one point (SweepPoint). It re-exports the modules it
// builds on (the eight NN targets, Prune, Quantize, Report; directly, not through the NN
// umbrella), so `import ShearsKit` is all a program needs.

@_exported import NNCore
@_exported import NNEngine
@_exported import NNEvaluation
@_exported import NNONNX
@_exported import NNTorchExport
@_exported import NNTorchIO
@_exported import NNTraining
@_exported import NNVision
@_exported import Prune
@_exported import Quantize
@_exported import Report
