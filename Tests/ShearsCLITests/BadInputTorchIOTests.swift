import Foundation
import XCTest
import TestSupport

/// The NNTorchIO readers' bounds through the CLI (BadInputCases+TorchIO.swift): each case
/// exits 1 within the time and memory limits with one line naming the file and the problem.
final class BadInputTorchIOTests: XCTestCase {
    func testHostileModuleTexts() throws {
        try assertRefused(BadInputCase.hostileModuleTexts)
    }

    func testSharedReferences() throws {
        try assertRefused(BadInputCase.sharedReferences)
    }

    func testExpandingCheckpoints() throws {
        try assertRefused(BadInputCase.expandingCheckpoints)
    }

    func testOddZips() throws {
        try assertRefused(BadInputCase.oddZips)
    }

    func testNonRegularFiles() throws {
        try assertRefused(BadInputCase.nonRegularFiles)
    }
}
