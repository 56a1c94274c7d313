import NIOCore
import NIOEmbedded
import PlexusBroker
import PlexusKafka
import PlexusKafkaWire
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// The connection handler on a test channel: pipelined requests are answered in order, produce batches
/// land in request order, and bad frames close the connection.
@Suite struct KafkaConnectionHandlerTests {
    static func frame<Request: KafkaRequest>(_ request: Request, version: Int16, correlationId: Int32) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(0))
        RequestHeader(
            requestApiKey: Request.apiKey.rawValue,
            requestApiVersion: version,
            correlationId: correlationId,
            clientId: "t"
        ).write(to: &buffer, version: Request.requestHeaderVersion(for: version))
        request.write(to: &buffer, version: version)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: 0)
        return buffer
    }

    static func withChannel(_ body: (NIOAsyncTestingChannel) async throws -> Void) async throws {
        try await KafkaRequestProcessorTests.withProcessor { processor in
            let channel = NIOAsyncTestingChannel()
            try await channel.testingEventLoop.executeInContext {
                try channel.pipeline.syncOperations.addHandlers(
                    ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: 1 << 20)),
                    KafkaConnectionHandler(processor: processor, connectionID: "test")
                )
            }
            try await body(channel)
            _ = try? await channel.finish()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAndProducesLandInOrder() async throws {
        try await Self.withChannel { channel in
            var all = ByteBuffer()
            for (i, seed) in [UInt64(1), 2, 3].enumerated() {
                var produce = ProduceRequest(acks: -1, timeoutMs: 1000)
                produce.topicData = [
                    .init(
                        name: "ordered",
                        partitionData: [.init(index: 0, records: TestBatches.make(seed: seed).bytes)]
                    )
                ]
                var frame = Self.frame(produce, version: 7, correlationId: Int32(i + 1))
                all.writeBuffer(&frame)
            }
            var versions = Self.frame(ApiVersionsRequest(), version: 0, correlationId: 4)
            all.writeBuffer(&versions)
            try await channel.writeInbound(all)  // four requests in one read
            var baseOffsets: [Int64] = []
            for expected in Int32(1)...4 {
                var out = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
                _ = out.readInteger(as: Int32.self)
                #expect(out.readInteger(as: Int32.self) == expected)
                if expected < 4 {
                    let response = try ProduceResponse(from: &out, version: 7)
                    baseOffsets.append(response.responses[0].partitionResponses[0].baseOffset)
                }
            }
            #expect(baseOffsets == [0, 3, 6])
        }
    }

    @Test func anOversizedFrameClosesTheConnection() async throws {
        try await Self.withChannel { channel in
            var huge = ByteBuffer()
            huge.writeInteger(Int32(2 << 20))
            _ = try? await channel.writeInbound(huge)  // the decoder's error is the point
            try await channel.closeFuture.get()
            #expect(!channel.isActive)
        }
    }

    @Test func anUnservedApiClosesTheConnectionWithoutAResponse() async throws {
        try await Self.withChannel { channel in
            try await channel.writeInbound(Self.frame(JoinGroupRequest(), version: 5, correlationId: 9))
            try await channel.closeFuture.get()
            #expect(!channel.isActive)
        }
    }
}
