import PlexusModel
import Testing

struct CRC32CTests {
    @Test(arguments: [
        ("123456789", UInt32(0xE306_9283)),
        ("", UInt32(0)),
        ("a", UInt32(0xC1D0_4330)),
    ])
    func knownVectors(text: String, expected: UInt32) {
        #expect(CRC32C.checksum(Array(text.utf8)) == expected)
    }

    /// RFC 3720 (iSCSI) appendix B.4 test patterns.
    @Test func rfc3720Patterns() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func hardwareAndPortablePathsAgreeOnEveryLengthAndAlignment() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let lengths = Array(0..<300) + [767, 768, 769, 8191, 24_575, 24_576, 24_577, 100_000, 199_000]
        bytes.withUnsafeBytes { raw in
            for length in lengths {
                for start in [0, 1, 3, 7] {
                    let part = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.update(0, part) == CRC32C.portableChecksum(part), "length \(length) start \(start)")
                }
            }
        }
    }

    @Test func updateIsIncremental() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        let split = bytes.withUnsafeBytes { raw in
            CRC32C.update(
                CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[0..<10])),
                UnsafeRawBufferPointer(rebasing: raw[10...])
            )
        }
        #expect(whole == split)
        #expect(whole == 0x2262_0404)
    }
}
