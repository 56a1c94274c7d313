import CPlexusCompression
public import NIOCore

/// Compression and decompression of a batch's records section with Kafka's codecs: gzip, snappy (raw
/// blocks, and xerial/snappy-java framing on input), lz4 (the frame format) and zstd.
///
/// Decompression is bounded by `maxOutput` so a small hostile batch cannot expand without limit.
public enum RecordCompression {
    /// The default limit on decompressed bytes (64 MiB).
    public static let defaultMaxOutput = 64 << 20

    /// Decompresses `input` (the bytes after the 61-byte batch header).
    /// - Throws: ``PlexusError/Code/corruptMessage`` for bad input or output above `maxOutput`.
    public static func decompress(
        _ codec: CompressionCodec,
        _ input: ByteBuffer,
        maxOutput: Int = defaultMaxOutput
    ) throws(PlexusError) -> ByteBuffer {
        let bytes = Array(input.readableBytesView)
        let output: [UInt8]
        switch codec {
        case .none: return input
        case .gzip: output = try gunzip(bytes, maxOutput: maxOutput)
        case .snappy: output = try unsnappy(bytes, maxOutput: maxOutput)
        case .lz4: output = try unlz4(bytes, maxOutput: maxOutput)
        case .zstd: output = try unzstd(bytes, maxOutput: maxOutput)
        }
        return ByteBuffer(bytes: output)
    }

    /// Compresses `input` with `codec` (snappy as a raw block, as librdkafka writes it).
    public static func compress(_ codec: CompressionCodec, _ input: ByteBuffer) throws(PlexusError) -> ByteBuffer {
        let bytes = Array(input.readableBytesView)
        switch codec {
        case .none: return input
        case .gzip: return ByteBuffer(bytes: try gzip(bytes))
        case .snappy: return ByteBuffer(bytes: try snappy(bytes))
        case .lz4: return ByteBuffer(bytes: try lz4(bytes))
        case .zstd: return ByteBuffer(bytes: try zstd(bytes))
        }
    }

    static func corrupt(_ codec: String, _ why: String) -> PlexusError {
        PlexusError(.corruptMessage, "\(codec) records section: \(why)")
    }

    static func tooBig(_ codec: String, _ limit: Int) -> PlexusError {
        PlexusError(.corruptMessage, "\(codec) records section expands beyond \(limit) bytes")
    }

    // MARK: gzip (zlib; concatenated members are read in turn)

