import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
public import PlexusKafkaWire
import PlexusModel

/// A small Kafka client over one connection: the CLI's `topic`, `produce` and `consume` use it, and
/// bridges and mesh links will.
///
/// ``connect(host:port:clientId:)`` negotiates versions with ApiVersions; ``send(_:)`` picks the highest
/// version both sides support, matches responses to requests by correlation id and decodes them.
/// Requests may be pipelined from many tasks.
public final class KafkaClient: Sendable {
    private let channel: any Channel
    private let state = NIOLockedValueBox<(next: Int32, brokerVersions: [Int16: ClosedRange<Int16>])>((1, [:]))
    public let clientId: String

    /// The versions this client can speak, per API.
    static let clientVersions: [KafkaApiKey: ClosedRange<Int16>] = [
        .apiVersions: 0...3, .metadata: 1...12, .produce: 3...9, .fetch: 4...12, .listOffsets: 1...6,
        .createTopics: 2...7, .deleteTopics: 1...6, .describeConfigs: 1...4, .createPartitions: 0...3,
        .listGroups: 0...4, .describeGroups: 0...5, .offsetFetch: 2...7, .findCoordinator: 0...4,
    ]

    private init(channel: any Channel, clientId: String) {
        self.channel = channel
        self.clientId = clientId
    }

    /// Connects and negotiates API versions.
    public static func connect(
        host: String,
        port: Int,
        clientId: String = "plexus-cli",
        group: (any EventLoopGroup)? = nil
    ) async throws -> KafkaClient {
        let channel = try await ClientBootstrap(group: group ?? MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(KafkaFrameDecoder()),
                        KafkaClientHandler()
                    )
                }
            }
            .connect(host: host, port: port)
            .get()
        let client = KafkaClient(channel: channel, clientId: clientId)
        let versions = try await client.send(
            ApiVersionsRequest(clientSoftwareName: "plexus", clientSoftwareVersion: "0"),
            version: 3
        )
        guard versions.errorCode == 0 else {
            throw PlexusError(.unsupportedVersion, "the broker refused ApiVersions v3 (error \(versions.errorCode))")
        }
        client.state.withLockedValue { state in
            for key in versions.apiKeys { state.brokerVersions[key.apiKey] = key.minVersion...key.maxVersion }
        }
        return client
    }

    /// The version to use for `key`: the highest both sides support.
    public func version(for key: KafkaApiKey) throws -> Int16 {
        guard let mine = Self.clientVersions[key],
            let theirs = state.withLockedValue({ $0.brokerVersions[key.rawValue] }),
            mine.overlaps(theirs)
        else {
            throw PlexusError(.unsupportedVersion, "the broker and this client share no version of \(key)")
        }
        return min(mine.upperBound, theirs.upperBound)
    }

    /// Sends a request at the negotiated version and returns its response.
    public func send<Request: KafkaRequest>(_ request: Request) async throws -> Request.Response {
        try await send(request, version: version(for: Request.apiKey))
    }

    /// Sends `request` at `version` and returns its response.
    public func send<Request: KafkaRequest>(_ request: Request, version: Int16) async throws -> Request.Response {
        let correlationId = state.withLockedValue { state in
            defer { state.next = state.next == Int32.max ? 1 : state.next + 1 }
            return state.next
        }
        let header = RequestHeader(
            requestApiKey: Request.apiKey.rawValue,
            requestApiVersion: version,
            correlationId: correlationId,
            clientId: clientId
        )
        var frame = channel.allocator.buffer(capacity: 256)
        frame.writeInteger(Int32(0))
        header.write(to: &frame, version: Request.requestHeaderVersion(for: version))
        request.write(to: &frame, version: version)
        frame.setInteger(Int32(frame.readableBytes - 4), at: 0)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        channel.writeAndFlush(
            KafkaClientHandler.Outbound(frame: frame, correlationId: correlationId, promise: promise),
            promise: nil
        )
        var body = try await promise.futureResult.get()
        _ = try ResponseHeader(from: &body, version: Request.Response.responseHeaderVersion(for: version))
        return try Request.Response(from: &body, version: version)
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }
}

/// Matches response frames to waiting requests by correlation id.
final class KafkaClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Outbound
    typealias OutboundOut = ByteBuffer

    struct Outbound {
        var frame: ByteBuffer
        var correlationId: Int32
        var promise: EventLoopPromise<ByteBuffer>
    }

    private var waiting: [Int32: EventLoopPromise<ByteBuffer>] = [:]

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting[request.correlationId] = request.promise
        context.write(wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let id = frame.getInteger(at: frame.readerIndex, as: Int32.self),
            let promise = waiting.removeValue(forKey: id)
        else {
            context.fireErrorCaught(PlexusError(.invalidRequest, "response with an unknown correlation id"))
            return
        }
        promise.succeed(frame)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(PlexusError(.shuttingDown, "the connection to the broker closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        let all = waiting
        waiting = [:]
        for promise in all.values { promise.fail(error) }
    }
}
