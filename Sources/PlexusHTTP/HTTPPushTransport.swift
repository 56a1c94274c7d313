import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1
public import NIOPosix
public import PlexusBroker

/// Push delivery over HTTP with AsyncHTTPClient: one shared client (keep-alive pools per sink host); an
/// attempt's timeout covers connecting, sending and reading the answer, of which at most 1 MiB is kept
/// (enough for a reply event and the dead-letter excerpt).
public final class HTTPPushTransport: PushTransport {
    private let client: HTTPClient
    /// The most response bytes read per attempt.
    static let maxResponseBytes = 1 << 20

    public init(eventLoopGroup: MultiThreadedEventLoopGroup) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // Subscriptions retry by their own delivery spec: a refused connection fails the attempt at once.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
    }

    public func post(url: String, headers: [(name: String, value: String)], body: ByteBuffer, timeoutMs: Int64) async
        -> PushResponse
    {
        // AsyncHTTPClient's deadline ends at the response head; the race with a timer bounds the body too.
        let timeout = Duration.milliseconds(timeoutMs)
        return await withTaskGroup(of: PushResponse?.self) { attempts in
            attempts.addTask { await self.attempt(url: url, headers: headers, body: body, timeoutMs: timeoutMs) }
            attempts.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await attempts.next() ?? nil
            attempts.cancelAll()
            return first ?? .timeout
        }
    }

    private func attempt(url: String, headers: [(name: String, value: String)], body: ByteBuffer, timeoutMs: Int64)
        async -> PushResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        do {
            let deadline = NIODeadline.now() + .milliseconds(timeoutMs)
            let response = try await client.execute(request, deadline: deadline)
            var collected = ByteBuffer()
            for try await var chunk in response.body {
                guard NIODeadline.now() < deadline else { return .timeout }
                let room = Self.maxResponseBytes - collected.readableBytes
                if room <= 0 { continue }
                if chunk.readableBytes > room { chunk = chunk.getSlice(at: chunk.readerIndex, length: room)! }
                collected.writeBuffer(&chunk)
            }
            var answerHeaders: [String: String] = [:]
            for header in response.headers {
                let name = header.name.lowercased()
                if answerHeaders[name] == nil { answerHeaders[name] = header.value }
            }
            return .status(Int(response.status.code), headers: answerHeaders, body: collected)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return .timeout
            }
            return .connectionFailed("\(error)")
        } catch {
            if Task.isCancelled { return .timeout }
            return .connectionFailed("\(error)")
        }
    }

    /// Closes the client's connections.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
