// Chart+Builders: the report's charts from result records. Each returns nil when the
// records hold nothing for it.

import Prune

extension Chart {
    private static func label(_ r: ResultRecord) -> String { r.model }

    /// A pruning record's series: "model, method" and, for a fine-tuned or distilled point, its
    /// recipe in parentheses, so each recovered series lies beside its unrecovered one.
    private static func series(_ r: ResultRecord, _ detail: String? = nil) -> String {
        "\(r.model), \(r.method)" + (detail.map { ", \($0)" } ?? "") + (r.fineTuning.map { " (\($0.summary))" } ?? "")
    }

    /// Accuracy against one-shot pruning ratio, one line per model and method (the homework
    /// figure), a recovered series ("+bn-recal", "+ft", "+kd") its own line.
    public static func accuracyVersusRatio(_ records: [ResultRecord]) -> Chart? {
        let points = records.filter { $0.kind == .prune && $0.step == nil && $0.accuracy != nil }
        let series = grouped(points, by: { Self.series($0) }).map { title, rs in
            Series(title: title, points: rs.sorted { $0.ratio < $1.ratio }.map { ($0.ratio, $0.accuracy!) })
        }
        return series.isEmpty ? nil : Chart(name: "accuracy-vs-ratio", title: "Validation accuracy after one-shot pruning",
                                             xLabel: "pruning ratio (fraction of weights or channels removed)",
                                             yLabel: "top-1 accuracy", series: series, yRange: 0...1)
    }

    /// Accuracy against remaining (nonzero) parameters for iterative schedules, one line per
    /// model, method and step rate (fine-tuned between rounds: "+ft", "+kd", its own line).
    public static func accuracyVersusParameters(_ records: [ResultRecord]) -> Chart? {
        let points = records.filter { $0.kind == .prune && $0.step != nil && $0.accuracy != nil && $0.nonzero != nil }
        let series = grouped(points, by: { Self.series($0, "\(number(($0.step! * 100).rounded()))% per step") }).map { title, rs in
            Series(title: title, points: rs.sorted { $0.nonzero! > $1.nonzero! }.map { (Double($0.nonzero!), $0.accuracy!) })
        }
        return series.isEmpty ? nil : Chart(name: "accuracy-vs-parameters", title: "Iterative pruning: accuracy against remaining parameters",
                                             xLabel: "remaining nonzero parameters", yLabel: "top-1 accuracy",
                                             series: series, logX: true, yRange: 0...1)
    }

    /// Bench speed-up over dense against pruning ratio, one line per model, variant and batch
    /// (channel removal: and channel ranking, "channel-removed by bn-scale" beside the L1
    /// "channel-removed").
    public static func speedupVersusRatio(_ records: [ResultRecord]) -> Chart? {
        // Each variant's line starts at the dense model (ratio 0, speed-up 1).
        let points = records.filter { $0.kind == .bench && $0.speedup != nil && $0.variant != .dense }
        func variant(_ r: ResultRecord) -> String {
            let name = r.variant?.rawValue ?? r.method.description
            guard let importance = r.method.pruningMethod?.channelImportance, importance != .l1 else { return name }
            return "\(name) by \(importance)"
        }
        let series = grouped(points, by: { "\($0.model), \(variant($0)), batch \($0.batch ?? 1)" }).map { title, rs in
            Series(title: title, points: [(0, 1)] + rs.sorted { $0.ratio < $1.ratio }.map { ($0.ratio, $0.speedup!) })
        }
        return series.isEmpty ? nil : Chart(name: "speedup-vs-ratio", title: "Inference speed-up over the dense model",
                                             xLabel: "pruning ratio", yLabel: "speed-up (dense latency / variant latency)", series: series)
    }

