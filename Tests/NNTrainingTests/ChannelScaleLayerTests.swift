// ChannelScaleLayerTests: a layer scale `x · s[c]` against PyTorch (max|Shears − torch| /
// max|torch| <= 1e-4 per tensor), the gradient under the parameter's own key.

import NNCore
@testable import NNTraining
import TestSupport
import XCTest

final class ChannelScaleLayerTests: XCTestCase {
    func testScale() throws { try ParametricFixture.load("channelscale").check() }
}
