import PlexusBroker
import PlexusModel
import PlexusServer
import PlexusStorage
import Testing

struct ServerConfigurationTests {
    @Test func defaultsMatchTheInterface() throws {
        let config = try ServerConfiguration.resolve(yaml: nil, environment: [:], flags: [:])
        #expect(config.dataDirectory == "./plexus-data")
        #expect(config.flushPolicy == .always)
        #expect(config.defaultPartitions == 1)
        #expect(config.autoCreateTopics)
        #expect(config.logLevel == "info")
        // Implemented listeners are on by default; the others stay off until they ship.
        #expect(config.enabledListeners.map(\.name) == ["kafka", "http"])
        #expect(config.listeners["http"] == .address(host: "127.0.0.1", port: 8080))
        #expect(config.listeners["kafka"] == .address(host: "127.0.0.1", port: 9092))
    }

    @Test func flagsOverrideEnvironmentWhichOverridesTheFile() throws {
        let yaml = """
            data-dir: /from/file
            flush: none
            log-level: debug
            default-partitions: 3
            auto-create-topics: false
            """
        let fileOnly = try ServerConfiguration.resolve(yaml: yaml, environment: [:], flags: [:])
        #expect(fileOnly.dataDirectory == "/from/file")
        #expect(fileOnly.flushPolicy == FlushPolicy.none)
        #expect(fileOnly.defaultPartitions == 3)
        #expect(!fileOnly.autoCreateTopics)
        let withEnv = try ServerConfiguration.resolve(
            yaml: yaml,
            environment: ["PLEXUS_DATA_DIR": "/from/env", "PLEXUS_LOG_LEVEL": "error", "OTHER": "x"],
            flags: [:]
        )
        #expect(withEnv.dataDirectory == "/from/env")
        #expect(withEnv.logLevel == "error")
        let withFlags = try ServerConfiguration.resolve(
            yaml: yaml,
            environment: ["PLEXUS_DATA_DIR": "/from/env"],
            flags: ["data-dir": "/from/flag", "flush": "interval:250"]
        )
        #expect(withFlags.dataDirectory == "/from/flag")
        #expect(withFlags.flushPolicy == .interval(milliseconds: 250))
    }

    @Test func consumerGroupSettingsComeFromTheFileWithKafkasDefaults() throws {
        let defaults = try ServerConfiguration.resolve(yaml: nil, environment: [:], flags: [:])
        #expect(defaults.groupInitialRebalanceDelayMs == 3000)
        #expect(defaults.offsetsRetentionMinutes == 10_080)
        let yaml = """
            group-initial-rebalance-delay-ms: 0
            offsets-retention-minutes: 60
            """
        let set = try ServerConfiguration.resolve(yaml: yaml, environment: [:], flags: [:])
        #expect(set.groupInitialRebalanceDelayMs == 0)
        #expect(set.offsetsRetentionMinutes == 60)
        for bad in ["group-initial-rebalance-delay-ms: -1", "offsets-retention-minutes: 0"] {
            let error = #expect(throws: PlexusError.self) {
                try ServerConfiguration.resolve(yaml: bad, environment: [:], flags: [:])
            }
            #expect(error?.code == .configuration)
        }
    }

    @Test func listenersCanBeTurnedOffButUnimplementedOnesCannotBeAskedFor() throws {
        let off = try ServerConfiguration.resolve(
            yaml: nil,
            environment: ["PLEXUS_HTTP": "off"],
            flags: ["kafka": "off", "mqtt": "off", "amqp": "off"]
        )
        #expect(off.enabledListeners.isEmpty)
        let error = #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: nil, environment: [:], flags: ["amqp": "127.0.0.1:0"])
        }
        #expect(error?.code == .notImplemented)
        #expect(error?.message.contains("--amqp off") == true)
    }

    @Test(arguments: [
        ("flush", "sometimes"), ("flush", "interval:0"), ("kafka", "nohost"), ("kafka", "h:70000"),
        ("default-partitions", "0"), ("auto-create-topics", "maybe"), ("log-level", "loud"), ("data-dir", ""),
    ])
    func badValuesAreClearErrors(key: String, value: String) {
        let error = #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: nil, environment: [:], flags: [key: value])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains(key) == true)
    }

    @Test func unknownOrMalformedFileContentIsRejected() {
        #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: "datadir: x", environment: [:], flags: [:])
        }
        #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: "- a\n- b", environment: [:], flags: [:])
        }
        #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: "a: [", environment: [:], flags: [:])
        }
    }

    @Test func listenerAddressesParse() throws {
        #expect(try ListenerSetting(parsing: "0.0.0.0:9092", name: "kafka") == .address(host: "0.0.0.0", port: 9092))
        #expect(try ListenerSetting(parsing: "[::1]:0", name: "kafka") == .address(host: "::1", port: 0))
        #expect(try ListenerSetting(parsing: "[::1]:0", name: "kafka").description == "[::1]:0")
    }

    @Test func theConfigFileDeclaresSubscriptionsAndQueuesInTheRESTShape() throws {
        let yaml = """
            flush: always
            subscriptions:
              - name: billing
                topics: [orders, "audit.*"]
                filters:
                  - cesql: "type = 'order.created' AND subject LIKE 'eu-%'"
                sink: {uri: "http://127.0.0.1:9000/hook"}
                delivery: {retry: 5, backoffDelay: PT0.5S, deadLetterSink: {topic: orders.dlq}, ordering: unordered}
            queues:
              - name: jobs
                topic: jobs
                lease: PT10S
                maxDeliveries: 3
            """
        let config = try ServerConfiguration.resolve(yaml: yaml, environment: [:], flags: [:])
        let subscription = try #require(config.subscriptions.first)
        #expect(config.subscriptions.count == 1)
        #expect(subscription.name == "billing")
        #expect(subscription.topics == ["orders", "audit.*"])
        #expect(subscription.sink == .url("http://127.0.0.1:9000/hook"))
        #expect(subscription.delivery.retry == 5)
        #expect(subscription.delivery.backoffDelay.milliseconds == 500)
        #expect(subscription.delivery.deadLetterSink == .topic(try TopicName("orders.dlq")))
        #expect(subscription.delivery.ordering == .unordered)
        #expect(subscription.filters.count == 1)
        let queue = try #require(config.queues.first)
        #expect(queue.name == "jobs" && queue.lease.milliseconds == 10_000 && queue.maxDeliveries == 3)
        #expect(queue.deadLetterTopic.rawValue == "jobs.dlq")
    }

    @Test func aBadDefinitionInTheConfigFileNamesItsListAndField() throws {
        let missingSink = """
            subscriptions:
              - name: billing
                topics: [orders]
            """
        let error = #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: missingSink, environment: [:], flags: [:])
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("subscriptions") == true)
        #expect(error?.message.contains("sink") == true)
        let notAList = "queues: {name: jobs}"
        #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: notAList, environment: [:], flags: [:])
        }
        let badQueue = """
            queues:
              - name: jobs
                topic: jobs
                lease: soon
            """
        let leaseError = #expect(throws: PlexusError.self) {
            try ServerConfiguration.resolve(yaml: badQueue, environment: [:], flags: [:])
        }
        #expect(leaseError?.message.contains("lease") == true)
    }
}
