// Tests for UnstructuredMask against masks written by torch.nn.utils.prune.

import NN
@testable import Prune
import TestSupport
import XCTest

final class UnstructuredMaskTests: XCTestCase {
    func testL1MasksEqualTorch() throws {
        let manifest = try MaskManifest.load()
        let cases = manifest.cases.filter { $0.kind == "l1" }
        XCTAssertGreaterThan(cases.count, 10)
        for c in cases {
            let weight = try manifest.tensor(c.tensors[0])
            var mask: Tensor?
            for step in c.steps { mask = try UnstructuredMask.l1(weight: weight, amount: step.amount, existing: mask) }
            XCTAssertEqual(mask?.scalars, try manifest.mask(c.masks[0]), c.name)
        }
    }

    func testGlobalL1MasksEqualTorch() throws {
        let manifest = try MaskManifest.load()
        for c in manifest.cases where c.kind == "global" {
            var weights = try c.tensors.map { try manifest.tensor($0) }
            var masks: [Tensor]?
            for step in c.steps {
                masks = try UnstructuredMask.globalL1(weights: weights, amount: step.amount, existing: masks)
                // torch's importance is the current (masked) weight
                weights = zip(weights, masks!).map { Tensor(shape: $0.shape, scalars: zip($0.scalars, $1.scalars).map(*)) }
            }
            for (i, file) in c.masks.enumerated() { XCTAssertEqual(masks?[i].scalars, try manifest.mask(file), "\(c.name)[\(i)]") }
        }
    }

    func testHalfToEvenCounts() throws {
        XCTAssertEqual(try PruningAmount.fraction(0.25).units(of: 10, name: "w"), 2)
        XCTAssertEqual(try PruningAmount.fraction(0.35).units(of: 10, name: "w"), 4)
        XCTAssertEqual(try PruningAmount.fraction(0.05).units(of: 10, name: "w"), 0)
        XCTAssertEqual(try PruningAmount.count(7).units(of: 10, name: "w"), 7)
    }

    func testInvalidAmountsThrow() {
        let w = Tensor(shape: [4], scalars: [1, 2, 3, 4])
        for amount in [PruningAmount.fraction(1.5), .fraction(-0.1), .fraction(.nan), .count(-1), .count(5)] {
            XCTAssertThrowsError(try UnstructuredMask.l1(weight: w, amount: amount)) { error in
                guard case PruneError.invalidAmount = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try UnstructuredMask.l1(weight: w, amount: .count(1), existing: Tensor(shape: [2, 2], repeating: 1)))
    }

    func testRandomIsSeededAndComposes() throws {
        let w = Tensor(shape: [100], scalars: (0..<100).map(Float.init))
        let a = try UnstructuredMask.random(weight: w, amount: .fraction(0.3), seed: 5)
        XCTAssertEqual(a, try UnstructuredMask.random(weight: w, amount: .fraction(0.3), seed: 5))
        XCTAssertEqual(a.scalars.filter { $0 == 0 }.count, 30)
        let b = try UnstructuredMask.random(weight: w, amount: .fraction(0.5), existing: a, seed: 6)
        XCTAssertEqual(b.scalars.filter { $0 == 0 }.count, 65)
        XCTAssertTrue(zip(a.scalars, b.scalars).allSatisfy { $0 >= $1 })
    }
}
