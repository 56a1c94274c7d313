import ArgumentParser
import Foundation
import NIOCore
import PlexusKafka
import PlexusKafkaWire
import PlexusModel

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce one record per input line (stdin or --file) to a running node.",
        discussion: "Acknowledged means durable under the node's flush policy (acks=all)."
    )

    @OptionGroup var server: KafkaServerOption
    @Argument(help: "Topic name (created on first use when the node allows it).") var topic: String
    @Option(help: "Read lines from this file instead of stdin.") var file: String?
    @Option(help: "Partition to write to.") var partition: Int32 = 0
    @Option(name: .customLong("key-separator"), help: "Split each line into KEY<sep>VALUE at the first separator.")
    var keySeparator: String?
    @Option(name: .customLong("header"), help: "A header KEY=VALUE added to every record (repeatable).")
    var headers: [String] = []
    @Option(help: "Records per batch.") var batchSize = 1000
    @Option(help: "Compression: none, gzip, snappy, lz4, zstd.") var compression = "none"

    func run() async throws {
        guard let codec = CompressionCodec.allCases.first(where: { $0.description == compression }) else {
            throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd")
        }
        let recordHeaders = try headers.map { text -> RecordHeader in
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ValidationError("--header takes KEY=VALUE, not '\(text)'") }
            return RecordHeader(key: String(parts[0]), value: ByteBuffer(string: String(parts[1])))
        }
        let input: FileHandle
        if let file {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot open \(file)") }
            input = handle
        } else {
            input = .standardInput
        }
        let client = try await server.connect()
        defer { Task { await client.close() } }
        var progress = ProgressReporter(label: "produce \(topic)")
        var pending: [Record] = []
        var pendingBytes = 0
        var leftover = Data()

        func flush() async throws {
            guard !pending.isEmpty else { return }
            let batch = try RecordBatch.build(
                records: pending,
                compression: codec,
                baseTimestamp: Int64(Date().timeIntervalSince1970 * 1000)
            )
            var request = ProduceRequest(acks: -1, timeoutMs: 30_000)
            request.topicData = [.init(name: topic, partitionData: [.init(index: partition, records: batch.bytes)])]
            let response = try await client.send(request)
            let result = response.responses.first?.partitionResponses.first
            guard let result, result.errorCode == 0 else {
                throw CLIError(
                    "produce to \(topic)/\(partition) failed: \(kafkaErrorName(result?.errorCode ?? -1)) \(result?.errorMessage ?? "")"
                )
            }
            progress.add(records: pending.count, bytes: pendingBytes)
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
        }

        func add(line: Data) async throws {
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            var key: ByteBuffer?
            var value = text
            if let separator = keySeparator, let range = text.range(of: separator) {
                key = ByteBuffer(string: String(text[..<range.lowerBound]))
                value = String(text[range.upperBound...])
            }
            pending.append(
                Record(
                    offsetDelta: Int32(pending.count),
                    key: key,
                    value: ByteBuffer(string: value),
                    headers: recordHeaders
                )
            )
            pendingBytes += value.utf8.count + (key?.readableBytes ?? 0)
            if pending.count >= batchSize || pendingBytes >= 512 * 1024 { try await flush() }
        }

        while true {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            leftover.append(chunk)
            while let newline = leftover.firstIndex(of: UInt8(ascii: "\n")) {
                try await add(line: leftover[leftover.startIndex..<newline])
                leftover = Data(leftover[(newline + 1)...])
            }
        }
        if !leftover.isEmpty { try await add(line: leftover) }
        try await flush()
        progress.report(final: true)
    }
}
