import PlexusBroker
import PlexusModel
import PlexusStorage
import Prometheus

/// Gauges computed when `/metrics` is scraped: log size per partition and consumer lag per group and
/// partition. (Counters and histograms — records and bytes in and out, requests, errors, latencies,
/// connections, fsyncs — are recorded where they happen, through swift-metrics.)
enum MetricsSnapshot {
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

    static func update(_ registry: PrometheusCollectorRegistry, from broker: Broker) {
        for topic in broker.logs.topics() {
            for index in 0..<topic.partitionCount {
                guard let log = broker.logs.partition(topic.name, PartitionID(index)) else { continue }
                registry.makeGauge(
                    descriptor: logSize,
                    labels: [("topic", topic.name.rawValue), ("partition", "\(index)")]
                ).set(Double(log.sizeInBytes))
            }
        }
        guard let offsets = broker.offsets else { return }
        for group in offsets.groups() {
            for (key, committed) in offsets.fetch(group: group) where committed.offset >= 0 {
                guard let log = broker.logs.partition(key.topic, key.partition) else { continue }
                let lag = max(0, log.offsets.highWatermark.rawValue - committed.offset)
                registry.makeGauge(
                    descriptor: Self.lag,
                    labels: [
                        ("group", group), ("topic", key.topic.rawValue), ("partition", "\(key.partition.rawValue)"),
                    ]
                ).set(Double(lag))
            }
        }
    }
}
