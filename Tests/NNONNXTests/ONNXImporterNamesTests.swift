import XCTest
@testable import NNONNX

/// ONNXImporter+Names: TorchScript-exporter node names give PyTorch module paths, children
/// named relative to their module joined onto it. (Parameter names and name-scope metadata:
/// ONNXImporterTests.testLayerNamesAreModulePaths.)
final class ONNXImporterNamesTests: XCTestCase {
    func testScopePathsJoinNestedModules() {
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/layer1/layer1.0/conv1/Conv"), "layer1.0.conv1")
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/features/features.0/features.0.0/Conv"), "features.0.0")
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/Reshape"), "")
        // Inside a module, torch names its children relative to it.
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/features/features.1/features.1.0/block/block.0/block.0.0/Conv"), "features.1.0.block.0.0")
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/features/features.1/conv/conv.0/conv.0.2/Clip"), "features.1.conv.0.2")
        XCTAssertEqual(ONNXImporter.GraphTranslation.modulePath(nodeName: "/layer1/layer1.0/downsample/downsample.0/Conv"), "layer1.0.downsample.0")
    }
}
