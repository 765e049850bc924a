/// Strings numbered in the order first seen: a segment's field names and input names.
struct StringTable {
    private(set) var strings: [String] = []
    private var ids: [String: UInt32] = [:]

    var count: Int { self.strings.count }

    func id(of string: String) -> UInt32? { self.ids[string] }

    /// The id of `string`, numbering it when new.
    mutating func intern(_ string: String) -> UInt32 {
        if let id = self.ids[string] { return id }
        let id = UInt32(self.strings.count)
        self.strings.append(string)
        self.ids[string] = id
        return id
    }

    subscript(id: UInt32) -> String { self.strings[Int(id)] }
}
