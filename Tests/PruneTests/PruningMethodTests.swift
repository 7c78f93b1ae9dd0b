// Tests for PruningMethod and its names: every name reads back as its method; channel removal
// is named by its importance ("channel" for L1, as results files always held it); `.channel`
// is the L1 ranking as a value and any ranking as a pattern.

import Prune
import XCTest

final class PruningMethodTests: XCTestCase {
    func testEveryNameReadsBackAsItsMethod() throws {
        for name in PruningMethod.names {
            let method = try XCTUnwrap(PruningMethod(name: name), name)
            XCTAssertEqual(PruningMethod(name: method.description), method, name)
        }
        XCTAssertEqual(PruningMethod(name: "channel"), .channel(importance: .l1))
        XCTAssertEqual(PruningMethod(name: "channel-l2"), .channel(importance: .l2))
        XCTAssertEqual(PruningMethod(name: "channel-bn-scale"), .channel(importance: .batchNormScale))
        XCTAssertEqual(ChannelImportance.allCases.map { PruningMethod.channel(importance: $0).description },
                       ["channel", "channel-l2", "channel-bn-scale"])
        // One spelling per method: the default importance is never written out.
        for name in ["channel-l1", "channel-bn", "channel-", "channel-bn-scale+x"] { XCTAssertNil(PruningMethod(name: name), name) }
    }

    func testChannelIsTheL1RankingAsAValueAndAnyRankingAsAPattern() {
        XCTAssertEqual(PruningMethod.channel, .channel(importance: .l1))
        XCTAssertNotEqual(PruningMethod.channel, .channel(importance: .batchNormScale))
        let slimming = PruningMethod.channel(importance: .batchNormScale)
        guard case .channel = slimming else { return XCTFail("the pattern .channel matches every importance") }
        XCTAssertEqual(slimming.channelImportance, .batchNormScale)
        XCTAssertTrue(slimming.isStructured)
        XCTAssertNil(PruningMethod.ln(n: 2).channelImportance)
    }
}
