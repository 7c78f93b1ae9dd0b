// LayerNormLayerTests: LayerNorm over a map's channels and over a vector's features, with and
// without bias, against PyTorch (max|Shears − torch| / max|torch| <= 1e-4 per tensor).

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class LayerNormLayerTests: XCTestCase {
    func testMap() throws { try ParametricFixture.load("layernorm-map").check() }
    func testVector() throws { try ParametricFixture.load("layernorm-vector").check() }
    func testWithoutBias() throws { try ParametricFixture.load("layernorm-nobias").check() }
}
