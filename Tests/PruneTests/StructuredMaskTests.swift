// Tests for StructuredMask against masks written by torch.nn.utils.prune.ln_structured.

import NN
@testable import Prune
import TestSupport
import XCTest

final class StructuredMaskTests: XCTestCase {
    func testLnMasksEqualTorch() throws {
        let manifest = try MaskManifest.load()
        let cases = manifest.cases.filter { $0.kind == "ln" }
        XCTAssertGreaterThan(cases.count, 5)
        for c in cases {
            var weight = try manifest.tensor(c.tensors[0])
            var mask: Tensor?
            for step in c.steps {
                mask = try StructuredMask.ln(weight: weight, amount: step.amount, n: step.n ?? 1, dim: step.dim ?? 0, existing: mask)
                weight.scalars = zip(weight.scalars, mask!.scalars).map(*)
            }
            XCTAssertEqual(mask?.scalars, try manifest.mask(c.masks[0]), c.name)
        }
    }

    func testRejectsVectorsAndBadDims() {
        XCTAssertThrowsError(try StructuredMask.ln(weight: Tensor(shape: [4], repeating: 1), amount: .fraction(0.5), n: 1, dim: 0))
        XCTAssertThrowsError(try StructuredMask.ln(weight: Tensor(shape: [4, 2], repeating: 1), amount: .fraction(0.5), n: 1, dim: 2))
    }
}
