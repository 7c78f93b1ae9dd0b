// BatchNormRecalibration: re-estimates every BatchNorm's running statistics from images,
// forward only, as torch's adaptive-BN recipe does after channel removal (the statistics of
// the removed channels' neighbours no longer hold): `reset_running_stats()`, momentum None,
// `model.train()`, forward the images in batches under no_grad. Per batch, BatchNorms in
// graph order normalise with that batch's statistics (mean, biased variance), which is what
// the layers after them see; the running statistics become the average over batches of
//   mean[c] = Σ x / n   and   var[c] = Σ (x − mean)² / (n − 1)   (unbiased),
// over the batch's images and positions. Each BatchNorm's input comes from running the
// model up to it, with the BatchNorms before it set to the batch's statistics.

import NNCore
import NNEngine
import NNVision

/// Forward-only re-estimation of BatchNorm statistics.
public enum BatchNormRecalibration {
    /// `model` with every BatchNorm's running_mean and running_var re-estimated on `images`.
    public static func recalibrate(_ model: Model, on images: DecodedImages, batch: Int = 64) throws -> Model {
        let input = [3, images.preprocessing.crop, images.preprocessing.crop]
        let batchNorms = model.graph.nodes.indices.filter { if case .batchNorm = model.graph.nodes[$0].op { return true } else { return false } }
        var means = [String: [Double]](), variances = [String: [Double]](), batches = 0
        for chunk in try images.batches(size: max(1, min(batch, images.count))) {
            var current = model
            for b in batchNorms {
                let node = model.graph.nodes[b], source = node.inputs[0]
                let prefix = Model(architecture: model.architecture, graph: Graph(nodes: Array(model.graph.nodes[0...source])),
                                   stateDict: current.stateDict)
                let executor = try Executor(model: prefix, input: input, maxBatch: chunk.labels.count)
                let shape = executor.outputShape
                guard shape.count == 3 else { throw NNError.shapeMismatch(node: node.name, reason: "BatchNorm input is not a feature map: \(shape)") }
                let (channels, plane) = (shape[0], shape[1] * shape[2])
                let output = try executor.run(chunk.images).scalars
                let n = chunk.labels.count * plane
                guard n > 1 else { throw NNError.invalidArgument(name: "recalibration images", reason: "need at least two values per channel") }
                var mean = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
                for s in 0..<chunk.labels.count {
                    for c in 0..<channels {
                        let base = (s * channels + c) * plane
                        for p in 0..<plane { let v = Double(output[base + p]); mean[c] += v; squares[c] += v * v }
                    }
                }
                for c in 0..<channels { mean[c] /= Double(n) }
                let centered = (0..<channels).map { max(0, squares[$0] - Double(n) * mean[$0] * mean[$0]) }
                // This batch normalises with its biased variance; the running average takes the unbiased one.
                current.stateDict.setTensor("\(node.name).running_mean", Tensor(shape: [channels], scalars: mean.map { Float($0) }))
                current.stateDict.setTensor("\(node.name).running_var", Tensor(shape: [channels], scalars: centered.map { Float($0 / Double(n)) }))
                var meanSum = means[node.name] ?? Array(repeating: 0, count: channels)
                var varianceSum = variances[node.name] ?? Array(repeating: 0, count: channels)
                for c in 0..<channels { meanSum[c] += mean[c]; varianceSum[c] += centered[c] / Double(n - 1) }
                (means[node.name], variances[node.name]) = (meanSum, varianceSum)
            }
            batches += 1
        }
        var result = model
        for b in batchNorms {
            let name = model.graph.nodes[b].name
            guard let mean = means[name], let variance = variances[name] else { continue }
            result.stateDict.setTensor("\(name).running_mean", Tensor(shape: [mean.count], scalars: mean.map { Float($0 / Double(batches)) }))
            result.stateDict.setTensor("\(name).running_var", Tensor(shape: [variance.count], scalars: variance.map { Float($0 / Double(batches)) }))
        }
        return result
    }
}