    static func gunzip(_ input: [UInt8], maxOutput: Int) throws(PlexusError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw corrupt("gzip", "inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: PlexusError?
        input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                let rc = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > maxOutput {
                    failure = tooBig("gzip", maxOutput)
                    return
                }
                if rc == Z_STREAM_END {
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)  // another gzip member follows
                    continue
                }
                if rc != Z_OK && !(rc == Z_BUF_ERROR && produced > 0) {
                    failure = corrupt("gzip", "inflate error \(rc)")
                    return
                }
                if rc == Z_BUF_ERROR || (stream.avail_in == 0 && produced == 0) {
                    failure = corrupt("gzip", "truncated stream")
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }

    static func gzip(_ input: [UInt8]) throws(PlexusError) -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream,
                Z_DEFAULT_COMPRESSION,
                Z_DEFLATED,
                16 + MAX_WBITS,
                8,
                Z_DEFAULT_STRATEGY,
                ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)
            ) == Z_OK
        else { throw corrupt("gzip", "deflateInit failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let rc = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw corrupt("gzip", "deflate error \(rc)") }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    // MARK: snappy (raw block, or xerial framing: magic, version, compat, then [int32 length, block]*)

    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]

    static func unsnappy(_ input: [UInt8], maxOutput: Int) throws(PlexusError) -> [UInt8] {
        guard input.count >= 16, Array(input[0..<8]) == xerialMagic else {
            return try snappyBlock(input[...], maxOutput: maxOutput)
        }
        var output: [UInt8] = []
        var at = 16
        while at < input.count {
            guard at + 4 <= input.count else { throw corrupt("snappy", "truncated xerial block length") }
            let length = Int(input[at]) << 24 | Int(input[at + 1]) << 16 | Int(input[at + 2]) << 8 | Int(input[at + 3])
            at += 4
            guard length <= input.count - at else { throw corrupt("snappy", "xerial block beyond the input") }
            output += try snappyBlock(input[at..<(at + length)], maxOutput: maxOutput - output.count)
            at += length
        }
        return output
    }

    static func snappyBlock(_ block: ArraySlice<UInt8>, maxOutput: Int) throws(PlexusError) -> [UInt8] {
        try block.withUnsafeBufferPointer { (inBuf) throws(PlexusError) -> [UInt8] in
            let source = UnsafeRawPointer(inBuf.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                .assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(source, inBuf.count, &length) == SNAPPY_OK else {
                throw corrupt("snappy", "bad block header")
            }
            guard length <= maxOutput else { throw tooBig("snappy", maxOutput) }
            var output = [UInt8](repeating: 0, count: length)
            let rc = output.withUnsafeMutableBufferPointer { out in
                out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, length)) {
                    snappy_uncompress(source, inBuf.count, $0, &length)
                }
            }
            guard rc == SNAPPY_OK else { throw corrupt("snappy", "bad block") }
            return output
        }
    }

    static func snappy(_ input: [UInt8]) throws(PlexusError) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let rc = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { out in
                inBuf.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: inBuf.count) { source in
                        out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) {
                            snappy_compress(source, inBuf.count, $0, &length)
                        }
                    }
                } ?? SNAPPY_OK
            }
        }
        guard rc == SNAPPY_OK else { throw corrupt("snappy", "compress failed") }
        if input.isEmpty { return [0] }
        output.removeLast(output.count - length)
        return output
    }

    // MARK: lz4 (frame format)

    static func unlz4(_ input: [UInt8], maxOutput: Int) throws(PlexusError) -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw corrupt("lz4", "cannot create a decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        var finished = false
        while consumed < input.count {
            var sourceSize = input.count - consumed
            var destinationSize = chunk.count
            let hint = input.withUnsafeBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { out in
                    LZ4F_decompress(
                        context,
                        out.baseAddress,
                        &destinationSize,
                        inBuf.baseAddress! + consumed,
                        &sourceSize,
                        nil
                    )
                }
            }
            if LZ4F_isError(hint) != 0 { throw corrupt("lz4", String(cString: LZ4F_getErrorName(hint))) }
            consumed += sourceSize
            output.append(contentsOf: chunk[0..<destinationSize])
            if output.count > maxOutput { throw tooBig("lz4", maxOutput) }
            if hint == 0 {
                finished = true
                if consumed < input.count { continue }  // a further frame may follow
            }
            if sourceSize == 0 && destinationSize == 0 { break }
        }
        guard finished else { throw corrupt("lz4", "truncated frame") }
        return output
    }

    static func lz4(_ input: [UInt8]) throws(PlexusError) -> [UInt8] {
        let bound = LZ4F_compressFrameBound(input.count, nil)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { out in
                LZ4F_compressFrame(out.baseAddress, out.count, inBuf.baseAddress, inBuf.count, nil)
            }
        }
        if LZ4F_isError(written) != 0 { throw corrupt("lz4", "compress failed") }
        output.removeLast(output.count - written)
        return output
    }

    // MARK: zstd

    static func unzstd(_ input: [UInt8], maxOutput: Int) throws(PlexusError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw corrupt("zstd", "cannot create a stream") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var lastResult = 1
        var failure: PlexusError?
        input.withUnsafeBufferPointer { inBuf in
            var source = ZSTD_inBuffer(src: inBuf.baseAddress, size: inBuf.count, pos: 0)
            while true {
                var produced = 0
                let result = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    var destination = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &destination, &source)
                    produced = destination.pos
                    return result
                }
                if ZSTD_isError(result) != 0 {
                    failure = corrupt("zstd", String(cString: ZSTD_getErrorName(result)))
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > maxOutput {
                    failure = tooBig("zstd", maxOutput)
                    return
                }
                lastResult = result
                if source.pos == source.size && produced < chunk.count { return }
            }
        }
        if let failure { throw failure }
        guard lastResult == 0 else { throw corrupt("zstd", "truncated frame") }
        return output
    }

    static func zstd(_ input: [UInt8]) throws(PlexusError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { out in
                ZSTD_compress(out.baseAddress, out.count, inBuf.baseAddress, inBuf.count, 3)
            }
        }
        if ZSTD_isError(written) != 0 { throw corrupt("zstd", "compress failed") }
        output.removeLast(output.count - written)
        return output
    }
}
