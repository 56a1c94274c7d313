import CoreMetrics
public import NIOCore

/// Counts open HTTP/1 connections (`plexus_connections{protocol="http"}`): added to every HTTP channel, it
/// counts from when it joins the pipeline until it leaves it (the connection closes, or it is upgraded to a
/// WebSocket).
public final class HTTPConnectionCounter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = NIOAny
    static let connections = Meter(label: "plexus_connections", dimensions: [("protocol", "http")])

    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) { Self.connections.increment() }
    public func handlerRemoved(context: ChannelHandlerContext) { Self.connections.decrement() }
}
