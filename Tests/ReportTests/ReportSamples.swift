// Sample records for the Report tests: a small sweep of two methods, an iterative
// schedule, bench speed-ups and a bit sweep.

import Prune
import Report

enum ReportSamples {
    static let records: [ResultRecord] = {
        var records: [ResultRecord] = []
        for (method, drop) in [(PruningMethod.l1, 0.5), (.channel, 0.8)] {
            for ratio in [0.0, 0.5, 0.9] {
                records.append(ResultRecord(kind: .prune, model: "teacher", method: .pruning(method), ratio: ratio,
                                            accuracy: 0.9 - drop * ratio * ratio, parameters: 1000, nonzero: Int(1000 * (1 - ratio)),
                                            macs: 5000, effectiveMacs: Int(5000 * (1 - ratio)), fileBytes: 4321, latencyMs: 0.5))
            }
        }
        for k in 0...2 {
            records.append(ResultRecord(kind: .prune, model: "student", method: .pruning(.l1), ratio: 1 - pow(0.9, Double(k)), step: 0.1, steps: k,
                                        accuracy: 0.9 - 0.1 * Double(k), nonzero: Int(100 * pow(0.9, Double(k)))))
        }
        records.append(ResultRecord(kind: .bench, model: "teacher", method: .pruning(.channel), ratio: 0.5, variant: .channelRemoved,
                                    batch: 1, latencyMs: 1.25, latencyP90Ms: 1.5, imagesPerSecond: 800, speedup: 1.6))
        for bits in [4, 8] {
            records.append(ResultRecord(kind: .quantization, model: "teacher", method: .minMax, ratio: 0, bits: bits, perChannel: false,
                                        accuracy: bits == 8 ? 0.9 : 0.85, fileBytes: 4096, blobBytes: bits * 128))
        }
        return records
    }()

    private static func pow(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
}

import Foundation
