import NIOCore
import PlexusKafkaWire
import PlexusTestSupport
import Testing

/// Truncated and random input must always throw ``KafkaWireError`` or decode; it must never trap.
struct RobustnessTests {
    @Test(arguments: KafkaFixtures.requestNames)
    func everyTruncationOfAGoldenRequestThrows(name: String) throws {
        let frame = try GoldenRequestTests.frame(name)
        let body = frame.body
        for length in 0..<body.readableBytes {
            let cut = body.getSlice(at: body.readerIndex, length: length)!
            #expect(throws: KafkaWireError.self, "body cut at \(length)") {
                _ = try KafkaRequestFrame.decodeRequest(frame.header, body: cut)
            }
        }
        // Whole frames cut anywhere, header included.
        let whole = try KafkaFixtures.request(name)
        for length in 0..<(whole.readableBytes - 4) {
            let cut = whole.getSlice(at: 4, length: length)!
            #expect(throws: KafkaWireError.self, "frame cut at \(length)") {
                _ = try KafkaRequestFrame(parsing: cut).decodeRequest()
            }
        }
    }

    @Test(arguments: allGeneratedMessageTypes.map { MessageVersion(type: $0, version: 0) })
    func randomBytesNeverTrap(_ item: MessageVersion) {
        // Seeded from the type name so every run (and every type) gets its own reproducible inputs.
        var random = SplitMix64(seed: "\(item.type)".utf8.reduce(0x5EED) { $0 &* 31 &+ UInt64($1) })
        let versions = Array(item.type.validVersions)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...48, using: &random)
            var buffer = ByteBuffer(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
            // Small lengths and counts are common on the wire; bias some leading bytes towards them.
            if length > 2, Bool.random(using: &random) { buffer.setInteger(UInt8(0), at: 0) }
            let version = versions.randomElement(using: &random)!
            _ = try? item.type.init(from: &buffer, version: version)
        }
    }

    @Test(arguments: allGeneratedMessageTypes.map { MessageVersion(type: $0, version: 0) })
    func mutatedSamplesNeverTrap(_ item: MessageVersion) {
        var random = SplitMix64(seed: 0xC0FFEE)
        let encodings = item.type.validVersions.map { version -> (Int16, [UInt8]) in
            var buffer = ByteBuffer()
            Self.sample(item.type, version: version).write(to: &buffer, version: version)
            return (version, Array(buffer.readableBytesView))
        }
        for _ in 0..<3000 {
            var (version, bytes) = encodings.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] = [0x00, 0x7F, 0x80, 0xFF].randomElement(using: &random)!
                case 2: bytes.removeSubrange(index...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            var buffer = ByteBuffer(bytes: bytes)
            _ = try? item.type.init(from: &buffer, version: version)
        }
    }

    @Test func mutatedGoldenFramesNeverTrap() throws {
        var random = SplitMix64(seed: 42)
        let frames = try KafkaFixtures.requestNames.map {
            Array(try KafkaFixtures.request($0).readableBytesView.dropFirst(4))
        }
        for _ in 0..<5000 {
            var bytes = frames.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            _ = try? KafkaRequestFrame(parsing: ByteBuffer(bytes: bytes)).decodeRequest()
        }
    }

    static func sample<Message: KafkaMessage & KafkaSampleable>(_ type: Message.Type, version: Int16) -> Message {
        Message.sample(version: version)
    }
}
