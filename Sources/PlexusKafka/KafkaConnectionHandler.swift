import Logging
public import NIOCore
import PlexusKafkaWire

/// The thin per-connection shell: frames in, responses out, in request order.
///
/// Requests of one connection are processed one at a time, in order, as Kafka brokers do: a producer's
/// pipelined batches to a partition must land in the order sent. Up to `maxInFlightRequests` frames are
/// read ahead; beyond that reads pause (the back-pressure on a client). Group commit still shares fsyncs
/// across connections and partitions. A malformed frame or a request Kafka would close the connection for
/// closes this connection only, with one log line. On quiesce (graceful shutdown) it stops reading,
/// finishes the request in progress and closes.
public final class KafkaConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let processor: KafkaRequestProcessor
    private let maxQueued: Int
    private var logger: Logger
    private var queued: [KafkaRequestFrame] = []
    private var processing = false
    private var readsPaused = false
    private var quiescing = false
    private var closed = false

    public init(processor: KafkaRequestProcessor, connectionID: String) {
        self.processor = processor
        self.maxQueued = max(1, processor.configuration.maxInFlightRequests)
        var logger = processor.logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !quiescing, !closed else { return }
        do {
            queued.append(try KafkaRequestFrame(parsing: unwrapInboundIn(data)))
        } catch {
            close(context, reason: "malformed request header: \(error)")
            return
        }
        if queued.count >= maxQueued && !readsPaused {
            readsPaused = true
            context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        }
        startNext(context: context)
    }

    private func startNext(context: ChannelHandlerContext) {
        guard !processing, !closed, !queued.isEmpty else { return }
        processing = true
        let frame = queued.removeFirst()
        let processor = self.processor
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            try await processor.process(frame)
        }.whenComplete { result in
            let (handler, context) = bound.value
            handler.finished(result, context: context)
        }
    }

    private func finished(_ result: Result<ByteBuffer?, any Error>, context: ChannelHandlerContext) {
        processing = false
        switch result {
        case .success(let response):
            if let response { context.writeAndFlush(wrapOutboundOut(response), promise: nil) }
        case .failure(let error):
            close(context, reason: "\(error)")
            return
        }
        if quiescing {
            context.close(promise: nil)
            return
        }
        if readsPaused && queued.count < maxQueued {
            readsPaused = false
            context.channel.setOption(.autoRead, value: true).whenComplete { _ in }
            context.read()
        }
        startNext(context: context)
    }

    private func close(_ context: ChannelHandlerContext, reason: String) {
        guard !closed else { return }
        closed = true
        logger.info("closing connection", metadata: ["reason": "\(reason)"])
        context.close(promise: nil)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            queued.removeAll()
            if !processing { context.close(promise: nil) }
        } else if event is IdleStateHandler.IdleStateEvent {
            logger.debug("closing idle connection")
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, reason: "\(error)")
    }
}

/// Sets a new Kafka connection's pipeline up: idle timeout, framing with the size limit, the handler.
public enum KafkaFrontEnd {
    public static func configure(_ channel: any Channel, processor: KafkaRequestProcessor) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let idle = processor.configuration.idleTimeout.components
            let idleNanos = idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000
            let id = channel.remoteAddress.map { "\($0)" } ?? "?"
            try channel.pipeline.syncOperations.addHandlers(
                IdleStateHandler(allTimeout: .nanoseconds(idleNanos)),
                ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: processor.configuration.maxRequestBytes)),
                KafkaConnectionHandler(processor: processor, connectionID: id)
            )
        }
    }
}
