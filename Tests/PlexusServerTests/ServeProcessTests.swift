import Foundation
import NIOConcurrencyHelpers
import PlexusTestSupport
import Testing

/// Runs the real `plexus serve` binary.
@Suite struct ServeProcessTests {
    static func plexusPath() throws -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates: [String] = []
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("plexus").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/plexus")
        guard
            let found = candidates.first(where: {
                FileManager.default.isExecutableFile(atPath: $0) && !$0.hasSuffix(".xctest")
            })
        else {
            throw CocoaError(.fileNoSuchFile)
        }
        return found
    }

    /// Starts serve, waits for the ready line, sends `signal`, and returns (ready line, exit status).
    static func serve(_ arguments: [String], signal: Int32) throws -> (ready: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try plexusPath())
        process.arguments = ["serve"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collected = NIOLockedValueBox("")
        out.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            collected.withLockedValue { $0 += text }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !collected.withLockedValue({ $0.contains("\n") }) && process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        return (
            collected.withLockedValue { $0 }.split(separator: "\n").first.map(String.init) ?? "",
            process.terminationStatus
        )
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func startsPrintsReadyAndStopsCleanlyOnEmptyAndUsedDataDirectories(signal: Int32) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        for _ in 0..<2 {  // first on an empty directory, then on the one the first run left
            let (ready, status) = try Self.serve(
                ["--data-dir", data, "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"],
                signal: signal
            )
            #expect(ready.hasPrefix("plexus ready kafka=127.0.0.1:"))
            #expect(!ready.hasSuffix(":0"), "the ready line names the bound port")
            #expect(ready.contains(" http=127.0.0.1:"), "the HTTP listener is in the ready line")
            #expect(status == 0)
            #expect(FileManager.default.fileExists(atPath: data + "/meta"))
        }
    }

    @Test func askingForAnUnavailableListenerFailsWithAClearMessage() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.plexusPath())
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        process.arguments = ["serve", "--data-dir", dir.path, "--mqtt", "127.0.0.1:0"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        #expect(message.contains("mqtt listener is not available"))
    }
}
