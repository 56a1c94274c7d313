import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport

let testLogger: Logger = {
    var logger = Logger(label: "plexus.test")
    logger.logLevel = .critical
    return logger
}()

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let now = NIOLockedValueBox<Int64>(1_700_000_000_000)
    var milliseconds: Int64 { now.withLockedValue { $0 } }
    func advance(by ms: Int64) { now.withLockedValue { $0 += ms } }
    var function: @Sendable () -> Int64 { { self.milliseconds } }
}

/// Opens a partition log in `directory` with test-friendly defaults.
func openLog(
    _ directory: String,
    config: LogConfig = LogConfig(),
    flush: FlushPolicy = .always,
    executor: StorageExecutor,
    clock: ManualClock? = nil
) throws -> PartitionLog {
    try PartitionLog(
        directory: directory,
        config: config,
        flushPolicy: flush,
        executor: executor,
        logger: testLogger,
        clock: clock?.function ?? PartitionLog.wallClockMilliseconds
    )
}

/// Reads every batch from `from` to the high watermark.
func readAll(_ log: PartitionLog, from: Offset? = nil) throws -> [RecordBatch] {
    var offset = from ?? log.offsets.logStart
    var batches: [RecordBatch] = []
    while offset < log.offsets.highWatermark {
        let chunk = try log.readBatches(from: offset, maxBytes: 1 << 20)
        guard let last = chunk.last else { break }
        batches += chunk.filter { $0.header.lastOffset >= offset.rawValue }
        offset = Offset(last.header.lastOffset + 1)
    }
    return batches
}

/// The bytes of a stored batch with its offset fields reset, comparable to what was appended.
func normalized(_ batch: RecordBatch) -> [UInt8] {
    var bytes = batch.bytes
    bytes.setInteger(Int64(0), at: bytes.readerIndex)
    bytes.setInteger(Int32(-1), at: bytes.readerIndex + 12)
    return Array(bytes.readableBytesView)
}

func smallConfig(segmentBytes: Int = 4096, indexInterval: Int = 256) -> LogConfig {
    var config = LogConfig()
    config.segmentBytes = segmentBytes
    config.indexIntervalBytes = indexInterval
    return config
}
