import ArgumentParser

@main
struct Plexus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plexus",
        abstract: "Plexus: a durable event broker and event-mesh node.",
        subcommands: [
            Serve.self, TopicCommand.self, GroupCommand.self, ProduceCommand.self, ConsumeCommand.self, Bench.self,
        ]
    )
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures and ratios against a baseline measured in the same run.",
        subcommands: [StorageBench.self, HTTPCeiling.self, RoutingSink.self, FilterBench.self]
    )
}
