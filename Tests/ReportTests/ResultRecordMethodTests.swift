// Tests for ResultRecord.Method: channel removal's ranking is part of the stored method name
// ("channel-bn-scale", "channel-l2"), so a network-slimming series is told from the L1 one in
// results files, tables and charts, while the lines older files hold ("channel",
// "channel+bn-recal") still read as the L1 ranking.

import Foundation
import Prune
import XCTest
@testable import Report

final class ResultRecordMethodTests: XCTestCase {
    func testChannelRankingsAreTheirOwnMethodsAndOldNamesReadAsL1() throws {
        XCTAssertEqual(ResultRecord.Method("channel"), .pruning(.channel(importance: .l1)))
        XCTAssertEqual(ResultRecord.Method("channel+bn-recal"), .pruning(.channel, recovery: .batchNormRecalibration))
        let slimming = ResultRecord.Method.pruning(.channel(importance: .batchNormScale), recovery: .batchNormRecalibration)
        XCTAssertEqual(slimming.description, "channel-bn-scale+bn-recal")
        XCTAssertEqual(ResultRecord.Method(slimming.description), slimming)
        XCTAssertEqual(ResultRecord.Method("channel-l2")?.pruningMethod?.channelImportance, .l2)
        XCTAssertNil(ResultRecord.Method("channel-bn"))
        let record = ResultRecord(kind: .prune, model: "m", method: .pruning(.channel(importance: .batchNormScale)), ratio: 0.5, accuracy: 0.8)
        let line = try record.jsonLine()
        XCTAssertTrue(line.contains(#""method":"channel-bn-scale""#), line)
        XCTAssertEqual(try JSONDecoder().decode(ResultRecord.self, from: Data(line.utf8)), record)
        XCTAssertNotEqual(record.key, ResultRecord(kind: .prune, model: "m", method: .pruning(.channel), ratio: 0.5).key)
    }

    /// One series per ranking in the accuracy and speed-up charts, one row each in the tables.
    func testTablesAndChartsKeepTheRankingsApart() throws {
        var records: [ResultRecord] = []
        for method in [PruningMethod.channel, .channel(importance: .batchNormScale)] {
            records.append(ResultRecord(kind: .prune, model: "t", method: .pruning(method), ratio: 0.5, accuracy: 0.7))
            records.append(ResultRecord(kind: .bench, model: "t", method: .pruning(method), ratio: 0.5, variant: .channelRemoved,
                                        batch: 1, latencyMs: 1, speedup: 1.5))
        }
        XCTAssertEqual(try XCTUnwrap(Chart.accuracyVersusRatio(records)).series.map(\.title).sorted(), ["t, channel", "t, channel-bn-scale"])
        XCTAssertEqual(try XCTUnwrap(Chart.speedupVersusRatio(records)).series.map(\.title).sorted(),
                       ["t, channel-removed by bn-scale, batch 1", "t, channel-removed, batch 1"])
        XCTAssertEqual(Table.pruning(records).rows.map { $0[1] }, ["channel", "channel-bn-scale"])
        XCTAssertEqual(Table.bench(records).rows.map { $0[2] }.sorted(), ["channel", "channel-bn-scale"])
    }
}
