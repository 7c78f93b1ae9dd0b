// Tests for Pruner and its schedules on the student fixture: weights equal the masked
// weights, records count them, iterative steps compose like torch's repeated calls.

import NN
@testable import Prune
import TestSupport
import XCTest

final class PrunerTests: XCTestCase {
    func student() throws -> Model {
        try ArchitectureCatalog.build(SafetensorsReader.read(path: Fixtures.path("prune/student.safetensors")), architecture: "student")
    }

    func zeros(_ t: Tensor?) -> Int { t?.scalars.filter { $0 == 0 }.count ?? -1 }

    func testL1OneShotMasksEveryConvAndLinear() throws {
        let model = try student()
        let (pruned, record) = try Pruner.prune(model, method: .l1, amount: .fraction(0.35))
        XCTAssertEqual(record.layers.count, 10)  // conv1, 4 × (dw, pw), fc
        for layer in record.layers {
            let weight = try XCTUnwrap(model.stateDict.tensor(layer.name))
            let mask = try UnstructuredMask.l1(weight: weight, amount: .fraction(0.35))
            XCTAssertEqual(record.masks[layer.name], mask)
            XCTAssertEqual(pruned.stateDict.tensor(layer.name)?.scalars, zip(weight.scalars, mask.scalars).map(*))
            XCTAssertEqual(layer.zeros, Int((0.35 * Double(layer.total)).rounded(.toNearestOrEven)))
        }
        XCTAssertEqual(record.parameters, try ModelStatistics(model: pruned, input: [3, 32, 32]).parameters)
        XCTAssertEqual(record.nonzero, try ModelStatistics(model: pruned, input: [3, 32, 32]).nonzero)
    }

    func testIterativeScheduleTakesFractionOfWhatRemains() throws {
        let model = try student()
        var steps: [(Model, PruneRecord)] = []
        try Pruner.run(model, method: .l1, schedule: .iterative(step: .fraction(0.2), steps: 3),
                       selection: LayerSelection(include: ["fc"])) { steps.append(($1, $2)) }
        XCTAssertEqual(steps.count, 3)
        let total = 11 * 20
        var remaining = total
        for (model, record) in steps {
            remaining -= Int((0.2 * Double(remaining)).rounded(.toNearestOrEven))
            XCTAssertEqual(zeros(model.stateDict.tensor("fc.weight")), total - remaining)
            XCTAssertEqual(record.layers.map(\.name), ["fc.weight"])
        }
        var mask: Tensor?
        for _ in 0..<3 { mask = try UnstructuredMask.l1(weight: model.stateDict.tensor("fc.weight")!, amount: .fraction(0.2), existing: mask) }
        XCTAssertEqual(steps.last?.1.masks["fc.weight"], mask)
    }

    func testGlobalLnRandomAndChannel() throws {
        let model = try student()
        let (_, global) = try Pruner.prune(model, method: .globalL1, amount: .fraction(0.5))
        let totals = global.layers.reduce((0, 0)) { ($0.0 + $1.total, $0.1 + $1.zeros) }
        XCTAssertEqual(totals.1, Int((0.5 * Double(totals.0)).rounded(.toNearestOrEven)))
        XCTAssertNotEqual(Set(global.layers.map(\.sparsity)).count, 1)

        let (lnModel, ln) = try Pruner.prune(model, method: .ln(n: 2), amount: .fraction(0.5))
        XCTAssertFalse(ln.layers.contains { $0.name == "fc.weight" })
        let w = try XCTUnwrap(lnModel.stateDict.tensor("layer3.3.weight"))  // [32, 24, 1, 1]: 16 filters zeroed
        XCTAssertEqual((0..<32).filter { c in w.scalars[(c * 24)..<((c + 1) * 24)].allSatisfy { $0 == 0 } }.count, 16)

        let (a, _) = try Pruner.prune(model, method: .random, amount: .fraction(0.3), seed: 9)
        let (b, _) = try Pruner.prune(model, method: .random, amount: .fraction(0.3), seed: 9)
        XCTAssertEqual(a, b)

        let (channels, record) = try Pruner.prune(model, method: .channel, amount: .fraction(0.5))
        XCTAssertEqual(record.channelGroups.count, 5)
        XCTAssertLessThan(record.parameters, try ModelStatistics(model: model, input: [3, 32, 32]).parameters)
        XCTAssertEqual(channels.stateDict.tensor("fc.weight")?.shape, [11, 10])
        XCTAssertThrowsError(try Pruner.prune(model, method: .channel, amount: .count(3)))
    }

    func testOneShotScheduleCallsBodyOnce() throws {
        var calls: [Int] = []
        try Pruner.run(try student(), method: .l1, schedule: .oneShot(.count(5)), selection: LayerSelection(include: ["conv1"])) { step, model, record in
            calls.append(step)
            XCTAssertEqual(record.layers.first?.zeros, 5)
        }
        XCTAssertEqual(calls, [1])
    }
}
