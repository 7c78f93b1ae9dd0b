// GlobalAllowlist: what a GLOBAL / STACK_GLOBAL name may be (docs/FORMATS.md §2.3).
//
// The rule, in three tiers:
// 1. Refused outright, whatever the opcode: anything under os, posix, nt, sys, subprocess and
//    the other process/import/file modules below, every `builtins` name except plain types,
//    and dotted names that walk through such a module or a dunder attribute.
// 2. Known: containers, `_codecs.encode`, torch's tensor/parameter rebuild functions, storage
//    classes, dtypes, `torch.Size`, plus a short list of inert value types (torch.device, numpy
//    scalars/dtypes/arrays, pathlib paths, datetime values, complex, slice, range) whose REDUCE
//    only records its arguments. These are the only callables REDUCE accepts.
// 3. Tolerated as data: any other class (argparse.Namespace, a user's nn.Module subclass). It
//    may be instantiated with NEWOBJ and given state with BUILD, which only stores data; a
//    REDUCE of it is refused (`Unpickler+Calls.swift`). Nothing is ever imported or executed.

/// What Shears knows a global to be.
import NNCore

enum KnownGlobal: Equatable {
    case orderedDict, counter, defaultDict, set, frozenset, bytearray
    /// `_codecs.encode(str, 'latin1')`: how protocol 2 stores `bytes`.
    case codecsEncode
    case rebuildTensor, rebuildTensorV2, rebuildTensorV3
    case rebuildParameter, rebuildParameterWithState, rebuildFromTypeV2
    /// `torch.FloatStorage`, `torch.storage.UntypedStorage`, ...
    case storageType(ElementType)
    /// `torch.float32`, `torch.uint16`, ...
    case dtype(ElementType)
    /// `torch.Size(tuple)`: becomes the tuple.
    case torchSize
    /// A value type whose REDUCE becomes an `OpaqueInstance` holding its arguments.
    case inert
}

enum GlobalAllowlist {
    /// Resolves `module.name` for a pickle of `protocolVersion`, or throws a refusal.
    static func resolve(module rawModule: String, name: String, protocolVersion: Int) throws -> PickleGlobal {
        let module = protocolVersion < 3 ? (python2Modules[rawModule] ?? rawModule) : rawModule
        let qualified = "\(module).\(name)"
        let components = module.split(separator: ".").map(String.init) + name.split(separator: ".").map(String.init)
        let walksThroughDunder = name.contains(".") && components.contains { $0.hasPrefix("__") && $0.hasSuffix("__") }
        let isBuiltins = module == "builtins" || module == "__builtin__"
        if walksThroughDunder || (isBuiltins ? !safeBuiltins.contains(name) : components.contains(where: refusedModules.contains)) {
            throw PickleFailure(.refused, "refusing to load global '\(qualified)' (only tensors, containers and plain data are loaded)")
        }
        return PickleGlobal(module: module, name: name, known: known(module: module, name: name))
    }

