// ExportedProgramSchema: the parts of torch.export's serialized ExportedProgram
// (torch/_export/serde/schema.py, written as JSON by serialize.py) that Shears reads, as
// Decodable types. Unions (`Argument`, `InputSpec`, `SymInt`) are JSON objects with one key
// naming the member; a member Shears does not read keeps its key as `kind`, so that a refusal
// can name it. Unknown fields are ignored; JSON nesting is bounded by the decoder (512 levels),
// and no type here is recursive.

/// The member name of a union object (any key).
private struct UnionKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }

    /// The one member of the union `what` that `decoder` holds, and the container to read it.
    static func member(of decoder: Decoder, _ what: String) throws -> (container: KeyedDecodingContainer<UnionKey>, key: UnionKey) {
        let container = try decoder.container(keyedBy: UnionKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(what) has one key, this one has \(container.allKeys.count)"))
        }
        return (container, key)
    }
}

/// `models/<name>.json`: the program.
struct SerializedProgram: Decodable {
    let graph_module: SerializedGraphModule
}

struct SerializedGraphModule: Decodable {
    let graph: SerializedGraph
    let signature: SerializedSignature
}

/// The FX graph: placeholders (`inputs`), nodes in execution order, outputs, and every
/// tensor value's metadata by name.
struct SerializedGraph: Decodable {
    let inputs: [SerializedArgument]
    let outputs: [SerializedArgument]
    let nodes: [SerializedNode]
    let tensor_values: [String: SerializedTensorMeta]
}

/// One call: `target` is the op (`torch.ops.aten.conv2d.default`), inputs by schema name
/// (arguments left at their defaults are omitted), one output per returned tensor.
struct SerializedNode: Decodable {
    let target: String
    let inputs: [SerializedNamedArgument]
    let outputs: [SerializedArgument]
    let metadata: [String: String]?
    let name: String?
}

struct SerializedNamedArgument: Decodable {
    let name: String
    let arg: SerializedArgument
}

/// A tensor named in the graph: `{"name": "conv2d"}`.
struct SerializedTensorName: Decodable {
    let name: String
}

/// A float as serialize.py writes it: a number, or "Infinity", "-Infinity", "NaN".
struct SerializedFloat: Decodable {
    let value: Double

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
            return
        }
        switch try container.decode(String.self) {
        case "Infinity": value = .infinity
        case "-Infinity": value = -.infinity
        case "NaN": value = .nan
        case let other:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(other.prefix(20))' is not a float")
        }
    }
}

/// `schema.Argument`: the members Shears reads; `kind` is the member's key whatever it is.
struct SerializedArgument: Decodable {
    let kind: String
    var tensor: SerializedTensorName?
    var tensors: [SerializedTensorName]?
    var int: Int?
    var ints: [Int]?
    var float: Double?
    var bool: Bool?
    var string: String?

    init(from decoder: Decoder) throws {
        let (container, key) = try UnionKey.member(of: decoder, "an argument")
        kind = key.stringValue
        switch kind {
        case "as_tensor": tensor = try container.decode(SerializedTensorName.self, forKey: key)
        case "as_tensors": tensors = try container.decode([SerializedTensorName].self, forKey: key)
        case "as_int": int = try container.decode(Int.self, forKey: key)
        case "as_ints": ints = try container.decode([Int].self, forKey: key)
        case "as_float": float = try container.decode(SerializedFloat.self, forKey: key).value
        case "as_bool": bool = try container.decode(Bool.self, forKey: key)
        case "as_string": string = try container.decode(String.self, forKey: key)
        default: break
        }
    }
}

/// `schema.SymInt`: a concrete size (`as_int`), or a symbolic one (`as_expr`, left nil).
struct SerializedSymInt: Decodable {
    let as_int: Int?
}

/// `schema.TensorMeta`: dtype (`schema.ScalarType` number), sizes, strides, storage offset.
struct SerializedTensorMeta: Decodable {
    let dtype: Int
    let sizes: [SerializedSymInt]
    let strides: [SerializedSymInt]
    let storage_offset: SerializedSymInt
}

/// The graph signature: what each placeholder is (a parameter, a buffer, a constant, the
/// user's input) and what the outputs are.
struct SerializedSignature: Decodable {
    let input_specs: [SerializedInputSpec]
    let output_specs: [SerializedOutputSpec]
}

/// `schema.InputSpec`: `kind` is the member (`parameter`, `buffer`, `tensor_constant`,
/// `user_input`, ...); `placeholder` the graph input it describes; `target` the state-dict
/// key (FQN) of a parameter, buffer or constant.
struct SerializedInputSpec: Decodable {
    let kind: String
    var placeholder: String?
    var target: String?

    private struct Member: Decodable {
        let arg: SerializedArgumentOrName
        let parameter_name: String?
        let buffer_name: String?
        let tensor_constant_name: String?
    }

    /// `user_input` holds an Argument (`{"as_tensor": {"name": "x"}}`), the others a bare name.
    private struct SerializedArgumentOrName: Decodable {
        let name: String?
        let as_tensor: SerializedTensorName?
    }

    init(from decoder: Decoder) throws {
        let (container, key) = try UnionKey.member(of: decoder, "an input spec")
        kind = key.stringValue
        guard ["parameter", "buffer", "tensor_constant", "user_input"].contains(kind) else { return }
        let member = try container.decode(Member.self, forKey: key)
        placeholder = member.arg.name ?? member.arg.as_tensor?.name
        target = member.parameter_name ?? member.buffer_name ?? member.tensor_constant_name
    }
}

/// `schema.OutputSpec`: `kind` is the member (`user_output`, `buffer_mutation`, ...).
struct SerializedOutputSpec: Decodable {
    let kind: String

    init(from decoder: Decoder) throws {
        kind = try UnionKey.member(of: decoder, "an output spec").key.stringValue
    }
}

/// `data/weights/<name>_weights_config.json` and `data/constants/<name>_constants_config.json`:
/// per state-dict key, the record holding its storage and its view of it.
struct SerializedPayloadConfig: Decodable {
    let config: [String: SerializedPayloadMeta]
}

struct SerializedPayloadMeta: Decodable {
    let path_name: String
    let use_pickle: Bool
    let tensor_meta: SerializedTensorMeta?
}
