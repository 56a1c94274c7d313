import NIOConcurrencyHelpers
import PlexusBroker
import PlexusModel
import PlexusStorage
import Prometheus

/// Gauges computed when `/metrics` is scraped: log size per partition and consumer lag per group and
/// partition. (Counters and histograms — records and bytes in and out, requests, errors, latencies,
/// connections, fsyncs — are recorded where they happen, through swift-metrics.) Series of partitions and
/// groups that no longer exist are removed at the next scrape.
final class MetricsSnapshot: Sendable {
    private let registry: PrometheusCollectorRegistry
    /// The gauges set by the previous scrape, by series key.
    private let previous = NIOLockedValueBox<[String: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    static var logSize: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "plexus",
            metricName: "log_size",
            unitName: "bytes",
            helpText: "Bytes in a partition's segment files."
        )
    }

    static var lag: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "plexus",
            metricName: "consumer_lag",
            unitName: "",
            helpText: "Records between a consumer group's committed offset and the partition's high watermark."
        )
    }

    func update(from broker: Broker) {
        var current: [String: Gauge] = [:]
        for topic in broker.logs.topics() {
            for index in 0..<topic.partitionCount {
                guard let log = broker.logs.partition(topic.name, PartitionID(index)) else { continue }
                let labels = [("topic", topic.name.rawValue), ("partition", "\(index)")]
                let gauge = registry.makeGauge(descriptor: Self.logSize, labels: labels)
                gauge.set(Double(log.sizeInBytes))
                current["size/\(topic.name)/\(index)"] = gauge
            }
        }
        if let offsets = broker.offsets {
            for group in offsets.groups() {
                for entry in broker.lag(ofGroup: group) where entry.lag >= 0 {
                    let labels = [
                        ("group", group), ("topic", entry.topic.rawValue), ("partition", "\(entry.partition.rawValue)"),
                    ]
                    let gauge = registry.makeGauge(descriptor: Self.lag, labels: labels)
                    gauge.set(Double(entry.lag))
                    current["lag/\(group)/\(entry.topic)/\(entry.partition.rawValue)"] = gauge
                }
            }
        }
        let gone = previous.withLockedValue { previous in
            defer { previous = current }
            return previous.filter { current[$0.key] == nil }.map(\.value)
        }
        for gauge in gone { registry.unregisterGauge(gauge) }
    }
}
