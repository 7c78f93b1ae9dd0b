import XCTest
@testable import NNTorchIO

final class GlobalAllowlistTests: XCTestCase {
    func testKnownGlobals() throws {
        let cases: [(String, String, KnownGlobal?)] = [
            ("collections", "OrderedDict", .orderedDict),
            ("torch._utils", "_rebuild_tensor_v2", .rebuildTensorV2),
            ("torch._utils", "_rebuild_parameter", .rebuildParameter),
            ("torch._tensor", "_rebuild_from_type_v2", .rebuildFromTypeV2),
            ("torch", "FloatStorage", .storageType(ElementType(name: "float32", byteCount: 4, dtype: .float32))),
            ("torch.cuda", "HalfStorage", .storageType(ElementType(name: "float16", byteCount: 2, dtype: .float16))),
            ("torch", "ComplexFloatStorage", .storageType(ElementType(name: "complex64", byteCount: 8, dtype: nil))),
            ("torch.storage", "UntypedStorage", .storageType(ElementType(name: "uint8", byteCount: 1, dtype: .uint8))),
            ("torch", "bfloat16", .dtype(ElementType(name: "bfloat16", byteCount: 2, dtype: .bfloat16))),
            ("torch", "uint16", .dtype(ElementType(name: "uint16", byteCount: 2, dtype: nil))),
            ("torch", "Size", .torchSize),
            ("torch", "device", .inert),
            ("_codecs", "encode", .codecsEncode),
            ("numpy._core.multiarray", "scalar", .inert),
            ("numpy", "dtype", .inert),
            // Tolerated as data only (NEWOBJ + BUILD), never callable.
            ("argparse", "Namespace", nil),
            ("__main__", "TinyNet", nil),
            ("torch.nn.modules.conv", "Conv2d", nil),
            ("torch.nn.parameter", "Parameter", nil),
            ("builtins", "object", nil),
        ]
        for (module, name, known) in cases {
            let global = try GlobalAllowlist.resolve(module: module, name: name, protocolVersion: 4)
            XCTAssertEqual(global.known, known, "\(module).\(name)")
            XCTAssertEqual(global.qualifiedName, "\(module).\(name)")
        }
    }

    func testPython2NamesAreMappedOnlyBelowProtocol3() throws {
        XCTAssertEqual(try GlobalAllowlist.resolve(module: "__builtin__", name: "set", protocolVersion: 2).known, .set)
        XCTAssertEqual(try GlobalAllowlist.resolve(module: "copy_reg", name: "_reconstructor", protocolVersion: 2).module, "copyreg")
        XCTAssertEqual(try GlobalAllowlist.resolve(module: "copy_reg", name: "_reconstructor", protocolVersion: 4).module, "copy_reg")
        XCTAssertNil(try GlobalAllowlist.resolve(module: "copy_reg", name: "_reconstructor", protocolVersion: 2).known)
    }

    func testRefusals() {
        let refused = [("posix", "system"), ("os", "system"), ("nt", "system"), ("sys", "exit"), ("subprocess", "run"),
                       ("builtins", "eval"), ("builtins", "exec"), ("builtins", "getattr"), ("builtins", "__import__"),
                       ("builtins", "open"), ("__builtin__", "eval"), ("shutil", "rmtree"), ("importlib", "import_module"),
                       ("os.path", "join"), ("torch", "serialization.os.system"), ("numpy", "sys.exit"),
                       ("mymodule", "Thing.__init__.__globals__")]
        for (module, name) in refused {
            for version in [2, 4] {
                XCTAssertThrowsError(try GlobalAllowlist.resolve(module: module, name: name, protocolVersion: version), "\(module).\(name)") { error in
                    guard let failure = error as? PickleFailure, failure.kind == .refused else { return XCTFail("\(error)") }
                    XCTAssertTrue(failure.reason.hasPrefix("refusing to load global '"), failure.reason)
                }
            }
        }
    }
}
