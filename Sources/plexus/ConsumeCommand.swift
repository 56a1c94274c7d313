import ArgumentParser
import Foundation
import NIOCore
import PlexusKafka
import PlexusKafkaWire
import PlexusModel

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of one partition, from an offset or a time, one per line."
    )

    @OptionGroup var server: KafkaServerOption
    @Argument(help: "Topic name.") var topic: String
    @Option(help: "Partition to read.") var partition: Int32 = 0
    @Option(help: "Start: earliest, latest, or an offset.") var offset = "earliest"
    @Option(name: .customLong("from-time"), help: "Start at the first record at or after this time (ms since epoch).")
    var fromTime: Int64?
    @Option(help: "Stop after this many records.") var count: Int?
    @Flag(name: .customLong("follow"), help: "Keep waiting for new records instead of stopping at the end.")
    var follow = false
    @Flag(name: .customLong("print-key"), help: "Print KEY<TAB>VALUE.") var printKey = false
    @Flag(name: .customLong("print-offset"), help: "Print OFFSET<TAB> before each record.") var printOffset = false

    func run() async throws {
        let client = try await server.connect()
        defer { Task { await client.close() } }
        var position: Int64
        if let fromTime {
            position = try await listOffset(client, fromTime)
            if position < 0 { position = try await listOffset(client, -1) }
        } else {
            switch offset {
            case "earliest": position = try await listOffset(client, -2)
            case "latest": position = try await listOffset(client, -1)
            default:
                guard let value = Int64(offset), value >= 0 else {
                    throw ValidationError("--offset must be earliest, latest or a number")
                }
                position = value
            }
        }
        var printed = 0
        var progress = ProgressReporter(label: "consume \(topic)")
        let output = FileHandle.standardOutput
        while count.map({ printed < $0 }) ?? true {
            var request = FetchRequest(replicaId: -1, maxWaitMs: follow ? 1000 : 200, minBytes: 1, maxBytes: 8 << 20)
            request.topics = [
                .init(
                    topic: topic,
                    partitions: [.init(partition: partition, fetchOffset: position, partitionMaxBytes: 4 << 20)]
                )
            ]
            let response = try await client.send(request)
            guard let data = response.responses.first?.partitions.first else { throw CLIError("empty fetch response") }
            guard data.errorCode == 0 else {
                throw CLIError("fetch \(topic)/\(partition) at \(position): \(kafkaErrorName(data.errorCode))")
            }
            var records = data.records ?? ByteBuffer()
            var lines = ""
            var any = false
            while case .batch(let size) = RecordBatch.framing(of: records, at: records.readerIndex),
                let bytes = records.readSlice(length: size)
            {
                let batch = try RecordBatch(validating: bytes)
                for record in try batch.records() {
                    let recordOffset = batch.header.baseOffset + Int64(record.offsetDelta)
                    guard recordOffset >= position else { continue }
                    if let count, printed >= count { break }
                    if printOffset { lines += "\(recordOffset)\t" }
                    if printKey { lines += (record.key.map { String(buffer: $0) } ?? "") + "\t" }
                    lines += (record.value.map { String(buffer: $0) } ?? "") + "\n"
                    printed += 1
                    progress.add(records: 1, bytes: record.value?.readableBytes ?? 0)
                    any = true
                }
                position = max(position, batch.header.lastOffset + 1)
            }
            output.write(Data(lines.utf8))
            if !any && !follow && position >= data.highWatermark { break }
        }
        if progress.count > 10_000 { progress.report(final: true) }
    }

    func listOffset(_ client: KafkaClient, _ timestamp: Int64) async throws -> Int64 {
        let response = try await client.send(
            ListOffsetsRequest(
                replicaId: -1,
                topics: [.init(name: topic, partitions: [.init(partitionIndex: partition, timestamp: timestamp)])]
            )
        )
        guard let result = response.topics.first?.partitions.first else { throw CLIError("empty response") }
        guard result.errorCode == 0 else {
            throw CLIError("\(topic)/\(partition): \(kafkaErrorName(result.errorCode))")
        }
        return result.offset
    }
}
