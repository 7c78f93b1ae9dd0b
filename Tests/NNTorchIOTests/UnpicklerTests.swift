import XCTest
import TestSupport
@testable import NNCore
@testable import NNTorchIO

final class UnpicklerTests: XCTestCase {
    /// `{'a': [1, -7, 2.5, 'xé€', b'y', None, True, False, (1, 2)], 'big': 2**50, 'neg': -2**40, 'nested': {'k': (3,)}}`
    static let pythonValue: PickleValue = .dict([
        ("a", .list([.int(1), .int(-7), .float(2.5), .string("xé€"), .bytes([0x79]), .none, .bool(true), .bool(false), .tuple([.int(1), .int(2)])])),
        ("big", .int(1 << 50)), ("neg", .int(-(1 << 40))), ("nested", .dict([("k", .tuple([.int(3)]))])),
    ])

    func testReadsPythonPicklesOfProtocols0_1_5() throws {
        // `pickle.dumps(pythonValue, protocol=p).hex()` from CPython 3.11.
        let pickles = [
            "286470300a56610a70310a286c70320a49310a61492d370a6146322e350a615678e95c75323061630a70330a61635f636f646563730a656e636f64650a70340a2856790a70350a566c6174696e310a70360a7470370a5270380a614e614930310a614930300a612849310a49320a7470390a6173566269670a7031300a4c313132353839393930363834323632344c0a73566e65670a7031310a4c2d313039393531313632373737364c0a73566e65737465640a7031320a28647031330a566b0a7031340a2849330a747031350a73732e",
            "7d71002858010000006171015d7102284b014af9ffffff474004000000000000580600000078c3a9e282ac7103635f636f646563730a656e636f64650a710428580100000079710558060000006c6174696e3171067471075271084e4930310a4930300a284b014b02747109655803000000626967710a4c313132353839393930363834323632344c0a58030000006e6567710b4c2d313039393531313632373737364c0a58060000006e6573746564710c7d710d58010000006b710e284b0374710f73752e",
            "80059564000000000000007d94288c0161945d94284b014af9ffffff4740040000000000008c0678c3a9e282ac94430179944e88894b014b028694658c03626967948a07000000000000048c036e6567948a060000000000ff8c066e6573746564947d948c016b944b03859473752e",
        ]
        for hex in pickles {
            XCTAssertEqual(try Unpickler.plainValue(Self.bytes(hex), path: "p.pkl"), Self.pythonValue)
        }
    }

    func testPlainValueRoundTripsPickleWriterInProtocols2And4() throws {
        let ints = [0, 1, 255, 256, 65535, 65536, -1, -256, Int(Int32.min), Int(Int32.max), 1 << 31, -(1 << 31) - 1, Int.max, Int.min]
        let value: PickleValue = .dict([
            ("ints", .list(ints.map { .int($0) })),
            ("floats", .tuple([.float(0.1), .float(-0.0), .float(.infinity), .float(1e-300)])),
            ("tuples", .list((0...5).map { n in .tuple((0..<n).map { .int($0) }) })),
            ("bytes", .list([.bytes([]), .bytes([0, 255, 128]), .bytes((0..<300).map { UInt8($0 % 256) })])),
            ("text", .list([.string(""), .string("ünïcode ✓"), .string(String(repeating: "x", count: 300))])),
            ("misc", .list([.none, .bool(true), .bool(false), .dict([]), .list([])])),
        ])
        for version in [UInt8(2), 4] {
            var writer = PickleWriter(protocol: version)
            writer.write(value)
            XCTAssertEqual(try Unpickler.plainValue(writer.finish(), path: "p.pkl"), value, "protocol \(version)")
        }
    }

