// LoadWarning: what ModelFile.read assumed to build a model, one per assumption, naming the
// file: a forward pass guessed from a module tree, a tree synthesized from a state dict's keys,
// or the catalog standing in for a refused tree. The way out (and a refusal it stands in for)
// stay values, so each front end words them: `description` in a program's terms, the CLI as
// its flags.

/// One assumption of a model read from a file.
public struct LoadWarning: Equatable, CustomStringConvertible {
    /// The refused module tree the assumption stands in for, if any.
    public let refusal: NNError?
    /// What was assumed, naming the file.
    public let text: String
    /// What to give instead so that nothing is assumed.
    public let wayOut: WayOut?

    public init(_ text: String, refusal: NNError? = nil, wayOut: WayOut? = nil) {
        self.text = text; self.refusal = refusal; self.wayOut = wayOut
    }

    /// `refusal; text, way out`, with the way out (and the refusal's) worded by `wording`.
    public func message(wording: (WayOut) -> String) -> String {
        (refusal.map { "\($0.message(wording: wording)); " } ?? "") + text + (wayOut.map { ", \(wording($0))" } ?? "")
    }

    public var description: String { message(wording: \.description) }
}
