import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

extension Tag {
    @Tag static var slow: Self
}

/// SIGKILLs a real appending process at random moments and proves that every acknowledged batch
/// survives intact, and that the log has no gaps.
@Suite(.tags(.slow)) struct CrashTests {
    static func helperPath() throws -> String {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["PLEXUS_CRASH_HELPER"] { candidates.append(env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("PlexusCrashHelper").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/PlexusCrashHelper")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw PlexusError(
                .unknown,
                "PlexusCrashHelper not found; build it with `swift build` (looked in \(candidates))"
            )
        }
        return found
    }

    struct Ack: Hashable {
        var base: Int64
        var last: Int64
        var seed: UInt64
    }

    /// Runs the helper until killed; returns the acknowledgements it printed.
    static func runAndKill(
        helper: String,
        dataDir: String,
        run: Int,
        killAfterMicroseconds: UInt32,
        preallocate: Bool
    ) throws -> [Ack] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [dataDir, String(run), "4"] + (preallocate ? ["preallocate"] : [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        let collected = NIOLockedValueBox(Data())
        out.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            collected.withLockedValue { $0.append(chunk) }
        }
        try process.run()
        // Wait for "ready" (the log is open), then a random while, then SIGKILL.
        let deadline = Date().addingTimeInterval(30)
        while !collected.withLockedValue({ $0.starts(with: Data("ready".utf8)) }) && Date() < deadline
            && process.isRunning
        {
            usleep(1000)
        }
        usleep(killAfterMicroseconds)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: collected.withLockedValue { $0 } + rest, as: UTF8.self)
        #expect(
            process.terminationReason == .uncaughtSignal,
            "the helper exited by itself: \(process.terminationStatus)"
        )
        var acks: [Ack] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {  // last may be torn
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[0] == "ack" else { continue }
            acks.append(Ack(base: Int64(parts[1])!, last: Int64(parts[2])!, seed: UInt64(parts[3])!))
        }
        return acks
    }

    @Test func everyAcknowledgedBatchSurvivesSIGKILL() throws {
        try Self.killRepeatedly(kills: 32, preallocate: false)
    }

    /// The same with pre-written segments: kills land while appends overwrite zeros, while the next segment
    /// is written ahead, and around the roll that puts it in place.
    @Test func everyAcknowledgedBatchSurvivesSIGKILLWithPreallocatedSegments() throws {
        try Self.killRepeatedly(kills: 16, preallocate: true)
    }

    static func killRepeatedly(kills: Int, preallocate: Bool) throws {
        let helper = try Self.helperPath()
        let dir = TemporaryDirectory(prefix: "plexus-crash")
        defer { dir.remove() }
        var generator = SystemRandomNumberGenerator()
        var allAcks: [Ack] = []
        var prewrittenSeen = 0
        for run in 1...kills {
            let delay = UInt32.random(in: 0...400_000, using: &generator)
            let acks = try Self.runAndKill(
                helper: helper,
                dataDir: dir.path,
                run: run,
                killAfterMicroseconds: delay,
                preallocate: preallocate
            )
            allAcks += acks
            // As the kill left it (before recovery cuts anything): a segment file still of its full size, or a
            // prepared next one, shows the pre-written path was in use.
            let partition = dir.path + "/logs/crash-0"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? []
            if names.contains("next.prealloc")
                || names.contains(where: {
                    $0.hasSuffix(".log")
                        && ((try? FileManager.default.attributesOfItem(atPath: partition + "/" + $0)[.size])
                            as? NSNumber)?.intValue == 65536
                })
            {
                prewrittenSeen += 1
            }
            // Reopen and check.
            let manager = try LogManager(
                dataDirectory: dir.path,
                flushPolicy: .always,
                ioThreads: 1,
                logger: testLogger
            )
            defer { manager.close() }
            let log = try #require(manager.partition(try TopicName("crash"), PartitionID(0)))
            #expect(manager.topic(try TopicName("crash"))?.partitionCount == 1)
            let start = log.offsets.logStart.rawValue
            let stored = try readAll(log)
            var byBase: [Int64: RecordBatch] = [:]
            var expected = start
            for batch in stored {
                #expect(batch.header.baseOffset == expected, "gap or overlap at \(expected) after kill \(run)")
                expected = batch.header.lastOffset + 1
                _ = try RecordBatch(validating: batch.bytes)
                byBase[batch.header.baseOffset] = batch
            }
            #expect(expected == log.offsets.highWatermark.rawValue)
            for ack in allAcks where ack.base >= start {
                let batch = try #require(byBase[ack.base], "acknowledged batch at \(ack.base) lost after kill \(run)")
                #expect(batch.header.lastOffset == ack.last)
                #expect(try TestBatches.seed(of: batch) == ack.seed, "batch at \(ack.base) holds other data")
            }
            // Acknowledged offsets beyond everything stored would mean loss.
            if let maxAck = allAcks.map(\.last).max() { #expect(maxAck < log.offsets.highWatermark.rawValue) }
        }
        #expect(allAcks.count > kills, "the helper acknowledged too little to prove anything")
        if preallocate { #expect(prewrittenSeen > 0, "no kill found a pre-written segment") }
        print("crash test (preallocate \(preallocate)): \(kills) kills, \(allAcks.count) acknowledged batches verified")
    }
}
