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

    /// "+ft" and "+kd" name fine-tuned and distilled points; their recipe ("fine_tuning") round-trips,
    /// is part of the key, and a line without it (every older file) reads with the key it always had.
    func testFineTunedAndDistilledMethodsRoundTripWithTheirRecipe() throws {
        XCTAssertEqual(ResultRecord.Method("l1+ft"), .pruning(.l1, recovery: .fineTuning))
        XCTAssertEqual(ResultRecord.Method("channel-bn-scale+kd"), .pruning(.channel(importance: .batchNormScale), recovery: .distillation))
        XCTAssertNil(ResultRecord.Method("l1+ft+kd"))
        let recipe = ResultRecord.FineTuning(epochs: 2, optimizer: "adam", learningRate: 0.001, batch: 32, augment: "flip", seed: 0,
                                             trainingImages: 3000, teacher: "teacher", alpha: 0.5, temperature: 4)
        let record = ResultRecord(kind: .prune, model: "s", method: .pruning(.l1, recovery: .distillation), ratio: 0.5, accuracy: 0.8, fineTuning: recipe)
        let line = try record.jsonLine()
        XCTAssertTrue(line.contains(#""fine_tuning":{"alpha":0.5,"augment":"flip","batch":32,"epochs":2,"lr":0.001,"optimizer":"adam","#), line)
        XCTAssertTrue(line.contains(#""method":"l1+kd""#), line)
        XCTAssertEqual(try JSONDecoder().decode(ResultRecord.self, from: Data(line.utf8)), record)
        let plain = ResultRecord(kind: .prune, model: "s", method: .pruning(.l1), ratio: 0.5)
        XCTAssertEqual(plain.key, "prune|s|l1|0.500000|-|-|-|-|-|-|-", "a record without a recipe keeps its old key")
        var other = record
        other.fineTuning?.epochs = 3
        XCTAssertEqual(Set([plain.key, record.key, other.key]).count, 3)
        let old = #"{"kind":"prune","model":"s","method":"channel+bn-recal","ratio":0.5,"accuracy":0.7}"#
        XCTAssertNil(try JSONDecoder().decode(ResultRecord.self, from: Data(old.utf8)).fineTuning)
        XCTAssertEqual(recipe.summary, "2 epochs, adam lr 0.001, from teacher α 0.5 T 4")
    }

    /// Each recovered series is its own line beside the plain one, in both accuracy charts, and
    /// its rows follow the plain rows in the table, with the recipe in a last column.
    func testRecoveredSeriesLieBesideThePlainOnes() throws {
        let recipe = ResultRecord.FineTuning(epochs: 1, optimizer: "sgd", learningRate: 0.01, batch: 64, augment: "flip", seed: 0, trainingImages: 100)
        var records: [ResultRecord] = []
        for (recovery, accuracy) in [(nil, 0.5), (ResultRecord.Method.Recovery.fineTuning, 0.8)] as [(ResultRecord.Method.Recovery?, Double)] {
            let trained = recovery == nil ? nil : recipe
            records.append(ResultRecord(kind: .prune, model: "s", method: .pruning(.l1, recovery: recovery), ratio: 0.5, accuracy: accuracy,
                                        nonzero: 10, fineTuning: trained))
            for k in 0...1 {
                records.append(ResultRecord(kind: .prune, model: "s", method: .pruning(.l1, recovery: recovery), ratio: 0.5 * Double(k),
                                            step: 0.5, steps: k, accuracy: accuracy, nonzero: 20 - 10 * k, fineTuning: trained))
            }
        }
        XCTAssertEqual(try XCTUnwrap(Chart.accuracyVersusRatio(records)).series.map(\.title),
                       ["s, l1", "s, l1+ft (1 epoch, sgd lr 0.01)"])
        XCTAssertEqual(try XCTUnwrap(Chart.accuracyVersusParameters(records)).series.map(\.title),
                       ["s, l1, 50% per step", "s, l1+ft, 50% per step (1 epoch, sgd lr 0.01)"])
        let table = Table.pruning(records)
        XCTAssertEqual(table.header.last, "fine-tuning")
        XCTAssertEqual(table.rows.map { "\($0[1]) \($0[2]) \($0[3])" },
                       ["l1 one-shot 0.50", "l1+ft one-shot 0.50", "l1 0.50 0.00", "l1 0.50 0.50", "l1+ft 0.50 0.00", "l1+ft 0.50 0.50"])
        XCTAssertEqual(table.rows[1].last, "1 epoch, sgd lr 0.01")
        XCTAssertFalse(Table.pruning(records.filter { $0.fineTuning == nil }).header.contains("fine-tuning"))
    }
}
