// Tolerance: compare float arrays against a reference with explicit absolute and relative
// limits, and report the largest difference (as llm.c's tests do).

import XCTest

/// Largest `|a - e|` and the index where it occurs.
public func maxAbsoluteDifference(_ actual: [Float], _ expected: [Float]) -> (value: Float, index: Int) {
    var worst: (Float, Int) = (0, 0)
    for i in 0..<min(actual.count, expected.count) {
        let d = abs(actual[i] - expected[i])
        if d > worst.0 || d.isNaN { worst = (d, i) }
    }
    return worst
}

/// Asserts `|a - e| <= atol + rtol * |e|` element-wise; on failure names the worst element.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element counts differ \(message)", file: file, line: line)
    var failures = 0
    var worst = (excess: Float(-1), index: 0)
    for i in 0..<min(actual.count, expected.count) {
        let limit = atol + rtol * abs(expected[i])
        let d = abs(actual[i] - expected[i])
        if !(d <= limit) {
            failures += 1
            if d - limit > worst.excess || d.isNaN { worst = (d - limit, i) }
        }
    }
    if failures > 0 {
        let i = worst.index
        XCTFail("\(failures) of \(expected.count) elements out of tolerance (rtol \(rtol), atol \(atol)); worst at \(i): \(actual[i]) vs \(expected[i]) \(message)",
                file: file, line: line)
    }
}