    private static func known(module: String, name: String) -> KnownGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("collections", "Counter"): return .counter
        case ("collections", "defaultdict"): return .defaultDict
        case ("builtins", "set"): return .set
        case ("builtins", "frozenset"): return .frozenset
        case ("builtins", "bytearray"): return .bytearray
        case ("_codecs", "encode"): return .codecsEncode
        case ("torch._utils", "_rebuild_tensor"): return .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor_v3"): return .rebuildTensorV3
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameterWithState
        case ("torch._tensor", "_rebuild_from_type_v2"): return .rebuildFromTypeV2
        case ("torch", "Size"): return .torchSize
        case ("torch.storage", "UntypedStorage"), ("torch", "UntypedStorage"):
            return .storageType(ElementType(name: "uint8", byteCount: 1, dtype: .uint8))
        case ("torch", _), ("torch.cuda", _):
            if name.hasSuffix("Storage"), let element = storageElements[String(name.dropLast("Storage".count))] {
                return .storageType(element)
            }
            if module == "torch", let element = dtypes[name] { return .dtype(element) }
            return name == "device" && module == "torch" ? .inert : nil
        default:
            return inertValueTypes.contains("\(module).\(name)") ? .inert : nil
        }
    }

    /// `_compat_pickle` names that Python 3 writes in protocol 2 pickles.
    private static let python2Modules = ["__builtin__": "builtins", "copy_reg": "copyreg"]

    /// Module path components that are never loaded, even as data.
    private static let refusedModules: Set<String> = [
        "os", "posix", "nt", "sys", "subprocess", "_posixsubprocess", "shutil", "socket", "importlib",
        "runpy", "pickle", "_pickle", "marshal", "ctypes", "pty", "webbrowser", "multiprocessing",
        "signal", "commands", "popen2", "builtins", "__builtin__",
    ]

    /// The `builtins` names tolerated (types only; never eval, exec, getattr, __import__, open, ...).
    private static let safeBuiltins: Set<String> = [
        "object", "list", "dict", "tuple", "set", "frozenset", "bytearray", "bytes", "str", "int",
        "float", "complex", "bool", "slice", "range",
    ]

    /// Value types whose REDUCE is tolerated: the result records the arguments and nothing runs.
    private static let inertValueTypes: Set<String> = [
        "builtins.complex", "builtins.slice", "builtins.range",
        "numpy.dtype", "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath",
        "pathlib.PurePath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
        "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
    ]

    /// `torch.<Prefix>Storage` element types (torch/storage.py `_dtype_to_storage_type_map`).
    private static let storageElements: [String: ElementType] = [
        "Float": ElementType(name: "float32", byteCount: 4, dtype: .float32),
        "Double": ElementType(name: "float64", byteCount: 8, dtype: .float64),
        "Half": ElementType(name: "float16", byteCount: 2, dtype: .float16),
        "BFloat16": ElementType(name: "bfloat16", byteCount: 2, dtype: .bfloat16),
        "Long": ElementType(name: "int64", byteCount: 8, dtype: .int64),
        "Int": ElementType(name: "int32", byteCount: 4, dtype: .int32),
        "Short": ElementType(name: "int16", byteCount: 2, dtype: .int16),
        "Char": ElementType(name: "int8", byteCount: 1, dtype: .int8),
        "Byte": ElementType(name: "uint8", byteCount: 1, dtype: .uint8),
        "Bool": ElementType(name: "bool", byteCount: 1, dtype: .bool),
        "ComplexFloat": ElementType(name: "complex64", byteCount: 8, dtype: nil),
        "ComplexDouble": ElementType(name: "complex128", byteCount: 16, dtype: nil),
        "QInt8": ElementType(name: "qint8", byteCount: 1, dtype: nil),
        "QUInt8": ElementType(name: "quint8", byteCount: 1, dtype: nil),
        "QUInt4x2": ElementType(name: "quint4x2", byteCount: 1, dtype: nil),
        "QUInt2x4": ElementType(name: "quint2x4", byteCount: 1, dtype: nil),
        "QInt32": ElementType(name: "qint32", byteCount: 4, dtype: nil),
    ]

    /// `torch.<dtype>` objects by their pickled (canonical) name.
    private static let dtypes: [String: ElementType] = {
        var table: [String: ElementType] = [:]
        for element in storageElements.values { table[element.name] = element }
        let extra: [(String, Int)] = [
            ("uint16", 2), ("uint32", 4), ("uint64", 8), ("complex32", 4), ("float8_e4m3fn", 1),
            ("float8_e5m2", 1), ("float8_e4m3fnuz", 1), ("float8_e5m2fnuz", 1), ("float8_e8m0fnu", 1),
            ("float4_e2m1fn_x2", 1),
        ]
        for (name, size) in extra { table[name] = ElementType(name: name, byteCount: size, dtype: nil) }
        return table
    }()
}
