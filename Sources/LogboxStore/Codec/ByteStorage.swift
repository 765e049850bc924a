import Glibc

/// Immutable bytes that readers decode from: a memory-mapped file, or a copy on the heap.
///
/// Segment files are mapped (`MappedFile`), so opening a segment reads nothing but what its
/// readers' `init`s look at, and the page cache, not the process, holds the rest. A storage value
/// keeps its owner alive: the pages stay mapped while any reader or slice uses them. Slices share
/// their parent's indices, as `ArraySlice`'s do (`startIndex` is where the slice begins).
public struct ByteStorage: @unchecked Sendable, RandomAccessCollection {
    /// Keeps the memory alive; the memory is never written after it is handed to a storage.
    private let owner: (any AnyObject & Sendable)?
    /// Address of index 0 (not of `startIndex`).
    private let base: UnsafePointer<UInt8>?
    public let startIndex: Int
    public let endIndex: Int

    public typealias Index = Int
    public typealias Indices = Range<Int>

    /// An empty storage.
    public init() {
        self.owner = nil
        self.base = nil
        self.startIndex = 0
        self.endIndex = 0
    }

    /// A copy of `bytes` on the heap, indexed from 0.
    public init(_ bytes: some Collection<UInt8>) {
        let heap = HeapBytes(count: bytes.count)
        _ = UnsafeMutableBufferPointer(start: heap.pointer, count: bytes.count).initialize(from: bytes)
        self.init(owner: heap, base: UnsafePointer(heap.pointer), count: bytes.count)
    }

    /// The whole mapping of `file`.
    public init(_ file: MappedFile) {
        self.init(owner: file, base: file.base, count: file.count)
    }

    /// `count` bytes at `base`, which `owner` keeps valid and unchanged for its lifetime.
    init(owner: any AnyObject & Sendable, base: UnsafePointer<UInt8>?, count: Int) {
        self.owner = owner
        self.base = count > 0 ? base : nil
        self.startIndex = 0
        self.endIndex = count
    }

    private init(owner: (any AnyObject & Sendable)?, base: UnsafePointer<UInt8>?, bounds: Range<Int>) {
        self.owner = owner
        self.base = base
        self.startIndex = bounds.lowerBound
        self.endIndex = bounds.upperBound
    }

    @inlinable
    public var count: Int { self.endIndex - self.startIndex }

    public subscript(position: Int) -> UInt8 {
        @inline(__always) get {
            precondition(position >= self.startIndex && position < self.endIndex, "byte index out of range")
            return self.base.unsafelyUnwrapped[position]
        }
    }

    public subscript(bounds: Range<Int>) -> ByteStorage {
        precondition(
            bounds.lowerBound >= self.startIndex && bounds.upperBound <= self.endIndex,
            "byte range out of range"
        )
        return ByteStorage(owner: self.owner, base: self.base, bounds: bounds)
    }

    /// The bytes as a buffer, valid inside `body` only.
    @inline(__always)
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E)
        -> R
    {
        let buffer = UnsafeBufferPointer(start: self.base.map { $0 + self.startIndex }, count: self.count)
        return try withExtendedLifetime(self.owner) { () throws(E) -> R in try body(buffer) }
    }

    /// The bytes as raw memory, valid inside `body` only.
    @inline(__always)
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try self.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }

    /// The bytes as a span, indexed from 0 (like `ArraySlice.span`).
    public var span: Span<UInt8> {
        @_lifetime(borrow self)
        get {
            let buffer = UnsafeBufferPointer(start: self.base.map { $0 + self.startIndex }, count: self.count)
            let span = Span(_unsafeElements: buffer)
            return _overrideLifetime(span, borrowing: self)
        }
    }

    /// The same bytes indexed from 0 (no copy).
    public var rebased: ByteStorage {
        ByteStorage(owner: self.owner, base: self.base.map { $0 + self.startIndex }, bounds: 0..<self.count)
    }

    /// The bytes as an array (a copy).
    public var array: [UInt8] { self.withUnsafeBufferPointer { Array($0) } }
}

/// Heap memory owned by a `ByteStorage` (a copy, or a decompressed block).
final class HeapBytes: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    init(count: Int) {
        self.count = count
        self.pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
    }

    deinit { self.pointer.deallocate() }
}

/// A whole file mapped read-only (`mmap(PROT_READ, MAP_SHARED)`), unmapped when the last
/// `ByteStorage` over it goes away.
///
/// Store files are immutable once published (written under a temporary name, then renamed) and
/// deleted only when no reader pins their segment, so the mapping never sees a change; a file
/// truncated behind the store's back would fault on access, as any mapped reader would.
public final class MappedFile: @unchecked Sendable {
    public let base: UnsafePointer<UInt8>?
    public let count: Int

    /// Maps the file at `path`; an empty file maps to no memory.
    /// - Throws: `StoreError(.io)` when it cannot be opened, measured or mapped.
    public init(path: String, name: String) throws(StoreError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError(.io(errno: errno), file: name, "cannot open: \(FileSystem.reason(errno))")
        }
        defer { Glibc.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StoreError(.io(errno: errno), file: name, "cannot stat: \(FileSystem.reason(errno))")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            self.base = nil
            self.count = 0
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else {
            throw StoreError(.io(errno: errno), file: name, "cannot map \(size) bytes: \(FileSystem.reason(errno))")
        }
        self.base = UnsafePointer(address.assumingMemoryBound(to: UInt8.self))
        self.count = size
    }

    deinit {
        if let base = self.base { munmap(UnsafeMutableRawPointer(mutating: base), self.count) }
    }

    /// Drops the pages of the file this process has resident (`MADV_DONTNEED`), so that a reader
    /// passing once over many segments (`verify`) holds one segment's pages, not the store's. The
    /// bytes stay readable: the next access maps them in again from the page cache.
    public func releaseResidentPages() {
        guard let base = self.base else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), self.count, MADV_DONTNEED)
    }
}
