import NIOCore
import PlexusKafkaWire
import PlexusModel
import Testing

/// Real request frames from kcat (librdkafka 2.0.2) and confluent-kafka (librdkafka 2.16): frame →
/// header → body, check the key fields, re-encode, and compare byte for byte.
struct GoldenRequestTests {
    /// Splits one golden file with the frame decoder and parses its header.
    static func frame(_ name: String) throws -> KafkaRequestFrame {
        var bytes = try KafkaFixtures.request(name)
        var decoder = KafkaFrameDecoder()
        let frame = try #require(try decoder.decode(buffer: &bytes))
        #expect(bytes.readableBytes == 0)
        return try KafkaRequestFrame(parsing: frame)
    }

    /// `kcat-produce-v7.bin` → client id `kcat`; `confluent-none-produce-v7.bin` → `confluent-none`.
    static func clientId(of name: String) -> String {
        name.split(separator: "-").prefix(name.hasPrefix("kcat") ? 1 : 2).joined(separator: "-")
    }

    @Test func everyCapturedApiIsCovered() {
        let apis = Set(KafkaFixtures.requestNames.map { $0.split(separator: "-").suffix(2).joined(separator: "-") })
        #expect(apis == ["apiversions-v3.bin", "metadata-v4.bin", "produce-v7.bin", "initproducerid-v1.bin"])
    }

    @Test(arguments: KafkaFixtures.requestNames)
    func headerMatchesTheFileName(name: String) throws {
        let frame = try Self.frame(name)
        #expect(frame.header.clientId == Self.clientId(of: name))
        let version = try #require(Int16(name.split(separator: "-v").last!.dropLast(4)))
        #expect(frame.apiVersion == version)
        #expect(frame.headerVersion == (frame.apiKey == .apiVersions ? 2 : 1))
    }

    @Test(arguments: KafkaFixtures.requestNames)
    func decodesAndReencodesByteForByte(name: String) throws {
        let original = try KafkaFixtures.request(name)
        let frame = try Self.frame(name)
        let request = try frame.decodeRequest()
        var reencoded = ByteBuffer()
        reencoded.writeKafkaRequestFrame(request, header: frame.header)
        #expect(reencoded == original)
    }

    @Test(arguments: KafkaFixtures.requestNames.filter { $0.contains("-apiversions-") })
    func apiVersionsCarriesTheClientSoftware(name: String) throws {
        guard case .apiVersions(let request) = try Self.frame(name).decodeRequest() else {
            Issue.record("not an ApiVersions request")
            return
        }
        if name.hasPrefix("kcat") {
            #expect(request.clientSoftwareName == "librdkafka")
            #expect(request.clientSoftwareVersion == "2.0.2")
        } else {
            #expect(request.clientSoftwareName == "confluent-kafka-python")
            #expect(request.clientSoftwareVersion == "2.16.1-rdkafka-2.16.0")
        }
    }

    @Test(arguments: KafkaFixtures.requestNames.filter { $0.contains("-metadata-") })
    func metadataAsksForTheProducedTopic(name: String) throws {
        guard case .metadata(let request) = try Self.frame(name).decodeRequest() else {
            Issue.record("not a Metadata request")
            return
        }
        let topic = name.hasPrefix("kcat") ? "kcat-none" : Self.clientId(of: name)
        #expect(request.topics == [.init(name: topic)])
        #expect(request.allowAutoTopicCreation)
    }

    @Test(arguments: KafkaFixtures.requestNames.filter { $0.contains("-produce-") })
    func produceRecordsAreTheCapturedBatch(name: String) throws {
        guard case .produce(let request) = try Self.frame(name).decodeRequest() else {
            Issue.record("not a Produce request")
            return
        }
        let topic = name.hasPrefix("kcat") ? "kcat-none" : Self.clientId(of: name)
        #expect(request.transactionalId == nil)
        #expect(request.acks == -1)
        #expect(request.timeoutMs == 30000)
        let topicData = try #require(request.topicData.first)
        #expect(request.topicData.count == 1)
        #expect(topicData.name == topic)
        let partition = try #require(topicData.partitionData.first)
        #expect(partition.index == 0)
        let records = try #require(partition.records)
        #expect(records == (try KafkaFixtures.recordBatch(topic)))
        #expect(try RecordBatch(validating: records).header.recordsCount > 0)
    }

    @Test func initProducerIdIsNonTransactional() throws {
        guard
            case .initProducerId(let request) = try Self.frame("confluent-idempotent-initproducerid-v1.bin")
                .decodeRequest()
        else {
            Issue.record("not an InitProducerId request")
            return
        }
        #expect(request.transactionalId == nil)
        #expect(request.transactionTimeoutMs == -1)
    }

    @Test func produceRecordsAreASliceOfTheFrameNotACopy() throws {
        let bytes = try KafkaFixtures.request("kcat-produce-v7.bin")
        let frame = try KafkaRequestFrame(parsing: bytes.getSlice(at: 4, length: bytes.readableBytes - 4)!)
        guard case .produce(let request) = try frame.decodeRequest() else {
            Issue.record("not a Produce request")
            return
        }
        let records = try #require(request.topicData.first?.partitionData.first?.records)
        let shared = records.withUnsafeReadableBytes { recordsPointer in
            bytes.withUnsafeReadableBytes { framePointer in
                recordsPointer.baseAddress! >= framePointer.baseAddress!
                    && recordsPointer.baseAddress! < framePointer.baseAddress! + framePointer.count
            }
        }
        #expect(shared)
    }
}
