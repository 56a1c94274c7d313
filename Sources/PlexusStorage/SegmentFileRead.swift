import NIOCore

extension SegmentFile {
    /// Appends up to `count` bytes read at `position` to `buffer` with one pread; returns how many were read
    /// (fewer only at the end of the file).
    func read(into buffer: inout ByteBuffer, at position: Int64, count: Int) throws -> Int {
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { (raw) throws -> Int in
            try FileIO.preadFully(
                descriptor,
                UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]),
                at: position,
                path: path
            )
        }
    }
}
