import Foundation
import Logging
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport

// A child process for the crash test: appends with flush=always from several concurrent appenders,
// runs retention and metadata updates in the background, and prints one line per acknowledged batch:
// `ack BASE LAST SEED`. The test SIGKILLs it at random moments and checks every acknowledged batch.
//
// Usage: PlexusCrashHelper DATA_DIR RUN_NUMBER [APPENDERS [preallocate]]
#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3, let run = UInt64(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: PlexusCrashHelper DATA_DIR RUN_NUMBER [APPENDERS]\n".utf8))
    exit(2)
}
let appenders = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4
let preallocate = arguments.count > 4 && arguments[4] == "preallocate"
var logger = Logger(label: "crash-helper")
logger.logLevel = .error
let manager = try LogManager(dataDirectory: arguments[1], flushPolicy: .always, ioThreads: 2, logger: logger)
let topic = try TopicName("crash")
if manager.topic(topic) == nil {
    try manager.createTopic(
        topic,
        partitions: 1,
        config: [
            "segment.bytes": "65536", "retention.bytes": "1048576", "retention.ms": "-1",
            "index.interval.bytes": "1024", "preallocate": preallocate ? "true" : "false",
        ]
    )
}
let log = manager.partition(topic, PartitionID(0))!

func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(1, raw.baseAddress! + done, raw.count - done)
            if n <= 0 { exit(3) }
            done += n
        }
    }
}

// Background churn: retention and atomic metadata rewrites, so kills land in them too.
let churn = Thread {
    var step = 0
    while true {
        step += 1
        _ = manager.enforceRetention()
        try? manager.alterConfig(topic, ["segment.ms": String(600_000 + step)])
        usleep(3_000)
    }
}
churn.start()

emit("ready")
await withTaskGroup(of: Void.self) { group in
    for appender in 0..<appenders {
        group.addTask {
            var i: UInt64 = 0
            while true {
                let seed = run * 100_000_000 + UInt64(appender) * 10_000_000 + i
                i += 1
                let batch = TestBatches.make(seed: seed, count: Int(seed % 7) + 1, valueSize: Int(seed % 300) + 10)
                do {
                    let result = try await log.append(batch.bytes)
                    emit("ack \(result.baseOffset) \(result.lastOffset) \(seed)")
                } catch {
                    FileHandle.standardError.write(Data("append failed: \(error)\n".utf8))
                    exit(4)
                }
            }
        }
    }
}
