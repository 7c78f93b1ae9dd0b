// ShearsKit: the library a Swift program uses to do what the CLI does, as types: model files
// both ways (ModelFile), the sweep (SweepPlan, Sweep), sensitivity, bench, crossover,
// quantize-and-compare, and measuring one point (SweepPoint). It re-exports the libraries
// below it, so `import ShearsKit` is all a program needs.

@_exported import NN
@_exported import Prune
@_exported import Quantize
@_exported import Report
