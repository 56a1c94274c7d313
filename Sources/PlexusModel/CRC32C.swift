import CPlexusCRC32C
public import NIOCore

/// CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2.
///
/// Uses the CPU's CRC32 instruction when available (SSE4.2 on x86-64, the CRC extension on ARMv8),
/// otherwise slicing-by-8 tables. See `docs/PERFORMANCE.md` for measured throughput.
public enum CRC32C {
    /// Whether the hardware instruction is used on this machine.
    public static var isHardwareAccelerated: Bool { plexus_crc32c_hardware_available() != 0 }

    /// Extends `crc` (0 to start) with `bytes`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return plexus_crc32c_update(crc, base, bytes.count)
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let done = bytes.withContiguousStorageIfAvailable { update(0, UnsafeRawBufferPointer($0)) }
        if let done { return done }
        return Array(bytes).withUnsafeBytes { update(0, $0) }
    }

    /// The CRC-32C of `length` readable bytes of `buffer` starting at `index`.
    public static func checksum(_ buffer: ByteBuffer, at index: Int, length: Int) -> UInt32 {
        buffer.withUnsafeReadableBytes { raw in
            let start = index - buffer.readerIndex
            return update(0, UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
        }
    }

    /// The CRC computed only with the portable table path, for tests and benchmarks.
    public static func portableChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return plexus_crc32c_update_portable(0, base, bytes.count)
    }
}
