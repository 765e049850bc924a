public import LogboxCore

/// `classify_ip`: for each named field holding an IP address, adds `<field>_class` (`loopback`,
/// `private`, `link_local`, `multicast`, `unspecified`, `reserved`, `public`) and, when the address
/// is in one of the configured networks, `<field>_tag` (the most specific network's tag).
///
/// The address is parsed from the value's bytes; class words and tags go to the arena once per
/// batch. A value that is not an address is left alone.
public struct ClassifyIPStep: EnrichStep {
    public let name: String
    private let fieldNames: [String]
    /// Longest prefix first, so the first match is the most specific.
    private let networks: [(network: IPNetwork, tag: String)]
    private var ids: [(field: FieldID, classField: FieldID, tagField: FieldID)] = []
    private var added: [(event: Int, field: FieldSlot)] = []
    /// This batch's arena range of each class word and tag, written on first use.
    private var classRanges: [Range<Int>?] = []
    private var tagRanges: [Range<Int>?] = []

    public init(name: String, config: ClassifyIPConfig) {
        self.name = name
        self.fieldNames = config.fields
        self.networks = config.networks.sorted { $0.network.prefixLength > $1.network.prefixLength }
    }

    /// The address classes, by how `classify` numbers them.
    public enum AddressClass: Int, Sendable, CaseIterable, CustomStringConvertible {
        case loopback, privateNetwork, linkLocal, multicast, unspecified, reserved, publicNetwork

        public var description: String {
            switch self {
            case .loopback: "loopback"
            case .privateNetwork: "private"
            case .linkLocal: "link_local"
            case .multicast: "multicast"
            case .unspecified: "unspecified"
            case .reserved: "reserved"
            case .publicNetwork: "public"
            }
        }
    }

    /// The class of `address` (RFC 1918, RFC 4193, RFC 3927/4291, RFC 6598 and friends).
    public static func classify(_ address: IPAddress) -> AddressClass {
        if address.isIPv4 {
            let v = address.ipv4
            let a = v >> 24
            let b = v >> 16 & 0xFF
            if v == 0 { return .unspecified }
            if a == 127 { return .loopback }
            if a == 10 || (a == 172 && b & 0xF0 == 16) || (a == 192 && b == 168) { return .privateNetwork }
            // Carrier-grade NAT (100.64.0.0/10) is private address space too.
            if a == 100 && b & 0xC0 == 64 { return .privateNetwork }
            if a == 169 && b == 254 { return .linkLocal }
            if a >= 224 && a <= 239 { return .multicast }
            if a == 0 || a >= 240 { return .reserved }
            return .publicNetwork
        }
        if address.high == 0 && address.low == 0 { return .unspecified }
        if address.high == 0 && address.low == 1 { return .loopback }
        let top = address.high >> 56
        let top16 = address.high >> 48
        if top == 0xFF { return .multicast }
        if top16 & 0xFFC0 == 0xFE80 { return .linkLocal }
        if top & 0xFE == 0xFC { return .privateNetwork }
        // 2001:db8::/32 is documentation space: not routed, not private.
        if address.high >> 32 == 0x2001_0DB8 { return .reserved }
        return .publicNetwork
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        if self.ids.count != self.fieldNames.count {
            self.ids = self.fieldNames.map {
                (batch.names.intern($0), batch.names.intern($0 + "_class"), batch.names.intern($0 + "_tag"))
            }
        }
        self.classRanges = Array(repeating: nil, count: AddressClass.allCases.count)
        self.tagRanges = Array(repeating: nil, count: self.networks.count)
        self.added.removeAll(keepingCapacity: true)
        for event in 0..<batch.count where selection.contains(event) {
            for (field, classField, tagField) in self.ids {
                guard let index = batch.fieldIndex(field, of: event) else { continue }
                let range = batch.fields[index].range
                var address: IPAddress?
                do {
                    let bytes = batch.lines.bytes
                    if range.lowerBound >= 0, range.upperBound <= bytes.count {
                        address = IPAddress.parse(bytes.span.extracting(range))
                    }
                }
                guard let address else { continue }
                let kind = Self.classify(address)
                let classRange = self.classRanges[kind.rawValue] ?? batch.appendValue(kind.description.utf8)
                self.classRanges[kind.rawValue] = classRange
                self.set(classField, classRange, event: event, in: &batch)
                if let network = self.networks.firstIndex(where: { $0.network.contains(address) }) {
                    let tagRange = self.tagRanges[network] ?? batch.appendValue(self.networks[network].tag.utf8)
                    self.tagRanges[network] = tagRange
                    self.set(tagField, tagRange, event: event, in: &batch)
                }
            }
        }
        batch.addFields(self.added)
    }

    private mutating func set(_ name: FieldID, _ range: Range<Int>, event: Int, in batch: inout EventBatch) {
        if let existing = batch.fieldIndex(name, of: event) {
            batch.setField(existing, kind: .text, range: range)
        } else {
            self.added.append(
                (event, FieldSlot(name: name, kind: .text, start: Int32(range.lowerBound), length: Int32(range.count)))
            )
        }
    }
}
