import CPlexusSystem
import CoreMetrics
import Dispatch
import PlexusModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, throwing wrappers over the POSIX file calls storage needs. Every call here blocks: run them
/// only on storage threads (``StorageExecutor``) or on a caller that may block, never on an event loop.
enum FileIO {
    static func error(_ what: String, _ path: String, errno code: Int32 = errno) -> PlexusError {
        PlexusError(.storage, "\(what) \(path) failed", underlying: String(cString: strerror(code)))
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw error("open", path)
        }
    }

    /// Writes all of `bytes` at `offset`.
    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String)
        throws
    {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            done += n
        }
    }

    /// Writes the gathered `iovecs` (total `count` bytes) at `offset`, resubmitting after short writes.
    static func pwritevAll(_ fd: Int32, _ iovecs: inout [iovec], total count: Int, at offset: Int64, path: String)
        throws
    {
        var written = 0
        var first = 0
        while written < count {
            let maxIOV = 1024
            let n = iovecs.withUnsafeMutableBufferPointer { vecs -> Int in
                pwritev(
                    fd,
                    vecs.baseAddress! + first,
                    Int32(min(maxIOV, vecs.count - first)),
                    off_t(offset) + off_t(written)
                )
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            written += n
            // Advance past fully written vectors; trim a partly written one.
            var left = n
            while left > 0 && first < iovecs.count {
                if left >= iovecs[first].iov_len {
                    left -= iovecs[first].iov_len
                    first += 1
                } else {
                    iovecs[first].iov_base = iovecs[first].iov_base! + left
                    iovecs[first].iov_len -= left
                    left = 0
                }
            }
        }
    }

    /// Reads up to `count` bytes at `offset` into `into`; returns the bytes read (short only at EOF).
    static func preadFully(_ fd: Int32, _ into: UnsafeMutableRawBufferPointer, at offset: Int64, path: String)
        throws -> Int
    {
        var done = 0
        while done < into.count {
            let n = pread(fd, into.baseAddress! + done, into.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The latency of every data fsync of segment files (`plexus_fsync_seconds`).
    static let fsyncTimer = Timer(label: "plexus_fsync_seconds")

    static func dataSync(_ fd: Int32, path: String) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        #if os(Linux)
            let rc = fdatasync(fd)
        #else
            let rc = fsync(fd)
        #endif
        fsyncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- start))
        if rc != 0 { throw error("fdatasync", path) }
    }

    static func fullSync(_ fd: Int32, path: String) throws {
        if fsync(fd) != 0 { throw error("fsync", path) }
    }

    static func truncate(_ fd: Int32, to size: Int64, path: String) throws {
        if ftruncate(fd, off_t(size)) != 0 { throw error("truncate", path) }
    }

    static func size(_ fd: Int32, path: String) throws -> Int64 {
        var info = stat()
        if fstat(fd, &info) != 0 { throw error("stat", path) }
        return Int64(info.st_size)
    }

    static func modificationTime(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// fsyncs a directory so that creations, renames and deletions in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fullSync(fd, path: path)
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("mkdir", path) }
    }

    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try makeDirectory(prefix)
        }
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 { throw error("rename to \(to)", from) }
    }

    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw error("unlink", path) }
    }

    static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw error("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a directory tree (used for deleted partitions).
    static func removeTree(_ path: String) throws {
        guard exists(path) else { return }
        if isDirectory(path) {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw error("rmdir", path) }
        } else {
            try remove(path)
        }
    }

    /// Writes `bytes` to `path` atomically and durably: temp file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temp = path + ".tmp"
        let fd = try open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try bytes.withUnsafeBytes { (raw) throws in try pwriteAll(fd, raw, at: 0, path: temp) }
            try fullSync(fd, path: temp)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try rename(temp, path)
        try syncDirectory(parent(of: path))
    }

    static func readWhole(_ path: String) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { close(fd) }
        let count = Int(try size(fd, path: path))
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { (raw) throws in
            try preadFully(fd, raw, at: 0, path: path)
        }
        return Array(bytes[0..<n])
    }

    /// Reads an index file; nil when it is missing, unreadable or larger than any index can be (64 MiB).
    static func readIndexFile(_ path: String) -> [UInt8]? {
        guard let fd = try? open(path, flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        guard let size = try? size(fd, path: path), size <= 64 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let n = try? bytes.withUnsafeMutableBytes { raw in try preadFully(fd, raw, at: 0, path: path) }
        return n == Int(size) ? bytes : nil
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// An open file descriptor that closes itself when the last reference goes away, so a reader holding
/// a slice of a segment keeps the file readable even after retention unlinked it.
public final class SegmentFile: Sendable {
    /// The descriptor (read-write for the active segment).
    public let descriptor: Int32
    /// The path the file was opened at.
    public let path: String

    init(path: String, create: Bool) throws {
        self.path = path
        self.descriptor = try FileIO.open(path, flags: O_RDWR | (create ? O_CREAT : 0))
    }

    /// An anonymous file in memory (memfd): never on disk, freed when the last reference goes away.
    init(memoryNamed name: String) throws {
        self.path = "memory:" + name
        let fd = plexus_memfd_create(String(name.suffix(200)))
        guard fd >= 0 else {
            throw PlexusError(.storage, "cannot create an in-memory segment: \(String(cString: strerror(errno)))")
        }
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Reads `count` bytes at `position` (fewer at end of file).
    public func read(at position: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { (raw) throws in
            try FileIO.preadFully(descriptor, raw, at: position, path: path)
        }
        if n < count { bytes.removeLast(count - n) }
        return bytes
    }
}
