// ShearsKit: the library a Swift program uses to do what the CLI does. It re-exports the
// four modules (NN, Prune, Quantize, Report) and adds what needs all of them: loading a
// model from any file (ModelLoader) and measuring one sweep point (SweepPoint).

@_exported import NN
@_exported import Prune
@_exported import Quantize
@_exported import Report
