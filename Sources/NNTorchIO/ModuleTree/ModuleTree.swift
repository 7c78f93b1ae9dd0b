// ModuleTree: an nn.Module hierarchy as data: each module's class name, its constructor
// attributes (kernel_size, stride, padding, groups, negative_slope, ceil_mode, output_size,
// eps, …) and its named children in registration order. Two sources give the same tree: a
// whole-module pickle (`torch.save(model)`, ModuleTreeReader) and the text `print(model)`
// writes (ModuleTreeText). ModuleTreeImporter turns a tree plus a state dict into a Model.

/// A value of a module attribute, as `__dict__` or `extra_repr()` holds it (`null` is Python's None).
import NNCore

public enum ModuleAttribute: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case tuple([ModuleAttribute])
}

/// One module: class, attributes, children.
public struct ModuleTree: Equatable, Sendable {
    /// A named child (`(0): Conv2d(...)` → name "0").
    public struct Child: Equatable, Sendable {
        public var name: String
        public var module: ModuleTree
        public init(name: String, module: ModuleTree) { self.name = name; self.module = module }
    }

    /// The class name without its Python module ("Conv2d", "Sequential", "StudentNet").
    public var className: String
    public var attributes: [String: ModuleAttribute]
    public var children: [Child]

    public init(className: String, attributes: [String: ModuleAttribute] = [:], children: [Child] = []) {
        self.className = className; self.attributes = attributes; self.children = children
    }

    /// Deepest nesting Shears follows in a module tree, and in a printed attribute value's
    /// parentheses: far above real models (torchvision's deepest tree is 5 modules deep) and
    /// far below what recursion over a tree could overflow the stack with.
    public static let maximumDepth = 200

    /// Most nodes a module tree may cost to read or import: modules, counted at each place
    /// they appear (a module shared by two parents counts twice, as torch's `state_dict()`
    /// visits it twice), plus the entries of their parameter, buffer and child dicts. A
    /// million is thousands of times a ResNet-152 (about 500 modules, 1,000 tensors); a
    /// 1 KB pickle whose modules share children 40 levels deep would be 2^40.
    public static let maximumNodes = 1_000_000

    /// The child called `name`, if any.
    public func child(_ name: String) -> ModuleTree? { children.first { $0.name == name }?.module }

    /// An integer attribute (a bool counts as 0/1 as in Python).
    public func int(_ key: String) -> Int? {
        switch attributes[key] {
        case .int(let v)?: return v
        case .bool(let b)?: return b ? 1 : 0
        default: return nil
        }
    }

    /// A float attribute (an int is widened).
    public func float(_ key: String) -> Double? {
        switch attributes[key] {
        case .float(let v)?: return v
        case .int(let v)?: return Double(v)
        default: return nil
        }
    }

    /// A bool attribute.
    public func bool(_ key: String) -> Bool? {
        if case .bool(let b)? = attributes[key] { return b }
        return nil
    }

    /// A string attribute (`padding='same'`, `padding_mode='zeros'`).
    public func string(_ key: String) -> String? {
        if case .string(let s)? = attributes[key] { return s }
        return nil
    }

    /// A height/width attribute given as one int or a pair (`kernel_size=3`, `stride=(2, 2)`).
    public func size2(_ key: String) -> Size2? {
        switch attributes[key] {
        case .int(let v)?: return Size2(v)
        case .tuple(let items)? where items.count == 2:
            guard case .int(let h) = items[0], case .int(let w) = items[1] else { return nil }
            return Size2(h, w)
        default: return nil
        }
    }
}
