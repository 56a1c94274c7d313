import NIOCore
import PlexusKafkaWire
import Testing

struct KafkaHeaderTests {
    struct HeaderCase: Sendable, CustomStringConvertible {
        let apiKey: KafkaApiKey
        let version: Int16
        let request: Int16
        let response: Int16
        var description: String { "\(apiKey) v\(version)" }
    }

    static let cases = [
        HeaderCase(apiKey: .produce, version: 8, request: 1, response: 0),
        HeaderCase(apiKey: .produce, version: 9, request: 2, response: 1),
        HeaderCase(apiKey: .metadata, version: 4, request: 1, response: 0),
        HeaderCase(apiKey: .metadata, version: 12, request: 2, response: 1),
        HeaderCase(apiKey: .apiVersions, version: 0, request: 1, response: 0),
        HeaderCase(apiKey: .apiVersions, version: 3, request: 2, response: 0),  // KIP-511: always v0
        HeaderCase(apiKey: .apiVersions, version: 9, request: 2, response: 0),  // unknown newer version
        HeaderCase(apiKey: .saslHandshake, version: 1, request: 1, response: 0),  // never flexible
        HeaderCase(apiKey: .describeCluster, version: 0, request: 2, response: 1),  // always flexible
        HeaderCase(apiKey: KafkaApiKey(rawValue: 74), version: 0, request: 1, response: 0),  // no generated type
    ]

    @Test(arguments: cases)
    func headerVersionsFollowFlexibility(_ item: HeaderCase) {
        #expect(item.apiKey.requestHeaderVersion(for: item.version) == item.request)
        #expect(item.apiKey.responseHeaderVersion(for: item.version) == item.response)
    }

    @Test func generatedTypesAgreeWithTheirApiKey() {
        for key in KafkaApiKey.generated {
            #expect(key.requestType?.apiKey == key)
            #expect(key.responseType?.apiKey == key)
            #expect(key.requestType?.validVersions == key.responseType?.validVersions)
            #expect(key.name != nil)
        }
        #expect(KafkaApiKey.generated.count == 27)
        #expect(KafkaApiKey(rawValue: 18).description == "ApiVersions(18)")
        #expect(KafkaApiKey(rawValue: 999).description == "Unknown(999)")
    }

    @Test func apiVersionsResponseUsesHeaderV0EvenWhenFlexible() throws {
        let header = RequestHeader(
            requestApiKey: 18,
            requestApiVersion: 3,
            correlationId: 0x0102_0304,
            clientId: "kcat"
        )
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 3)])
        var frame = ByteBuffer()
        frame.writeKafkaResponseFrame(response, for: header)
        #expect(frame.readInteger(as: Int32.self) == Int32(frame.readableBytes))
        #expect(frame.readInteger(as: Int32.self) == 0x0102_0304)
        // No header tag byte: the body starts right away with ErrorCode.
        #expect(try ApiVersionsResponse(from: &frame, version: 3) == response)
        #expect(frame.readableBytes == 0)
    }

    @Test func flexibleResponsesGetHeaderV1() throws {
        let header = RequestHeader(requestApiKey: 3, requestApiVersion: 9, correlationId: 42, clientId: nil)
        let response = AnyKafkaResponse.metadata(MetadataResponse(throttleTimeMs: 5, clusterId: "plexus"))
        var frame = ByteBuffer()
        frame.writeKafkaResponseFrame(response, for: header)
        #expect(frame.readInteger(as: Int32.self) == Int32(frame.readableBytes))
        #expect(try ResponseHeader(from: &frame, version: 1).correlationId == 42)
        #expect(try AnyKafkaResponse(apiKey: .metadata, version: 9, from: &frame) == response)
        #expect(frame.readableBytes == 0)
    }

    @Test func clientIdStaysANonCompactStringInHeaderV2() throws {
        let header = RequestHeader(requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: "kcat")
        var buffer = ByteBuffer()
        header.write(to: &buffer, version: 2)
        #expect(Array(buffer.readableBytesView) == [0, 18, 0, 3, 0, 0, 0, 1, 0, 4] + Array("kcat".utf8) + [0])
    }

    @Test func unknownApiKeysKeepTheirBodyForTheFrontEnd() throws {
        var frame = ByteBuffer()
        RequestHeader(requestApiKey: 74, requestApiVersion: 0, correlationId: 9, clientId: "x").write(
            to: &frame,
            version: 1
        )
        frame.writeBytes([1, 2, 3])
        let parsed = try KafkaRequestFrame(parsing: frame)
        #expect(parsed.header.correlationId == 9)
        #expect(parsed.body == ByteBuffer(bytes: [1, 2, 3]))
        #expect(throws: KafkaWireError.unknownApiKey(74)) { _ = try parsed.decodeRequest() }
    }

    @Test func unsupportedVersionsOfKnownApisAreReportedAfterTheHeader() throws {
        var frame = ByteBuffer()
        RequestHeader(requestApiKey: 18, requestApiVersion: 9, correlationId: 5, clientId: "new").write(
            to: &frame,
            version: 2
        )
        let parsed = try KafkaRequestFrame(parsing: frame)
        #expect(parsed.header.correlationId == 5)
        #expect(throws: KafkaWireError.unsupportedVersion(apiKey: 18, version: 9)) { _ = try parsed.decodeRequest() }
    }

    @Test func decodeErrorsNameTheApiVersionAndField() throws {
        let frame = try GoldenRequestTests.frame("kcat-produce-v7.bin")
        // null txn id (2) + acks (2) + timeout (4) + 1 topic (4) + "kcat-none" (2+9) + 1 partition (4), then half an Index.
        let cut = frame.body.getSlice(at: frame.body.readerIndex, length: 29)!
        do {
            _ = try KafkaRequestFrame.decodeRequest(frame.header, body: cut)
            Issue.record("expected an error")
        } catch {
            let location = try #require(error.location)
            #expect(location.apiKey == 0)
            #expect(location.apiVersion == 7)
            #expect(location.field == "ProduceRequest.TopicData.PartitionData.Index")
        }
    }
}
