import CoreMetrics
import Logging
public import NIOCore
import PlexusKafkaWire
import PlexusStorage

/// The thin per-connection shell: frames in, responses out, in request order.
///
/// Requests of one connection are *begun* one at a time, in order (``KafkaRequestProcessor/begin(_:)``):
/// a produce request's batches are enqueued — offsets assigned — before the next request starts, so a
/// producer's pipelined batches land in the order sent, as Kafka guarantees. What follows (waiting for the
/// fsync, building the response) overlaps with later requests, and responses are written strictly in
/// request order. At most `maxInFlightRequests` requests are read ahead or outstanding; beyond that reads
/// pause (the back-pressure on a client). A malformed frame or a request Kafka would close the connection
/// for closes this connection only, with one log line. On quiesce (graceful shutdown) it stops reading,
/// finishes the requests begun and closes.
public final class KafkaConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = IOData

    private let processor: KafkaRequestProcessor
    private let maxOutstanding: Int
    private var logger: Logger
    private var queued: [KafkaRequestFrame] = []
    private var beginning = false
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: KafkaOutboundFrame?] = [:]
    /// The tasks of requests still waiting (fetch long polls), cancelled when the connection closes.
    private var pendingTasks: [Int: Task<Void, Never>] = [:]
    /// Requests begun whose responses are not written yet.
    private var outstanding = 0
    private var readsPaused = false
    private var quiescing = false
    private var closed = false

    /// The peer as Kafka shows a member's host (`/127.0.0.1`), or "" when unknown.
    private let clientHost: String

    public init(processor: KafkaRequestProcessor, connectionID: String, clientHost: String = "") {
        self.processor = processor
        self.clientHost = clientHost
        self.maxOutstanding = max(1, processor.configuration.maxInFlightRequests)
        var logger = processor.logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        self.logger = logger
    }

    /// Open Kafka connections (`plexus_connections{protocol="kafka"}`).
    static let connections = Meter(label: "plexus_connections", dimensions: [("protocol", "kafka")])

    public func channelActive(context: ChannelHandlerContext) {
        Self.connections.increment()
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        Self.connections.decrement()
        for task in pendingTasks.values { task.cancel() }
        pendingTasks.removeAll()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !quiescing, !closed else { return }
        do {
            queued.append(try KafkaRequestFrame(parsing: unwrapInboundIn(data)))
        } catch {
            close(context, reason: "malformed request header: \(error)")
            return
        }
        updateReads(context: context)
        beginNext(context: context)
    }

    private func updateReads(context: ChannelHandlerContext) {
        let busy = queued.count + outstanding >= maxOutstanding
        if busy && !readsPaused {
            readsPaused = true
            context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        } else if !busy && readsPaused {
            readsPaused = false
            context.channel.setOption(.autoRead, value: true).whenComplete { _ in }
            context.read()
        }
    }

    private func beginNext(context: ChannelHandlerContext) {
        guard !beginning, !closed, !queued.isEmpty else { return }
        outstanding += 1
        let frame = queued.removeFirst()
        KafkaRequestProcessor.countRequest(frame.apiKey)
        let sequence = nextSequence
        nextSequence += 1
        let processor = self.processor
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let clientHost = self.clientHost
        // The hot path (a produce to existing topics) begins right here, without a task.
        let immediate: KafkaBegunRequest?
        do {
            immediate = try processor.beginWithoutSuspending(frame)
        } catch {
            close(context, reason: "\(error)")
            return
        }
        if let immediate {
            started(immediate, sequence: sequence, bound: bound, loop: loop)
            beginNext(context: context)
            return
        }
        beginning = true
        loop.makeFutureWithTask {
            try await processor.begin(frame, clientHost: clientHost)
        }.whenComplete { result in
            let (handler, context) = bound.value
            handler.beginning = false
            switch result {
            case .failure(let error):
                handler.close(context, reason: "\(error)")
            case .success(let begun):
                handler.started(begun, sequence: sequence, bound: bound, loop: loop)
                handler.beginNext(context: context)
            }
        }
    }

    /// Arranges for a begun request's response to be written in its turn.
    private func started(
        _ begun: KafkaBegunRequest,
        sequence: Int,
        bound: NIOLoopBound<(KafkaConnectionHandler, ChannelHandlerContext)>,
        loop: any EventLoop
    ) {
        switch begun {
        case .ready(let response):
            finished(sequence, response, context: bound.value.1)
        case .pending(let rest):
            // Kept so that a closed connection cancels its waits (long polls, group joins) at once.
            let promise = loop.makePromise(of: KafkaOutboundFrame?.self)
            pendingTasks[sequence] = Task { promise.succeed(await rest()) }
            promise.futureResult.whenSuccess { response in
                let (handler, context) = bound.value
                handler.pendingTasks[sequence] = nil
                handler.finished(sequence, response, context: context)
            }
        case .waiting(let start):
            start { encode in
                loop.execute {
                    let (handler, context) = bound.value
                    handler.finished(sequence, encode(), context: context)
                }
            }
        }
    }

    private func finished(_ sequence: Int, _ response: KafkaOutboundFrame?, context: ChannelHandlerContext) {
        guard !closed else { return }
        finished[sequence] = .some(response)
        var wrote = false
        while let next = finished.removeValue(forKey: nextToWrite) {
            if let next {
                write(next, context: context)
                wrote = true
            }
            nextToWrite += 1
            outstanding -= 1
        }
        if wrote { context.flush() }
        if quiescing && outstanding == 0 {
            context.close(promise: nil)
            return
        }
        updateReads(context: context)
        beginNext(context: context)
    }

    /// Writes a frame: its bytes, with each spliced slice of a segment file sent from the file (sendfile).
    private func write(_ frame: KafkaOutboundFrame, context: ChannelHandlerContext) {
        var from = frame.bytes.readerIndex
        for splice in frame.splices {
            let at = frame.bytes.readerIndex + splice.offset
            if at > from {
                context.write(
                    wrapOutboundOut(.byteBuffer(frame.bytes.getSlice(at: from, length: at - from)!)),
                    promise: nil
                )
            }
            from = at
            let slice = splice.splice
            // The handle borrows the segment's descriptor; the slice keeps the file open until the write is
            // done (or failed), then the handle gives the descriptor back without closing it.
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: slice.file.descriptor)
            let region = FileRegion(
                fileHandle: handle,
                readerIndex: Int(slice.position),
                endIndex: Int(slice.position) + slice.length
            )
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { _ in
                withExtendedLifetime(slice) { _ = try? handle.takeDescriptorOwnership() }
            }
            context.write(wrapOutboundOut(.fileRegion(region)), promise: promise)
        }
        if frame.bytes.writerIndex > from || frame.splices.isEmpty {
            context.write(
                wrapOutboundOut(.byteBuffer(frame.bytes.getSlice(at: from, length: frame.bytes.writerIndex - from)!)),
                promise: nil
            )
        }
    }

    private func close(_ context: ChannelHandlerContext, reason: String) {
        guard !closed else { return }
        closed = true
        Counter(
            label: "plexus_request_errors_total",
            dimensions: [("protocol", "kafka"), ("api", "-"), ("error", "connection-closed")]
        )
        .increment()
        logger.info("closing connection", metadata: ["reason": "\(reason)"])
        context.close(promise: nil)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            queued.removeAll()
            if outstanding == 0 { context.close(promise: nil) }
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
            let host = channel.remoteAddress?.ipAddress.map { "/" + $0 } ?? ""
            try channel.pipeline.syncOperations.addHandlers(
                IdleStateHandler(allTimeout: .nanoseconds(idleNanos)),
                ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: processor.configuration.maxRequestBytes)),
                KafkaConnectionHandler(processor: processor, connectionID: id, clientHost: host)
            )
        }
    }
}
