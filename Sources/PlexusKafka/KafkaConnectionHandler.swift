import Logging
public import NIOCore
import PlexusKafkaWire

/// The thin per-connection shell: frames in, responses out, in request order.
///
/// Up to `maxInFlightRequests` requests are processed at once (reads pause beyond that, which is the
/// back-pressure on a client); responses are written strictly in the order the requests arrived. A
/// malformed frame or a request Kafka would close the connection for closes this connection only, with one
/// log line. On quiesce (graceful shutdown) it stops reading, finishes what is in flight and closes.
public final class KafkaConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let processor: KafkaRequestProcessor
    private let maxInFlight: Int
    private var logger: Logger
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: ByteBuffer?] = [:]
    private var inFlight = 0
    private var readsPaused = false
    private var quiescing = false

    public init(processor: KafkaRequestProcessor, connectionID: String) {
        self.processor = processor
        self.maxInFlight = max(1, processor.configuration.maxInFlightRequests)
        var logger = processor.logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !quiescing else { return }
        let frame: KafkaRequestFrame
        do {
            frame = try KafkaRequestFrame(parsing: unwrapInboundIn(data))
        } catch {
            logger.info("closing connection: malformed request header", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        let sequence = nextSequence
        nextSequence += 1
        inFlight += 1
        if inFlight >= maxInFlight && !readsPaused {
            readsPaused = true
            context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        }
        let processor = self.processor
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            try await processor.process(frame)
        }.whenComplete { result in
            let (handler, context) = bound.value
            handler.complete(sequence, result, context: context)
        }
    }

    private func complete(_ sequence: Int, _ result: Result<ByteBuffer?, any Error>, context: ChannelHandlerContext) {
        switch result {
        case .success(let response):
            finished[sequence] = .some(response)
        case .failure(let error):
            logger.info("closing connection", metadata: ["reason": "\(error)"])
            context.close(promise: nil)
            return
        }
        var wrote = false
        while let response = finished.removeValue(forKey: nextToWrite) {
            if let response {
                context.write(wrapOutboundOut(response), promise: nil)
                wrote = true
            }
            nextToWrite += 1
            inFlight -= 1
        }
        if wrote { context.flush() }
        if quiescing && inFlight == 0 {
            context.close(promise: nil)
        } else if readsPaused && inFlight < maxInFlight {
            readsPaused = false
            context.channel.setOption(.autoRead, value: true).whenComplete { _ in }
            context.read()
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if inFlight == 0 { context.close(promise: nil) }
        } else if event is IdleStateHandler.IdleStateEvent {
            logger.debug("closing idle connection")
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("closing connection after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
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
