import NIOCore
import PlexusKafkaWire
import Testing

/// Every generated message at every valid version: a value with non-default data in each field present
/// in that version survives write → read unchanged, and re-encodes to the same bytes.
struct RoundTripTests {
    @Test(arguments: MessageVersion.all)
    func sampleSurvivesWriteAndRead(_ item: MessageVersion) throws {
        try Self.roundTrip(item.type, version: item.version)
    }

    static func roundTrip<Message: KafkaMessage & KafkaSampleable>(_ type: Message.Type, version: Int16) throws {
        let value = Message.sample(version: version)
        var encoded = ByteBuffer()
        value.write(to: &encoded, version: version)
        var reader = encoded
        let decoded = try Message(from: &reader, version: version)
        #expect(decoded == value)
        #expect(reader.readableBytes == 0, "decoder left \(reader.readableBytes) bytes")
        var reencoded = ByteBuffer()
        decoded.write(to: &reencoded, version: version)
        #expect(reencoded == encoded)
        #expect(value.fieldsNotRepresentable(at: version) == [])
    }

    @Test(arguments: allGeneratedMessageTypes.map { MessageVersion(type: $0, version: 0) })
    func versionsOutsideTheSchemaAreRejected(_ item: MessageVersion) {
        var empty = ByteBuffer()
        let above = item.type.validVersions.upperBound + 1
        #expect(throws: KafkaWireError.self) { _ = try item.type.init(from: &empty, version: above) }
        #expect(throws: KafkaWireError.self) { _ = try item.type.init(from: &empty, version: -1) }
    }

    @Test func absentFieldsKeepTheirDefaultsAndAreNotWritten() throws {
        // TransactionalId exists from v3; at v2 it is neither written nor read.
        let request = ProduceRequest(transactionalId: "txn", acks: -1, timeoutMs: 1000)
        var v2 = ByteBuffer()
        request.write(to: &v2, version: 2)
        #expect(v2.readableBytes == 2 + 4 + 4)
        let decoded = try ProduceRequest(from: &v2, version: 2)
        #expect(decoded.transactionalId == nil)
        #expect(decoded.acks == -1)
    }

    @Test func taggedFieldsAreWrittenOnlyWhenNotDefault() throws {
        var response = ApiVersionsResponse(apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)])
        var plain = ByteBuffer()
        response.write(to: &plain, version: 3)
        #expect(plain.getInteger(at: plain.writerIndex - 1, as: UInt8.self) == 0)  // empty tag section
        response.zkMigrationReady = true
        var tagged = ByteBuffer()
        response.write(to: &tagged, version: 3)
        // count 1, tag 3, size 1, value 1
        #expect(tagged.getBytes(at: tagged.writerIndex - 4, length: 4) == [1, 3, 1, 1])
        #expect(try ApiVersionsResponse(from: &tagged, version: 3) == response)
    }

    @Test func unknownTaggedFieldsAreSkipped() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(7))  // correlation id
        buffer.writeBytes([2, 9, 2, 0xAA, 0xBB, 42, 0])  // tag 9 (2 bytes), tag 42 (empty)
        let header = try ResponseHeader(from: &buffer, version: 1)
        #expect(header.correlationId == 7)
        #expect(buffer.readableBytes == 0)
    }

    @Test func nullInANonNullableVersionIsRejected() {
        // MetadataRequest.Topics is nullable only from v1.
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(-1))
        #expect(throws: KafkaWireError.unexpectedNull(.init(field: "MetadataRequest.Topics", apiKey: 3, apiVersion: 0)))
        {
            _ = try MetadataRequest(from: &buffer, version: 0)
        }
        var v1 = ByteBuffer()
        v1.writeInteger(Int32(-1))
        #expect((try? MetadataRequest(from: &v1, version: 1))?.topics == nil)
    }

    @Test func oversizedCountsAreRejectedBeforeAllocating() {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32.max)  // topics count far beyond the remaining bytes
        #expect(
            throws: KafkaWireError.invalidLength(
                Int64(Int32.max),
                .init(field: "MetadataRequest.Topics", apiKey: 3, apiVersion: 1)
            )
        ) {
            _ = try MetadataRequest(from: &buffer, version: 1)
        }
    }

    @Test func valuesAVersionCannotCarryAreReported() {
        let response = MetadataResponse(clusterAuthorizedOperations: 8)
        #expect(response.fieldsNotRepresentable(at: 10) == [])
        #expect(response.fieldsNotRepresentable(at: 11) == ["MetadataResponse.ClusterAuthorizedOperations"])
        let allTopics = MetadataRequest(topics: nil)
        #expect(allTopics.fieldsNotRepresentable(at: 1) == [])
        #expect(allTopics.fieldsNotRepresentable(at: 0) == ["MetadataRequest.Topics (null)"])
        // Ignorable fields are never reported (ThrottleTimeMs is ignorable in ProduceResponse).
        #expect(ProduceResponse(throttleTimeMs: 100).fieldsNotRepresentable(at: 0) == [])
    }
}
