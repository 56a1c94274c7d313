import Foundation
import NIOCore
public import PlexusModel

/// Builders of deterministic RecordBatch v2 bytes for tests, the crash helper and benchmarks.
public enum TestBatches {
    /// A batch of `count` records whose values are `valueSize` bytes derived from `seed`, with a key and
    /// one header per record, timestamps `timestamp + i`.
    public static func make(
        seed: UInt64,
        count: Int = 3,
        valueSize: Int = 32,
        timestamp: Int64 = 1_700_000_000_000
    ) -> RecordBatch {
        var records: [Record] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            records.append(
                Record(
                    offsetDelta: Int32(i),
                    timestampDelta: Int64(i),
                    key: ByteBuffer(string: "k\(seed)-\(i)"),
                    value: ByteBuffer(bytes: payload(seed: seed &* 1_000_003 &+ UInt64(i), size: valueSize)),
                    headers: [RecordHeader(key: "seed", value: ByteBuffer(string: String(seed)))]
                )
            )
        }
        return RecordBatch.build(records: records, baseTimestamp: timestamp)
    }

    /// Deterministic pseudo-random bytes (splitmix64).
    public static func payload(seed: UInt64, size: Int) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(size)
        while out.count < size {
            withUnsafeBytes(of: generator.next()) { out.append(contentsOf: $0.prefix(size - out.count)) }
        }
        return out
    }

    /// The seed a batch built by ``make(seed:count:valueSize:timestamp:)`` carries in its first header.
    public static func seed(of batch: RecordBatch) throws -> UInt64? {
        guard let header = try batch.records().first?.headers.first, var value = header.value else { return nil }
        return value.readString(length: value.readableBytes).flatMap(UInt64.init)
    }
}

/// A fresh temporary directory, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "plexus-test") {
        path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
