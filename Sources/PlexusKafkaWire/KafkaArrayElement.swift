import NIOCore

/// A type that can be an element of a Kafka array: the integer primitives, strings, UUIDs and every
/// generated struct (through ``KafkaStruct``).
protocol KafkaArrayElement {
    /// Reads one element.
    static func readKafkaElement(from buffer: inout ByteBuffer, version: Int16, compact: Bool, _ field: String)
        throws(KafkaWireError) -> Self
    /// Writes one element.
    func writeKafkaElement(to buffer: inout ByteBuffer, version: Int16, compact: Bool)
}

extension KafkaArrayElement where Self: FixedWidthInteger {
    static func readKafkaElement(from buffer: inout ByteBuffer, version: Int16, compact: Bool, _ field: String)
        throws(KafkaWireError) -> Self
    {
        try buffer.readKafkaInteger(field)
    }

    func writeKafkaElement(to buffer: inout ByteBuffer, version: Int16, compact: Bool) {
        buffer.writeInteger(self)
    }
}

extension Int8: KafkaArrayElement {}
extension Int16: KafkaArrayElement {}
extension Int32: KafkaArrayElement {}
extension Int64: KafkaArrayElement {}
extension UInt16: KafkaArrayElement {}
extension UInt32: KafkaArrayElement {}

extension String: KafkaArrayElement {
    static func readKafkaElement(from buffer: inout ByteBuffer, version: Int16, compact: Bool, _ field: String)
        throws(KafkaWireError) -> String
    {
        try buffer.readKafkaString(compact: compact, field)
    }

    func writeKafkaElement(to buffer: inout ByteBuffer, version: Int16, compact: Bool) {
        buffer.writeKafkaString(self, compact: compact)
    }
}

extension KafkaUUID: KafkaArrayElement {
    static func readKafkaElement(from buffer: inout ByteBuffer, version: Int16, compact: Bool, _ field: String)
        throws(KafkaWireError) -> KafkaUUID
    {
        try buffer.readKafkaUUID(field)
    }

    func writeKafkaElement(to buffer: inout ByteBuffer, version: Int16, compact: Bool) {
        buffer.writeKafkaUUID(self)
    }
}

/// A generated nested struct (array element or struct-typed field) with a version-aware codec.
///
/// Nested structs do not add API-key context to errors; the enclosing message's decoder does.
protocol KafkaStruct: KafkaArrayElement {
    /// Decodes the struct at `version` of the enclosing message.
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError)
    /// Encodes the struct at `version` of the enclosing message.
    func write(to buffer: inout ByteBuffer, version: Int16)
}

extension KafkaStruct {
    static func readKafkaElement(from buffer: inout ByteBuffer, version: Int16, compact: Bool, _ field: String)
        throws(KafkaWireError) -> Self
    {
        try Self(from: &buffer, version: version)
    }

    func writeKafkaElement(to buffer: inout ByteBuffer, version: Int16, compact: Bool) {
        write(to: &buffer, version: version)
    }
}
