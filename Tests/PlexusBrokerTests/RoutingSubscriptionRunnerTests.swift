import NIOCore
import PlexusModel
import Testing

@testable import PlexusBroker

@Suite struct RoutingSubscriptionRunnerTests {
    func event(notBefore: CloudEventAttributeValue?) -> CloudEvent {
        var event = CloudEvent(id: "1", source: "/s", type: "t")
        event.extensions[DelayedDelivery.attribute] = notBefore
        return event
    }

    // MARK: DelayedDelivery

    @Test func notBeforeReadsAnRFC3339String() {
        #expect(DelayedDelivery.attribute == "notbefore")
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("2024-01-01T00:00:00Z"))) == 1_704_067_200_000)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("2024-01-01T00:00:00.250Z"))) == 1_704_067_200_250)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("2024-01-01T01:00:00+01:00"))) == 1_704_067_200_000)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("1970-01-01T00:00:00.0019Z"))) == 1)
    }

    @Test func notBeforeReadsATimestamp() throws {
        let time = try #require(CloudEventTime(rfc3339: "1970-01-01T00:00:01.5Z"))
        #expect(DelayedDelivery.notBefore(event(notBefore: .timestamp(time))) == 1_500)
        let later = try #require(CloudEventTime(rfc3339: "2024-01-01T00:00:00.999999999Z"))
        #expect(DelayedDelivery.notBefore(event(notBefore: .timestamp(later))) == 1_704_067_200_999)
    }

    @Test func notBeforeIsNilWhenAbsentOrUnreadable() {
        #expect(DelayedDelivery.notBefore(event(notBefore: nil)) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("tomorrow"))) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("2024-02-30T00:00:00Z"))) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string("2024-01-01"))) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .string(""))) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .integer(5))) == nil)
        #expect(DelayedDelivery.notBefore(event(notBefore: .boolean(true))) == nil)
        // The core `time` attribute is not a not-before time.
        var timed = event(notBefore: nil)
        timed.time = CloudEventTime(rfc3339: "2024-01-01T00:00:00Z")
        #expect(DelayedDelivery.notBefore(timed) == nil)
    }

    // MARK: Replies

    static let replyHeaders = [
        "ce-specversion": "1.0",
        "ce-id": "reply-1",
        "ce-source": "/sink",
        "ce-type": "com.example.reply",
        "ce-region": "eu",
        "content-type": "application/json",
    ]

    @Test func binaryModeEventInA200ResponseIsAReply() throws {
        let body = ByteBuffer(string: #"{"ok":true}"#)
        let replies = SubscriptionRunner.replies(in: .status(200, headers: Self.replyHeaders, body: body))
        try #require(replies.count == 1)
        #expect(replies[0].id == "reply-1")
        #expect(replies[0].source == "/sink")
        #expect(replies[0].type == "com.example.reply")
        #expect(replies[0].datacontenttype == "application/json")
        #expect(replies[0].extensions["region"] == .string("eu"))
        #expect(replies[0].data == body)
    }

    @Test func structuredModeEventInAResponseIsAReply() throws {
        let body = ByteBuffer(string: #"{"specversion":"1.0","id":"r2","source":"/sink","type":"t","data":{"a":1}}"#)
        let headers = ["content-type": "application/cloudevents+json; charset=UTF-8"]
        let replies = SubscriptionRunner.replies(in: .status(202, headers: headers, body: body))
        #expect(replies.map(\.id) == ["r2"])
    }

    @Test func plainJSONBodyIsNoReply() {
        let body = ByteBuffer(string: #"{"specversion":"1.0","id":"x","source":"/s","type":"t"}"#)
        #expect(
            SubscriptionRunner.replies(in: .status(200, headers: ["content-type": "application/json"], body: body))
                .isEmpty
        )
        #expect(SubscriptionRunner.replies(in: .status(200, headers: [:], body: body)).isEmpty)
        #expect(SubscriptionRunner.replies(in: .status(204, headers: [:], body: ByteBuffer())).isEmpty)
    }

    @Test func invalidEventInAResponseIsNoReply() {
        var headers = Self.replyHeaders
        headers["ce-id"] = nil
        #expect(SubscriptionRunner.replies(in: .status(200, headers: headers, body: ByteBuffer())).isEmpty)
        let garbage = ByteBuffer(string: "not json")
        let structured = ["content-type": "application/cloudevents+json"]
        #expect(SubscriptionRunner.replies(in: .status(200, headers: structured, body: garbage)).isEmpty)
    }

    @Test func failedAttemptsHaveNoReplies() {
        #expect(SubscriptionRunner.replies(in: .timeout).isEmpty)
        #expect(SubscriptionRunner.replies(in: .connectionFailed("refused")).isEmpty)
    }

    // MARK: Failures

    @Test func timeoutFailureIsCodedTimeout() {
        let failure = SubscriptionRunner.failure(.timeout, attempts: 4)
        #expect(failure.code == "timeout")
        #expect(failure.data == "")
        #expect(failure.attempts == 4)
    }

    @Test func connectionFailureIsCodedConnectionWithTheReason() {
        let failure = SubscriptionRunner.failure(.connectionFailed("connection refused"), attempts: 1)
        #expect(failure.code == "connection")
        #expect(failure.data == "connection refused")
        #expect(failure.attempts == 1)
        let long = SubscriptionRunner.failure(.connectionFailed(String(repeating: "e", count: 5_000)), attempts: 1)
        #expect(long.data.count == 1_024)
    }

    @Test func statusFailureIsCodedWithTheStatusAndCarriesTheBody() {
        let failure = SubscriptionRunner.failure(
            .status(422, headers: [:], body: ByteBuffer(string: "bad order")),
            attempts: 2
        )
        #expect(failure.code == "422")
        #expect(failure.data == "bad order")
        #expect(failure.attempts == 2)
        #expect(SubscriptionRunner.failure(.status(503, headers: [:], body: ByteBuffer()), attempts: 1).data == "")
    }

    @Test func statusFailureBodyIsCutToOneKibibyte() {
        let body = ByteBuffer(
            string: String(repeating: "x", count: 1_023) + "yz" + String(repeating: "w", count: 3_000)
        )
        let failure = SubscriptionRunner.failure(.status(500, headers: [:], body: body), attempts: 1)
        #expect(failure.data.utf8.count == 1_024)
        #expect(failure.data.hasSuffix("xy"))
    }

    @Test func statusFailureBodyStartsAtTheReaderIndex() {
        var body = ByteBuffer(string: "HEADERbody")
        body.moveReaderIndex(forwardBy: 6)
        #expect(SubscriptionRunner.failure(.status(500, headers: [:], body: body), attempts: 1).data == "body")
    }

    @Test func statusFailureBodyControlCharactersBecomeSpaces() {
        let body = ByteBuffer(string: "a\u{0}b\rc\u{1B}d\u{7}e")
        let failure = SubscriptionRunner.failure(.status(500, headers: [:], body: body), attempts: 1)
        #expect(failure.data == "a b c d e")
    }

    @Test func statusFailureBodyInvalidUTF8IsReplaced() {
        let body = ByteBuffer(bytes: [0x61, 0xFF, 0x62])
        #expect(SubscriptionRunner.failure(.status(500, headers: [:], body: body), attempts: 1).data == "a\u{FFFD}b")
    }

    /// The data goes into the dead letter's `plexuserrordata` String attribute, which CloudEvents forbids
    /// to hold U+0000–001F (newline and tab included) and U+007F–009F; with them the dead letter fails
    /// validation wherever it is decoded again.
    @Test func statusFailureDataIsAValidCloudEventsString() {
        let body = ByteBuffer(string: "{\n\t\"error\": \"bad\"\n}\u{7F}\u{85}")
        let failure = SubscriptionRunner.failure(.status(400, headers: [:], body: body), attempts: 1)
        let letter = CloudEvent(
            id: "1",
            source: "/s",
            type: "t",
            extensions: ["plexuserrordata": .string(failure.data)]
        )
        #expect(letter.validate().isEmpty, "\(letter.validate())")
        // A dead letter forwarded to a stream must decode again from the stored record.
        #expect(throws: Never.self) { try CloudEventKafkaBinding.decode(CloudEventKafkaBinding.encodeBinary(letter)) }
    }
}
