// HostilePickles: pickles that are small on disk and huge when walked naively, because the
// memo lets one container appear in many places. Written byte by byte (protocol 2 opcodes,
// pickletools' names) for the unpickler and checkpoint tests and the CLI's bad-input table.

public enum HostilePickles {
    /// `PROTO 2`, `ops`, `STOP`.
    public static func pickle(_ ops: [UInt8]) -> [UInt8] { [0x80, 2] + ops + [0x2E] }

    /// Opcodes leaving on the stack a list holding the level below `width` times, `depth`
    /// levels above None, each level one memoized object: `width^depth` values expanded.
    public static func sharedLists(depth: Int, width: Int = 2) -> [UInt8] {
        shared(depth: depth) { below in [emptyList, mark] + (0..<width).flatMap { _ in below } + [appends] }
    }

    /// The same with dicts `{"k0": below, "k1": below, …}`.
    public static func sharedDicts(depth: Int, width: Int = 2) -> [UInt8] {
        shared(depth: depth) { below in [emptyDict, mark] + (0..<width).flatMap { text("k\($0)") + below } + [setItems] }
    }

    /// None, then `depth` levels each made by `level(get of the level below)` and memoized.
    private static func shared(depth: Int, level: ([UInt8]) -> [UInt8]) -> [UInt8] {
        var ops = [none] + put(0)
        for index in 1...depth { ops += [pop] + level(get(index - 1)) + put(index) }
        return ops
    }

    /// Opcodes leaving on the stack a whole nn.Module whose `_modules` hold the module below
    /// under `width` names (`key(i)` pushes the i-th), `depth` levels: `width^depth` modules
    /// walked as `state_dict()` walks them.
    public static func sharedModules(depth: Int, width: Int = 2, key: (Int) -> [UInt8] = { text("m\($0)") }) -> [UInt8] {
        var ops = module(children: []) + put(0)
        for level in 1...depth {
            ops += [pop] + global("__main__", "Net") + [emptyTuple, newObj]
                + state(children: (0..<width).map { (key($0), get(level - 1)) }) + [build] + put(level)
        }
        return ops
    }

    /// Opcodes leaving on the stack a module whose `_modules` holds itself as `self`.
    public static func selfContainingModule() -> [UInt8] {
        global("__main__", "Net") + [emptyTuple, newObj] + put(0) + state(children: [(text("self"), get(0))]) + [build]
    }

    /// `__main__.Net()` given the state `{"_parameters": {}, "_modules": {children}}` (NEWOBJ + BUILD).
    public static func module(children: [(name: String, ops: [UInt8])]) -> [UInt8] {
        global("__main__", "Net") + [emptyTuple, newObj] + state(children: children.map { (text($0.name), $0.ops) }) + [build]
    }

    /// Opcodes leaving on the stack a state dict `{"w0": t, "w1": t, …}` of `count` float
    /// tensors, each `_rebuild_tensor_v2` of `size` and `stride` over the one storage '0' of
    /// `numel` floats; its persistent id has the legacy format's sixth field when `legacy`.
    public static func views(count: Int, numel: Int, size: [Int], stride: [Int], legacy: Bool = false) -> [UInt8] {
        let storage = [mark] + text("storage") + global("torch", "FloatStorage") + text("0") + text("cpu") + int(numel)
            + (legacy ? [none] : []) + [tuple, 0x51]
        let tensor = global("torch._utils", "_rebuild_tensor_v2") + [mark] + storage + int(0) + [mark] + size.flatMap(int) + [tuple, mark]
            + stride.flatMap(int) + [tuple, 0x89] + global("collections", "OrderedDict") + [emptyTuple, 0x52, tuple, 0x52]
        return [emptyDict] + (0..<count).flatMap { text("w\($0)") + tensor + [setItem] }
    }

    /// A legacy (`_use_new_zipfile_serialization=False`) checkpoint whose object pickle runs
    /// `ops` and whose one storage '0' holds `numel` zero floats.
    public static func legacyFile(_ ops: [UInt8], numel: Int) -> [UInt8] {
        let magic: [UInt8] = [0x8A, 10, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
        return pickle(magic) + pickle([0x4D, 0xE9, 0x03]) + pickle([emptyDict]) + pickle(ops)
            + pickle([emptyList] + text("0") + [0x61]) + le64(numel) + [UInt8](repeating: 0, count: 4 * numel)
    }

    /// BINUNICODE (any length).
    public static func longText(_ value: String) -> [UInt8] { [0x58] + le32(value.utf8.count) + Array(value.utf8) }
    /// SHORT_BINUNICODE.
    public static func text(_ value: String) -> [UInt8] { [0x8C, UInt8(value.utf8.count)] + Array(value.utf8) }
    /// GLOBAL `module.name`.
    public static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    /// LONG_BINPUT / LONG_BINGET of memo slot `index`.
    public static func put(_ index: Int) -> [UInt8] { [0x72] + le32(index) }
    public static func get(_ index: Int) -> [UInt8] { [0x6A] + le32(index) }

    public static let none: UInt8 = 0x4E, pop: UInt8 = 0x30, mark: UInt8 = 0x28, emptyList: UInt8 = 0x5D, appends: UInt8 = 0x65
    public static let emptyDict: UInt8 = 0x7D, setItem: UInt8 = 0x73, setItems: UInt8 = 0x75, emptyTuple: UInt8 = 0x29
    public static let newObj: UInt8 = 0x81, build: UInt8 = 0x62, tuple: UInt8 = 0x74

    /// INT in decimal text.
    public static func int(_ value: Int) -> [UInt8] { Array("I\(value)\n".utf8) }

    /// `{"_parameters": {}, "_modules": {key: child, …}}`, each child's key and value pushed by ops.
    private static func state(children: [(key: [UInt8], ops: [UInt8])]) -> [UInt8] {
        [emptyDict, mark] + text("_parameters") + [emptyDict] + text("_modules") + [emptyDict, mark]
            + children.flatMap { $0.key + $0.ops } + [setItems, setItems]
    }

    private static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    private static func le64(_ value: Int) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
