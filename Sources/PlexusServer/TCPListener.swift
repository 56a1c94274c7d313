import NIOConcurrencyHelpers
public import NIOCore
import NIOExtras
import NIOPosix
public import ServiceLifecycle

/// A bound TCP listener for one protocol front end, run as a `Service`.
///
/// ``bind(name:host:port:group:initializer:)`` binds before the node announces readiness, so the ready
/// line can name the real port (port 0 picks one). `run()` waits for graceful shutdown, then stops
/// accepting and asks every open connection to quiesce (`ChannelShouldQuiesceEvent`): front ends finish
/// the requests in flight and close. Connections still open after `drainTimeout` are closed.
public final class TCPListener: Service, Sendable {
    /// The protocol name used in the ready line (`kafka`, `http`, …).
    public let name: String
    /// The address the listener is bound to.
    public let localAddress: SocketAddress
    private let channel: any Channel
    private let quiesce: ServerQuiescingHelper
    private let drainTimeout: TimeAmount

    private init(
        name: String,
        channel: any Channel,
        quiesce: ServerQuiescingHelper,
        drainTimeout: TimeAmount
    ) {
        self.name = name
        self.channel = channel
        self.localAddress = channel.localAddress!
        self.quiesce = quiesce
        self.drainTimeout = drainTimeout
    }

    /// Binds `host:port` and sets every accepted connection up with `initializer`.
    public static func bind(
        name: String,
        host: String,
        port: Int,
        group: any EventLoopGroup,
        drainTimeout: TimeAmount = .seconds(10),
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> TCPListener {
        let quiesce = ServerQuiescingHelper(group: group)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer(initializer)
            .bind(host: host, port: port)
            .get()
        return TCPListener(name: name, channel: channel, quiesce: quiesce, drainTimeout: drainTimeout)
    }

    /// The `HOST:PORT` text of the bound address for the ready line.
    public var readyDescription: String {
        let host = localAddress.ipAddress ?? "?"
        let port = localAddress.port ?? 0
        return host.contains(":") ? "\(name)=[\(host)]:\(port)" : "\(name)=\(host):\(port)"
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let done = channel.eventLoop.makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: done)
        let drained = done.futureResult
        let limit = drainTimeout
        // Whichever comes first: every connection drained, or the drain timeout (after which the event loop
        // group's shutdown closes what is left). A future's `get()` ignores cancellation, so the two are
        // raced through one continuation rather than a task group.
        let waiter = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        let resume: @Sendable () -> Void = {
            waiter.withLockedValue { continuation in
                continuation?.resume()
                continuation = nil
            }
        }
        let timer = Task {
            try? await Task.sleep(for: .nanoseconds(limit.nanoseconds))
            resume()
        }
        await withCheckedContinuation { continuation in
            waiter.withLockedValue { $0 = continuation }
            drained.whenComplete { _ in resume() }
        }
        timer.cancel()
    }
}
