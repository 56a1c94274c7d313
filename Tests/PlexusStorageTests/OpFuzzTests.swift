import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// Random sequences of appends, reads, rolls, retention and reopen (clean or abandoned), checked after
/// every step against an in-memory model of the log.
@Suite struct OpFuzzTests {
    struct Model {
        var batches: [(base: Int64, last: Int64, bytes: [UInt8])] = []
        var next: Int64 = 0
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomOperationsMatchTheModel(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let executor = StorageExecutor(threadCount: 2)
        defer { executor.shutdown() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var config = smallConfig(segmentBytes: Int(rng.next() % 3000) + 600, indexInterval: Int(rng.next() % 500))
        config.retentionMs = -1
        var log = try openLog(dir.path, config: config, executor: executor)
        var model = Model()
        var counter: UInt64 = seed * 1_000_000
        for step in 0..<300 {
            switch rng.next() % 100 {
            case 0..<55:  // append 1-4 batches concurrently
                let n = Int(rng.next() % 4) + 1
                var batches: [RecordBatch] = []
                for _ in 0..<n {
                    counter += 1
                    batches.append(
                        TestBatches.make(
                            seed: counter,
                            count: Int(rng.next() % 5) + 1,
                            valueSize: Int(rng.next() % 200)
                        )
                    )
                }
                let current = log
                let results = try await withThrowingTaskGroup(of: (Int, AppendResult).self) { group in
                    for (i, batch) in batches.enumerated() {
                        group.addTask { (i, try await current.append(batch.bytes)) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (i, result) in results.sorted(by: { $0.1.baseOffset < $1.1.baseOffset }) {
                    #expect(result.baseOffset.rawValue == model.next, "step \(step)")
                    model.batches.append(
                        (
                            result.baseOffset.rawValue, result.lastOffset.rawValue,
                            Array(batches[i].bytes.readableBytesView)
                        )
                    )
                    model.next = result.lastOffset.rawValue + 1
                }
            case 55..<75:  // read at a random offset
                guard model.next > 0 else { continue }
                let start = model.batches.first?.base ?? model.next
                let target = start + Int64(rng.next() % UInt64(model.next - start + 1))
                let max = Int(rng.next() % 2000) + 1
                let got = try log.readBatches(from: Offset(target), maxBytes: max)
                let expected = model.batches.filter { $0.last >= target }
                #expect(got.count >= (expected.isEmpty ? 0 : 1))
                for (a, b) in zip(got, expected) {
                    #expect(a.header.baseOffset == b.base)
                    #expect(normalized(a) == b.bytes)
                }
            case 75..<82:
                try log.roll()
            case 82..<90:  // retention by bytes
                var tighter = config
                tighter.retentionBytes = Int64(rng.next() % 6000)
                log.update(config: tighter)
                try log.enforceRetention()
                log.update(config: config)
                let start = log.offsets.logStart.rawValue
                #expect(
                    model.batches.contains { $0.base == start } || start == model.next,
                    "start \(start) is a batch boundary"
                )
                model.batches.removeAll { $0.last < start }
            case 90..<95:  // clean reopen
                try log.close()
                log = try openLog(dir.path, config: config, executor: executor)
            default:  // abandon without close (as after a crash), reopen
                log = try openLog(dir.path, config: config, executor: executor)
            }
            #expect(log.offsets.highWatermark.rawValue == model.next, "step \(step)")
            #expect(log.offsets.logStart.rawValue == (model.batches.first?.base ?? model.next), "step \(step)")
        }
        let all = try readAll(log)
        #expect(all.map(normalized) == model.batches.map(\.bytes))
        try log.close()
    }
}