    /// Accuracy (left axis) and blob size in KB (right axis) against bits, per model.
    public static func quantization(_ records: [ResultRecord]) -> Chart? {
        let points = records.filter { $0.kind == .quantization && $0.bits != nil && $0.ratio == 0 }
        var series: [Series] = []
        for (model, rs) in grouped(points, by: label) {
            let sorted = rs.sorted { $0.bits! < $1.bits! }
            series.append(Series(title: "\(model) accuracy", points: sorted.compactMap { r in r.accuracy.map { (Double(r.bits!), $0) } }))
            series.append(Series(title: "\(model) blob size", points: sorted.compactMap { r in r.blobBytes.map { (Double(r.bits!), Double($0) / 1024) } },
                                 secondAxis: true))
        }
        return series.isEmpty ? nil : Chart(name: "quantization", title: "Min-max quantization: accuracy and size against bits",
                                             xLabel: "bits per weight", yLabel: "top-1 accuracy", y2Label: "blob size (KB)", series: series)
    }

    /// Accuracy against ratio with one layer pruned at a time; at most 12 layers, most sensitive first.
    public static func sensitivity(_ records: [ResultRecord]) -> Chart? {
        let points = records.filter { $0.kind == .sensitivity && $0.accuracy != nil && $0.layer != nil }
        let byLayer = grouped(points, by: { "\($0.model) \($0.layer!)" })
        let ranked = byLayer.sorted { ($0.1.map { $0.accuracy! }.min() ?? 0) < ($1.1.map { $0.accuracy! }.min() ?? 0) }.prefix(12)
        let series = ranked.map { title, rs in Series(title: title, points: rs.sorted { $0.ratio < $1.ratio }.map { ($0.ratio, $0.accuracy!) }) }
        let methods = Set(points.map(\.method.description)).sorted().joined(separator: ", ")
        return series.isEmpty ? nil : Chart(name: "sensitivity", title: "Sensitivity: each layer pruned alone (\(methods))",
                                             xLabel: "pruning ratio of the layer", yLabel: "top-1 accuracy", series: series, yRange: 0...1)
    }

    /// Time per plan step as horizontal bars, one chart per model and batch size: the `top`
    /// slowest steps, slowest at the top, each labelled with its layer and kernel. Named
    /// "profile-<model>-b<batch>".
    public static func profiles(_ records: [ResultRecord], top: Int = 20) -> [Chart] {
        let steps = records.filter { $0.kind == .profile && $0.layer != nil && $0.latencyMs != nil }
        return grouped(steps, by: { "\($0.model)\u{0}\($0.batch ?? 1)" }).map { _, rs in
            let slowest = rs.sorted { $0.latencyMs! > $1.latencyMs! }.prefix(top)
            let labels = slowest.map { r in shortened("\(r.layer!) (\(r.kernel ?? r.op ?? "?"))") }
            let (model, batch) = (rs[0].model, rs[0].batch ?? 1)
            return Chart(name: "profile-\(model)-b\(batch)",
                         title: "Time per layer: \(model), batch \(batch) (\(slowest.count < rs.count ? "the \(slowest.count) slowest of" : "all") \(rs.count) steps)",
                         xLabel: "milliseconds per batch (median)", yLabel: "",
                         series: [Series(title: model, points: slowest.enumerated().map { (Double($1.latencyMs!), Double($0)) })],
                         style: .horizontalBars(labels: labels))
        }
    }

    /// `label` cut to its last 40 characters after an ellipsis when longer (ONNX node names
    /// carry their whole module path; the end says which layer).
    private static func shortened(_ label: String) -> String {
        label.count > 41 ? "…" + label.suffix(40) : label
    }

    /// Every chart the records support.
    public static func all(_ records: [ResultRecord]) -> [Chart] {
        [accuracyVersusRatio(records), accuracyVersusParameters(records), speedupVersusRatio(records),
         quantization(records), sensitivity(records)].compactMap { $0 } + profiles(records)
    }

    /// Records grouped by `key`, groups in order of first appearance.
    private static func grouped(_ records: [ResultRecord], by key: (ResultRecord) -> String) -> [(String, [ResultRecord])] {
        var order: [String] = []
        var groups: [String: [ResultRecord]] = [:]
        for r in records {
            let k = key(r)
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }
}
