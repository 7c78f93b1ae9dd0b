// PointProgress: the CLI's side of a measured sweep or sensitivity point: one progress line
// on stderr and, with --json, the record on stdout.

import Foundation
import ShearsKit

/// Progress output of sweep and sensitivity runs.
enum PointProgress {
    /// Prints `record`'s progress line (model, method, step, bits, layer, ratio, accuracy,
    /// nonzero) on stderr, and the record as a JSON line on stdout when `json`.
    static func report(_ record: ResultRecord, json: Bool) throws {
        let label = [record.method.description, record.step.map { String(format: "step %.2f", $0) }, record.bits.map { "\($0) bits" }, record.layer]
            .compactMap { $0 }.joined(separator: " ")
        printError(String(format: "%@ %@ ratio %.3f: accuracy %.4f, nonzero %@", record.model, label, record.ratio,
                          record.accuracy ?? 0, grouped(record.nonzero ?? 0)))
        if json { print(try record.jsonLine()) }
    }
}
