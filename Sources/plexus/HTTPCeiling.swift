import ArgumentParser
import Foundation
import Hummingbird
import PlexusHTTP

/// `plexus bench http-ceiling`: the HTTP benchmark's baseline server (see Benchmarks/http/run.sh).
struct HTTPCeiling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-ceiling",
        abstract: "Serve POST /topics/{topic}/events with a constant 202 on Plexus's HTTP stack, storing nothing."
    )

    @Option(help: "HOST:PORT to listen on.") var http = "127.0.0.1:8081"

    func run() async throws {
        guard let colon = http.lastIndex(of: ":"), let port = Int(http[http.index(after: colon)...]) else {
            throw ValidationError("--http takes HOST:PORT")
        }
        let host = String(http[..<colon])
        let app = Application(
            router: HTTPFrontEnd.ceilingRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let line = "ceiling ready http=\(host):\(channel.localAddress?.port ?? port)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        )
        try await app.runService()
    }
}
