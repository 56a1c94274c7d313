import Foundation
import Logging
import PlexusBroker
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

@Suite struct RoutingEventRouterTests {
    private func definition(_ name: String) throws -> SubscriptionDefinition {
        SubscriptionDefinition(name: name, topics: ["orders"], sink: .topic(try TopicName("copies")))
    }

    @Test func aDefinitionThatCannotBeStoredIsNotKeptAndThenOneThatCanIsKeptAcrossReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logger = Logger(label: "test")
        let logs = try LogManager(dataDirectory: dir.path, ioThreads: 1, logger: logger)
        defer { logs.close() }
        let broker = Broker(logs: logs)
        var router: EventRouter? = try EventRouter(
            broker: broker,
            dataDirectory: dir.path,
            transport: nil,
            logger: logger
        )
        // The definitions file cannot be written: its temp path is taken by a directory.
        let blocker = EventRouter.directory(dataDirectory: dir.path) + "/definitions.json.tmp"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        let error = await #expect(throws: PlexusError.self) { try await router!.createSubscription(definition("a")) }
        #expect(error?.code == .storage)
        #expect(router!.subscriptions().isEmpty, "what was not stored is not kept")
        let queue = try QueueDefinition(name: "q", topic: try TopicName("jobs"))
        await #expect(throws: PlexusError.self) { try await router!.createQueue(queue) }
        #expect(router!.queues().isEmpty)
        // Once it can be written, creation works and survives reopening.
        try FileManager.default.removeItem(atPath: blocker)
        try await router!.createSubscription(definition("a"))
        try await router!.createQueue(queue)
        #expect(router!.subscriptions().map(\.name) == ["a"])
        router!.close()
        router = nil
        let reopened = try EventRouter(broker: broker, dataDirectory: dir.path, transport: nil, logger: logger)
        defer { reopened.close() }
        #expect(reopened.subscriptions().map(\.name) == ["a"])
        #expect(reopened.queues().map(\.name) == ["q"])
        // Deleting cannot be stored either: the subscription stays.
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        await #expect(throws: PlexusError.self) { try await reopened.deleteSubscription("a") }
        #expect(reopened.subscriptions().map(\.name) == ["a"])
        await #expect(throws: PlexusError.self) { try await reopened.deleteQueue("q") }
        #expect(reopened.queues().map(\.name) == ["q"])
    }
}
