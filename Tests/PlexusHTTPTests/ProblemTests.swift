import HTTPTypes
import Hummingbird
import PlexusHTTP
import PlexusModel
import Testing

/// Broker errors become problems with the catalog's HTTP status; overload says when to retry.
@Suite struct ProblemTests {
    @Test func overloadIs503WithRetryAfterAndOtherErrorsCarryNone() {
        let busy = Problem(PlexusError(.busy, "too many pending bytes"))
        #expect(busy.status == .serviceUnavailable)
        #expect(busy.headers[.retryAfter] == "1")
        #expect(busy.code == "busy")
        let missing = Problem(PlexusError(.unknownTopicOrPartition, "no such topic"))
        #expect(missing.status == .notFound)
        #expect(missing.headers[.retryAfter] == nil)
        let tooLarge = Problem(PlexusError(.messageTooLarge, "big"))
        #expect(tooLarge.status.code == 413)
    }
}
