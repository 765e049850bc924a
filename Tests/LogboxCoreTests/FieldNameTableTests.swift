import LogboxCore
import Testing

@Suite("Field names")
struct FieldNameTableTests {
    @Test("well-known names have their fixed ids")
    func wellKnown() {
        var table = FieldNameTable()
        #expect(table.intern("timestamp") == .timestamp)
        #expect(table.intern("client_ip") == .clientIP)
        #expect(table.intern("request_time") == .requestTime)
        #expect(table.name(.userAgent) == "user_agent")
        #expect(table.count == FieldID.wellKnownNames.count)
    }

    @Test("new names get new ids, seen names the same id, across table growth")
    func interning() {
        var table = FieldNameTable()
        var ids: [FieldID] = []
        for i in 0..<1000 { ids.append(table.intern("sd.origin@\(i).ip")) }
        #expect(Set(ids).count == 1000)
        for i in 0..<1000 {
            #expect(table.intern("sd.origin@\(i).ip") == ids[i])
            #expect(table.name(ids[i]) == "sd.origin@\(i).ip")
        }
        var unknown = Array("never.seen".utf8)
        #expect(table.lookup(unknown.span) == nil)
        unknown.removeAll()
    }

    @Test("names are bytes: unicode, empty and invalid UTF-8 names work")
    func bytes() {
        var table = FieldNameTable()
        let names: [[UInt8]] = [[], Array("größe".utf8), [0xFF, 0xFE], Array("a.b.c".utf8)]
        let ids = names.map { name in table.intern(name.span) }
        #expect(Set(ids).count == names.count)
        for (name, id) in zip(names, ids) { #expect(Array(table.nameBytes(id)) == name) }
    }
}
