import Foundation
import NIOCore
import PlexusKafkaWire
import Testing

/// A fetch response frame with records left as splices is, once the splices are filled in, byte for byte
/// the generated encoding of the same response.
@Suite struct SplicedFrameTests {
    static func records(_ length: Int, fill: UInt8) -> ByteBuffer {
        ByteBuffer(repeating: fill, count: length)
    }

    @Test(arguments: FetchResponse.validVersions)
    func splicedFetchFrameEqualsTheGeneratedEncoding(version: Int16) throws {
        // Lengths around the compact-length varint steps (127/128, 16383/16384) and an empty one.
        let lengths = [0, 1, 126, 127, 128, 16_382, 16_383, 16_384, 70_000]
        var response = FetchResponse(throttleTimeMs: 7, errorCode: 0, sessionId: version >= 7 ? 99 : 0)
        var splices: [[(length: Int, splice: Int)?]] = []
        for t in 0..<2 {
            var topic = FetchResponse.FetchableTopicResponse(
                topic: "topic-\(t)",
                topicId: KafkaUUID(mostSignificantBits: 1, leastSignificantBits: UInt64(t))
            )
            var topicSplices: [(length: Int, splice: Int)?] = []
            for (p, length) in lengths.enumerated() {
                var data = FetchResponse.PartitionData(partitionIndex: Int32(p), highWatermark: Int64(1000 + p))
                data.lastStableOffset = 5
                data.logStartOffset = 2
                data.abortedTransactions = p % 3 == 0 ? nil : [.init(producerId: 4, firstOffset: 8)]
                data.preferredReadReplica = -1
                if version >= 12 && p == 2 { data.currentLeader = .init(leaderId: 1, leaderEpoch: 3) }
                // Every other partition is spliced; the rest carry their records (or null) in memory.
                if p % 2 == 0 {
                    data.records = ByteBuffer(string: "ignored")
                    topicSplices.append((length, t * 100 + p))
                } else {
                    data.records = p == 3 ? nil : Self.records(length, fill: UInt8(p))
                    topicSplices.append(nil)
                }
                topic.partitions.append(data)
            }
            response.responses.append(topic)
            splices.append(topicSplices)
        }
        let header = RequestHeader(requestApiKey: 1, requestApiVersion: version, correlationId: 42, clientId: "c")
        let frame = response.splicedFrame(for: header, splices: splices)
        #expect(frame.splices.count == 2 * 5)
        let assembled = frame.materialized { (id: Int) -> ByteBuffer in
            Self.records(lengths[id % 100], fill: UInt8(id % 100) &+ 100)
        }

        var expected = response
        for t in expected.responses.indices {
            for p in expected.responses[t].partitions.indices where p % 2 == 0 {
                expected.responses[t].partitions[p].records = Self.records(lengths[p], fill: UInt8(p) &+ 100)
            }
        }
        var generated = ByteBuffer()
        generated.writeKafkaResponseFrame(expected, for: header)
        #expect(assembled == generated)
    }
}

extension SplicedFrameTests {
    /// The spliced frame of each golden Fetch response, with every partition's records spliced in, is the
    /// golden file (which kafka-python checks independently).
    @Test(arguments: 0...Int16(12))
    func splicedFetchFrameMatchesTheGoldenFile(version: Int16) throws {
        let golden = GoldenResponseTests.Golden(apiKey: .fetch, version: version)
        let response = GoldenResponses.fetch(version)
        let splices = response.responses.map { topic in
            topic.partitions.map { partition in partition.records.map { (length: $0.readableBytes, splice: $0) } }
        }
        let assembled = response.splicedFrame(for: golden.requestHeader, splices: splices).materialized { $0 }
        let file = try Data(contentsOf: golden.url)
        #expect(Array(assembled.readableBytesView) == Array(file))
    }
}