    func testLongIntegers() throws {
        XCTAssertEqual(try Self.plain("80028a00 2e"), .int(0))
        XCTAssertEqual(try Self.plain("80028a0800000000000000802e"), .int(Int.min))
        // A 10-byte sign-extended -2 still fits; 2**70 does not.
        XCTAssertEqual(try Self.plain("80028a0afeffffffffffffffffff2e"), .int(-2))
        var unpickler = Unpickler(Self.bytes("80028a09000000000000000040 2e"), path: "p.pkl", context: "pickle")
        let root = try unpickler.load()
        guard case .bigInt(let bytes) = unpickler.graph[root] else { return XCTFail("\(unpickler.graph[root])") }
        XCTAssertEqual(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0x40])
    }

    func testTextOpcodesOfProtocol0() throws {
        XCTAssertEqual(try Self.plain(Array("S'a\\x41\\n\\'q'\n.".utf8)), .string("aA\n'q"))
        XCTAssertEqual(try Self.plain(Array("Vx\\u20acy\n.".utf8)), .string("x€y"))
        XCTAssertEqual(try Self.plain(Array("F-1.25\n.".utf8)), .float(-1.25))
        XCTAssertEqual(try Self.plain(Array("(I5\nI00\nl.".utf8)), .list([.int(5), .bool(false)]))
    }

    func testDuplicateDictKeysKeepTheFirstPositionAndLastValue() throws {
        // {'a': 1, 'b': 2, 'a': 3} via SETITEMS
        XCTAssertEqual(try Self.plain("8002 7d 28 8c0161 4b01 8c0162 4b02 8c0161 4b03 75 2e"), .dict([("a", .int(3)), ("b", .int(2))]))
    }

    func testRejectedAndUnknownOpcodesNameByteAndOffset() {
        let cases: [(String, String)] = [
            ("8002 69", "opcode 0x69 ('i') at offset 2: refusing old-style instance creation"),
            ("8002 28 6f", "opcode 0x6F ('o') at offset 3: refusing old-style instance creation"),
            ("8002 8201", "opcode 0x82 at offset 2: copyreg extension codes"),
            ("8005 97", "opcode 0x97 at offset 2: out-of-band buffers"),
            ("8002 ff", "p.pkl: malformed: pickle: opcode 0xFF at offset 2: unknown opcode"),
            ("8006 4e2e", "pickle protocol 6"),
        ]
        for (hex, expected) in cases {
            XCTAssertThrowsError(try Self.plain(hex), hex) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
    }

    func testDangerousGlobalsAreRefusedWhateverTheOpcode() {
        let cases: [([UInt8], String)] = [
            (Self.global2("posix", "system"), "'posix.system'"),
            (Self.global2("os", "system"), "'os.system'"),
            (Self.global2("nt", "system"), "'nt.system'"),
            (Self.global2("subprocess", "Popen"), "'subprocess.Popen'"),
            (Self.global2("sys", "modules"), "'sys.modules'"),
            (Self.global2("__builtin__", "eval"), "'builtins.eval'"),
            (Self.global2("builtins", "exec"), "'builtins.exec'"),
            (Self.global2("builtins", "getattr"), "'builtins.getattr'"),
            (Self.global2("builtins", "__import__"), "'builtins.__import__'"),
            (Self.global2("os.path", "join"), "'os.path.join'"),
            (Self.stackGlobal("torch", "serialization.os.system"), "'torch.serialization.os.system'"),
            (Self.stackGlobal("__main__", "Net.__init__.__globals__"), "'__main__.Net.__init__.__globals__'"),
        ]
        for (bytes, name) in cases {
            XCTAssertThrowsError(try Unpickler.plainValue(bytes, path: "evil.pkl")) { error in
                guard case NNError.refused = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("refusing to load global \(name)"), "\(error)")
            }
        }
    }

    func testUnknownClassesAreDataButNeverCalled() throws {
        // NEWOBJ + BUILD of an unknown class: an inert instance holding its state {'x': 1}.
        let build = [0x80, 0x02] + Self.global("mymodule", "Thing") + [0x29, 0x81] + Self.bytes("7d 8c0178 4b01 73 62 2e")
        var unpickler = Unpickler(build, path: "p.pkl", context: "pickle")
        let root = try unpickler.load()
        guard case .instance(let instance) = unpickler.graph[root], let state = instance.state else { return XCTFail() }
        XCTAssertEqual(instance.type.qualifiedName, "mymodule.Thing")
        guard case .dict(let dict) = unpickler.graph[state] else { return XCTFail() }
        XCTAssertEqual(dict.value(forString: "x").flatMap(unpickler.graph.int), 1)
        // REDUCE of the same class is refused; so is plain-value reading of the instance.
        XCTAssertThrowsError(try Unpickler.plainValue([0x80, 0x02] + Self.global("mymodule", "Thing") + [0x29, 0x52, 0x2E], path: "p.pkl")) {
            XCTAssertTrue("\($0)".contains("refusing to call global 'mymodule.Thing'"), "\($0)")
        }
        XCTAssertThrowsError(try Unpickler.plainValue(build, path: "p.pkl")) {
            XCTAssertTrue("\($0)".contains("'mymodule.Thing' object is not plain data"), "\($0)")
        }
    }

    func testDeclaredLengthsBeyondTheFileAreRefusedBeforeAllocating() {
        for hex in ["8002 58ffffffff 61", "8004 8effffffffffffff7f 00", "8002 8bffffff7f 00", "8002 8bffffffff", "8002 54fffffffe 00", "8004 8c05 6162"] {
            XCTAssertThrowsError(try Self.plain(hex), hex) { error in
                guard case NNError.malformed = error else { return XCTFail("\(hex): \(error)") }
            }
        }
    }

    func testNestingIsBounded() {
        XCTAssertThrowsError(try Self.plain([0x80, 0x02] + [UInt8](repeating: 0x28, count: 1001))) {
            XCTAssertTrue("\($0)".contains("more than 1000 nested MARKs"), "\($0)")
        }
        // 100000 nested tuples: the machine is fine, the plain-value walk stops at its limit.
        let deep = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E]
        XCTAssertThrowsError(try Unpickler.plainValue(deep, path: "p.pkl")) { XCTAssertTrue("\($0)".contains("nested more than")) }
        // A list that contains itself.
        XCTAssertThrowsError(try Self.plain("8002 5d 7100 6800 61 2e")) { XCTAssertTrue("\($0)".contains("nested more than")) }
    }

    func testStackMemoAndPersistentErrors() {
        let cases = [("8002 52", "stack underflow"), ("8002 6805", "memo entry 5 was never stored"),
                     ("8002 74", "no MARK to pop to"), ("8002 8c0161 51", "persistent id"),
                     ("8002 4b01", "needs 1 bytes"), ("8002 8f 2e", "set is not plain data")]
        for (hex, expected) in cases {
            XCTAssertThrowsError(try Self.plain(hex), hex) { XCTAssertTrue("\($0)".contains(expected), "\(hex): \($0)") }
        }
    }

    // MARK: Helpers

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    static func plain(_ hex: String) throws -> PickleValue { try plain(bytes(hex)) }
    static func plain(_ bytes: [UInt8]) throws -> PickleValue { try Unpickler.plainValue(bytes, path: "p.pkl") }

    /// GLOBAL `module name`.
    static func global(_ module: String, _ name: String) -> [UInt8] {
        [0x63] + Array("\(module)\n\(name)\n".utf8)
    }

    /// `GLOBAL module name`, `EMPTY_TUPLE`, `REDUCE`, `STOP` in protocol 2.
    static func global2(_ module: String, _ name: String) -> [UInt8] {
        [0x80, 0x02] + global(module, name) + [0x29, 0x52, 0x2E]
    }

    /// The same through STACK_GLOBAL in protocol 4.
    static func stackGlobal(_ module: String, _ name: String) -> [UInt8] {
        func short(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
        return [0x80, 0x04] + short(module) + short(name) + [0x93, 0x29, 0x52, 0x2E]
    }

    func testSharedContainersAreConvertedOnceAndBounded() throws {
        let P = HostilePickles.self
        let start = Date()
        XCTAssertThrowsError(try Self.plain(P.pickle(P.sharedLists(depth: 40)))) {
            XCTAssertEqual("\($0)", "p.pkl: unsupported: pickle: shared containers expand to more than 16777216 values")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        let leaf: PickleValue = .list([.none, .none])
        XCTAssertEqual(try Self.plain(P.pickle(P.sharedLists(depth: 3))), .list([.list([leaf, leaf]), .list([leaf, leaf])]))
    }

    func testObjectsBuiltAreCheckedAgainstTheBudget() {
        // A 1000-entry dict copied by each of 10,000 `OrderedDict(d)` REDUCEs: 640 MB from 160 KB.
        let P = HostilePickles.self
        let dict = [P.emptyDict, P.mark] + (0..<1000).flatMap { [0x4D, UInt8($0 & 0xFF), UInt8($0 >> 8), P.none] } + [P.setItems]
            + P.put(0) + P.global("collections", "OrderedDict") + P.put(1)
        let copy = [P.pop] + P.get(1) + P.get(0) + [0x85, 0x52]
        let saved = MemoryBudget.limit
        defer { MemoryBudget.limit = saved }
        MemoryBudget.limit = 16 << 20
        XCTAssertThrowsError(try Self.plain(P.pickle(dict + Array(repeating: copy, count: 10_000).joined()))) {
            XCTAssertTrue("\($0)".hasPrefix("p.pkl: the objects pickle builds (at offset "), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("over the memory limit of 16.0 MB (raise MemoryBudget.limit)"), "\($0)")
        }
    }
}
