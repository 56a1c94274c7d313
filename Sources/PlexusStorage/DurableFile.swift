import Glibc
public import PlexusModel

/// Small files that must survive a crash whole (definitions, metadata): written to a temp file, fsynced,
/// renamed into place and the directory fsynced, so a reader sees the old or the new content, never a mix.
public enum DurableFile {
    /// Replaces `path` with `bytes` atomically and durably, creating the parent directory when missing.
    /// Blocks.
    public static func write(_ bytes: [UInt8], to path: String) throws(PlexusError) {
        do {
            try FileIO.makeDirectories(FileIO.parent(of: path))
            try FileIO.writeAtomically(bytes, to: path)
        } catch {
            throw PlexusError(.storage, "cannot write \(path)", underlying: "\(error)")
        }
    }

    /// The content of `path`, or nil when it does not exist. Blocks.
    public static func read(_ path: String) throws(PlexusError) -> [UInt8]? {
        guard access(path, F_OK) == 0 else { return nil }
        do { return try FileIO.readWhole(path) } catch {
            throw PlexusError(.storage, "cannot read \(path)", underlying: "\(error)")
        }
    }
}
