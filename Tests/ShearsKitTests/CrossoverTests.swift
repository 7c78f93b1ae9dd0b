// CrossoverTests: the seeded sparse conv a crossover times (shape, density, reproducibility),
// the crossover rule and the per-kind minimum on given numbers, and the shape of a run's
// result on a tiny layer. Never asserts on a time.

import XCTest
import ShearsKit
import TestSupport

final class CrossoverTests: XCTestCase {
    let layer = Crossover.Layer(name: "tiny", kind: .direct, input: [16, 8, 8], outChannels: 32, kernel: 3, stride: 2)

    func testModelKeepsTheDensityOfItsWeightsAndIsSeeded() throws {
        var generator = SplitMix64(seed: 1)
        let model = Crossover.model(layer, density: 0.3, generator: &generator)
        let weight = try XCTUnwrap(model.stateDict.tensor("conv.weight"))
        XCTAssertEqual(weight.shape, [32, 16, 3, 3])
        let nonzero = Double(weight.scalars.filter { $0 != 0 }.count) / Double(weight.count)
        XCTAssertEqual(nonzero, 0.3, accuracy: 0.03)
        XCTAssertTrue(weight.scalars.allSatisfy { $0 >= -1 && $0 < 1 })
        var again = SplitMix64(seed: 1)
        XCTAssertEqual(Crossover.model(layer, density: 0.3, generator: &again).stateDict.tensor("conv.weight")?.scalars, weight.scalars)
        // Padding kernel / 2 and the stride: 8x8 in, 4x4 out.
        let executor = try Executor(model: model, input: layer.input, maxBatch: 1, threads: 1)
        XCTAssertEqual(try executor.run(Tensor(shape: [1, 16, 8, 8], scalars: [Float](repeating: 1, count: 1024))).shape, [1, 32, 4, 4])
    }

    func point(_ density: Double, dense: Double, sparse: Double) -> Crossover.Point {
        Crossover.Point(density: density, denseMilliseconds: dense, sparseMilliseconds: sparse)
    }

    func testCrossoverIsTheHighestDensityUpToWhichSparseWonEverywhere() {
        XCTAssertEqual(Crossover.density(of: [point(0.05, dense: 2, sparse: 1), point(0.1, dense: 2, sparse: 1.5),
                                              point(0.2, dense: 2, sparse: 2.5), point(0.3, dense: 2, sparse: 1.9)]), 0.1)
        XCTAssertEqual(Crossover.density(of: [point(0.1, dense: 2, sparse: 2), point(0.2, dense: 2, sparse: 1)]), 0, "a tie is a loss")
        XCTAssertEqual(Crossover.density(of: [point(0.1, dense: 2, sparse: 1), point(0.7, dense: 2, sparse: 1.9)]), 0.7)
        XCTAssertEqual(Crossover.density(of: []), 0)
    }

    func testKindTakesTheLowestOfItsLayersBesideShearsSwitch() {
        func result(_ kind: SparseCrossover.Kind, _ crossover: Double) -> Crossover.LayerResult {
            Crossover.LayerResult(layer: Crossover.Layer(name: "\(kind)", kind: kind, input: [1, 1, 1], outChannels: 1, kernel: 1, stride: 1),
                                  points: [], crossover: crossover)
        }
        let kinds = Crossover.kinds(of: [result(.direct, 0.5), result(.winograd, 0.3), result(.winograd, 0.2)])
        XCTAssertEqual(kinds.map(\.kind), [.winograd, .direct])
        XCTAssertEqual(kinds.map(\.crossover), [0.2, 0.5])
        XCTAssertEqual(kinds.map(\.shearsSwitch), [SparseCrossover.density(.winograd), SparseCrossover.density(.direct)])
    }

    func testRunGivesEachLayerItsPointsInAscendingDensity() throws {
        var streamed: [String] = []
        let result = try Crossover(layers: [layer], densities: [0.5, 0.1], batch: 1, iterations: 1).run { streamed.append($0.layer.name) }
        XCTAssertEqual(streamed, ["tiny"])
        XCTAssertEqual(result.layers.map { $0.points.map(\.density) }, [[0.1, 0.5]])
        XCTAssertEqual(result.layers[0].crossover, Crossover.density(of: result.layers[0].points))
        XCTAssertEqual(result.kinds.map(\.kind), [.direct])
        XCTAssertEqual(Crossover.standardLayers.count, 6)
    }
}
