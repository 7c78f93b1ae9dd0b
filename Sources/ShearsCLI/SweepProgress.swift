// SweepProgress: the CLI's side of measuring a sweep point: ShearsKit's SweepPoint measures
// and appends the record; this prints one progress line on stderr and, with --json, the
// record on stdout.

import Foundation
import ShearsKit

extension SweepPoint {
    /// Measures and appends `record` for `variant`, then reports it.
    func measureAndReport(_ record: ResultRecord, _ variant: Model, fileSize: Bool = true, json: Bool) throws {
        let record = try measure(record, variant, fileSize: fileSize)
        let label = [record.method.description, record.step.map { String(format: "step %.2f", $0) }, record.bits.map { "\($0) bits" }, record.layer]
            .compactMap { $0 }.joined(separator: " ")
        printError(String(format: "%@ %@ ratio %.3f: accuracy %.4f, nonzero %@", model, label, record.ratio,
                          record.accuracy ?? 0, grouped(record.nonzero ?? 0)))
        if json { print(try record.jsonLine()) }
    }
}
