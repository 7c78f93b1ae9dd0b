// CheckedProduct: the element count of a shape declared by an untrusted file, where a plain
// `reduce(1, *)` would trap on overflow.

extension Sequence where Element == Int {
    /// `Π elements`, or nil when the product overflows `Int`.
    package var checkedProduct: Int? {
        var product = 1
        for value in self {
            let (next, overflow) = product.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            product = next
        }
        return product
    }
}
