import Foundation
import XCTest
import TestSupport

/// Bad ONNX models through the CLI (`BadInputCases+ONNX.swift`): attributes that would send a
/// kernel outside its buffers, sizes that overflow or exceed the memory budget, and external
/// data outside the model's folder or not a regular file. Each is refused in one line, exit 1,
/// under `ulimit -v 3 GiB` and 30 s, leaving nothing behind.
final class BadInputONNXTests: XCTestCase {
    func testBadAttributesAreRefusedAtImport() throws {
        try assertRefused(BadInputCase.onnxAttributes)
    }

    func testSizesThatOverflowOrExceedTheBudgetAreRefused() throws {
        try assertRefused(BadInputCase.onnxSizes)
    }

    func testExternalDataOutsideTheFolderOrNotARegularFileIsRefused() throws {
        try assertRefused(BadInputCase.onnxExternalData)
    }

    func testEachClassHasItsCases() {
        XCTAssertGreaterThanOrEqual(BadInputCase.onnxAttributes.count, 8)
        XCTAssertGreaterThanOrEqual(BadInputCase.onnxSizes.count, 6)
        XCTAssertGreaterThanOrEqual(BadInputCase.onnxExternalData.count, 8)
    }
}
