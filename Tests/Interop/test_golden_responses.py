"""Golden Kafka response frames (Tests/Fixtures/kafka-responses) checked with kafka-python 3.0's codec.

The Swift test GoldenResponseTests writes one frame (size, response header, body) per API × version the
broker advertises (KafkaSupportedApis), from the values in GoldenResponses.swift. Here kafka-python,
which shares no code with our generator, reads them back:

- `kafka.protocol` (codecs built per version from kafka-python's own copy of Kafka's JSON schemas)
  decodes every frame, must consume every byte, and must re-encode it byte for byte; a few values per
  API are spot-checked, and each frame must exercise every field its version has.
- `kafka.protocol.old` (hand-written structs per version, from the protocol guide) does the same
  round trip for the versions it has classes for (`LEGACY_UP_TO`; none for IncrementalAlterConfigs,
  DescribeCluster or OffsetDelete). The newer codec above covers every version, so nothing is skipped.
- Both schema copies are compared field by field for every advertised version, so a disagreement
  points at the codec rather than at a schema difference.
"""
import importlib
import io
import json
import os
import pkgutil
import re
import struct
import uuid

import pytest
from kafka.protocol.admin import (
    AlterConfigsResponse, CreatePartitionsResponse, CreateTopicsResponse, DeleteGroupsResponse,
    DeleteTopicsResponse, DescribeClusterResponse, DescribeConfigsResponse, DescribeGroupsResponse,
    IncrementalAlterConfigsResponse, ListGroupsResponse,
)
from kafka.protocol.consumer import (
    FetchResponse, HeartbeatResponse, JoinGroupResponse, LeaveGroupResponse, ListOffsetsResponse,
    OffsetCommitResponse, OffsetDeleteResponse, OffsetFetchResponse, SyncGroupResponse,
)
from kafka.protocol.metadata import ApiVersionsResponse, FindCoordinatorResponse, MetadataResponse
from kafka.protocol.producer import InitProducerIdResponse, ProduceResponse
from kafka.protocol.schemas import BaseField, load_json

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "kafka-responses")
SCHEMAS = os.path.join(ROOT, "scripts", "kafka-codegen", "schemas")
SUPPORTED = os.path.join(ROOT, "Sources", "PlexusKafka", "KafkaSupportedApis.swift")

RESPONSES = {cls.name[: -len("Response")]: cls for cls in (
    ProduceResponse, FetchResponse, ListOffsetsResponse, MetadataResponse, ApiVersionsResponse,
    CreateTopicsResponse, DeleteTopicsResponse, InitProducerIdResponse, CreatePartitionsResponse,
    DescribeConfigsResponse, AlterConfigsResponse, IncrementalAlterConfigsResponse, DescribeClusterResponse,
    FindCoordinatorResponse, JoinGroupResponse, SyncGroupResponse, HeartbeatResponse, LeaveGroupResponse,
    OffsetCommitResponse, OffsetFetchResponse, OffsetDeleteResponse, ListGroupsResponse, DescribeGroupsResponse,
    DeleteGroupsResponse,
)}


def advertised():
    """`(ApiName, min, max)` from KafkaSupportedApis.versions, e.g. `("ListOffsets", 0, 6)`."""
    with open(SUPPORTED) as source:
        ranges = re.findall(r"\(\.(\w+), (\d+)\.\.\.(\d+)\)", source.read())
    return [(name[0].upper() + name[1:], int(low), int(high)) for name, low, high in ranges]


GOLDENS = [(api, version) for api, low, high in advertised() for version in range(low, high + 1)]
IDS = [f"{api}-v{version}" for api, version in GOLDENS]


def versions(api):
    return [version for name, version in GOLDENS if name == api]


def fixture(api, version):
    with open(os.path.join(FIXTURES, f"{api}-v{version}.bin"), "rb") as file:
        return file.read()


def decode(api, version):
    """kafka-python's public decode of a whole frame."""
    response = RESPONSES[api].decode(fixture(api, version), version=version, header=True, framed=True)
    assert response.API_VERSION == version
    return response


def in_range(versions, version):
    parsed = BaseField.parse_versions(versions)
    return parsed is not None and parsed[0] <= version <= parsed[1]


def test_there_is_one_fixture_per_advertised_version():
    assert len(advertised()) == len(RESPONSES) == 24
    assert sorted(os.listdir(FIXTURES)) == sorted(f"{name}.bin" for name in IDS)


@pytest.mark.parametrize("api,version", GOLDENS, ids=IDS)
def test_kafka_python_decodes_every_byte_and_reencodes_identically(api, version):
    cls = RESPONSES[api]
    data = fixture(api, version)
    assert struct.unpack(">i", data[:4])[0] == len(data) - 4
    response = decode(api, version)
    assert response.header.correlation_id == 0x1234_0000 + cls.API_KEY * 256 + version

    # The stream decoder (not the compiled one `decode` uses) must end exactly at the end of the frame.
    stream = io.BytesIO(data[4:])
    cls.parse_header(stream, version=version)
    flexible = cls.flexible_version_q(version)
    body = cls._struct.decode(stream, version=version, compact=flexible, tagged=flexible)
    assert stream.tell() == len(data) - 4
    assert body == response

    # `encode(version=...)` would fail on a decoded response (it sets request_api_version on the
    # response header); the decoded value already carries its version.
    assert response.encode(header=True, framed=True) == data


def legacy_classes():
    """`{(api key, version): class}` from kafka.protocol.old, or {} if this kafka-python has none."""
    try:
        old = importlib.import_module("kafka.protocol.old")
        for module in pkgutil.iter_modules(old.__path__):
            importlib.import_module(f"kafka.protocol.old.{module.name}")
        return dict(importlib.import_module("kafka.protocol.old.api").ResponseClassRegistry._response_class_registry)
    except ImportError:
        return {}


LEGACY = legacy_classes()
LEGACY_GOLDENS = [(api, v) for api, v in GOLDENS if (RESPONSES[api].API_KEY, v) in LEGACY]


@pytest.mark.skipif(not LEGACY, reason="this kafka-python has no kafka.protocol.old")
@pytest.mark.parametrize("api,version", LEGACY_GOLDENS, ids=[f"{a}-v{v}" for a, v in LEGACY_GOLDENS])
def test_hand_written_legacy_structs_agree(api, version):
    data = fixture(api, version)
    stream = io.BytesIO(data)
    response = LEGACY[(RESPONSES[api].API_KEY, version)].decode(stream, header=True, framed=True)
    assert stream.tell() == len(data)
    assert response.encode(header=True, framed=True) == data


# The last version kafka.protocol.old has a class for; it has none for the APIs not listed.
LEGACY_UP_TO = {
    "Produce": 8, "Fetch": 11, "ListOffsets": 5, "Metadata": 8, "ApiVersions": 4, "CreateTopics": 3,
    "DeleteTopics": 3, "InitProducerId": 1, "CreatePartitions": 1, "DescribeConfigs": 2, "AlterConfigs": 1,
    "FindCoordinator": 2, "JoinGroup": 5, "SyncGroup": 3, "Heartbeat": 3, "LeaveGroup": 3, "OffsetCommit": 7,
    "OffsetFetch": 5, "ListGroups": 2, "DescribeGroups": 3, "DeleteGroups": 1,
}


@pytest.mark.skipif(not LEGACY, reason="this kafka-python has no kafka.protocol.old")
def test_legacy_structs_check_the_versions_they_have():
    """Versions 0 up to LEGACY_UP_TO of each API: none is left out for another reason."""
    expected = [(api, v) for api, v in GOLDENS if v <= LEGACY_UP_TO.get(api, -1)]
    assert LEGACY_GOLDENS == expected


@pytest.mark.parametrize("api", sorted(RESPONSES))
def test_kafka_python_schema_is_ours_for_every_advertised_version(api):
    """Same fields, types, nullability, tags and defaults, at every version we advertise."""
    with open(os.path.join(SCHEMAS, f"{api}Response.json")) as file:
        ours = json.load(file)
    theirs = load_json(f"{api}Response", package="kafka.protocol.schemas.resources")
    assert not ours.get("commonStructs") and not theirs.get("commonStructs")

    def shape(fields, version, prefix=""):
        out = {}
        for field in fields:
            if in_range(field["versions"], version):
                name = prefix + field["name"]
                tag = field.get("tag") if in_range(field.get("taggedVersions"), version) else None
                nullable = in_range(field.get("nullableVersions"), version)
                out[name] = (field["type"], nullable, tag, str(field.get("default", "")))
                out.update(shape(field.get("fields", []), version, name + "."))
        return out

    for version in versions(api):
        assert in_range(ours["flexibleVersions"], version) == in_range(theirs["flexibleVersions"], version)
        assert shape(ours["fields"], version) == shape(theirs["fields"], version), f"v{version}"


# Fields whose default is the representative value at these versions (see GoldenResponses.swift).
DEFAULT_ON_PURPOSE = {
    # A broker answers an error only in v0 (KIP-511), and kafka-python reads any non-zero error as v0.
    ("ApiVersions", "ErrorCode"): range(1, 4),
}


def exercised(api, version, response):
    """Per field path: whether any occurrence is non-default, null, non-null, or an array of two or more."""
    seen = {}

    def walk(value, fields, path):
        for field in fields:
            if not field.for_version_q(version):
                continue
            name = f"{path}{field._name}"
            entry = seen.setdefault(name, {"set": False, "null": False, "value": False, "many": False,
                                           "nullable": field.nullable_for_version_q(version)})
            item = getattr(value, field.name)
            entry["null" if item is None else "value"] = True
            if item is None:
                continue
            if field.is_struct_array():
                entry["many"] |= len(item) >= 2
                for element in item:
                    walk(element, field.array_of._fields, name + ".")
            elif field.is_array():
                entry["many"] |= len(item) >= 2
            elif field.is_struct():
                entry["set"] = True  # a tagged struct that is present
                walk(item, field._fields, name + ".")
            elif isinstance(item, (bytes, memoryview)):
                entry["set"] |= len(item) > 0
            elif isinstance(item, uuid.UUID):
                entry["set"] |= item.int != 0
            else:
                entry["set"] |= item != field.default

    walk(response, RESPONSES[api]._struct._fields, "")
    return seen


@pytest.mark.parametrize("api,version", GOLDENS, ids=IDS)
def test_every_field_of_the_version_is_exercised(api, version):
    """Scalars non-default (or null where nullable), arrays with two or more elements somewhere."""
    missing = []
    for name, entry in exercised(api, version, decode(api, version)).items():
        if version in DEFAULT_ON_PURPOSE.get((api, name), ()):
            continue
        if entry["many"] or entry["set"] or (entry["nullable"] and entry["null"]):
            continue
        missing.append(name)
    assert missing == []


# Nullable only at one advertised version, and once per file: null in that file or set, not both. Each
# is paired with a sibling of the same type that has the other encoding (see GoldenResponses+Groups.swift).
ONE_FILE_NULLABLE = {
    "JoinGroup": ({"ProtocolType"}, {"ProtocolName"}),  # (never null, never set) at v7
    "SyncGroup": ({"ProtocolName"}, {"ProtocolType"}),  # at v5
}


@pytest.mark.parametrize("api", sorted(RESPONSES))
def test_nullable_fields_are_null_somewhere_and_set_somewhere(api):
    nullable, nulls, values = set(), set(), set()
    for version in versions(api):
        for name, entry in exercised(api, version, decode(api, version)).items():
            if entry["nullable"]:
                nullable.add(name)
                if entry["null"]:
                    nulls.add(name)
                if entry["value"]:
                    values.add(name)
    expected = ONE_FILE_NULLABLE.get(api, (set(), set()))
    assert (nullable - nulls, nullable - values) == expected, "(never null, never set)"


ORDERS_ID = uuid.UUID("01234567-89ab-cdef-fedc-ba9876543210")
PAYMENTS_ID = uuid.UUID("11112222-3333-4444-5555-666677778888")
RECORDS = b"\x00\x7f\x80\xfe\xff"
MEMBER_METADATA = b"\x00\x03\x00\x00\x00\x01\x00\x06"
MEMBER_ASSIGNMENT = b"\x00\x03\xff\xff\xff\xff"


def bits(value):
    return {bit for bit in range(32) if value >> bit & 1}


def check_produce(r, v):
    orders, payments = r.responses
    assert (orders.name, payments.name) == ("orders", "payments")
    ok, not_leader = orders.partition_responses
    assert (ok.index, ok.error_code, ok.base_offset) == (0, 0, 4242)
    assert (not_leader.index, not_leader.error_code, payments.partition_responses[0].error_code) == (1, 6, 87)
    assert r.throttle_time_ms == (250 if v >= 1 else 0)
    assert ok.log_append_time_ms == (1_700_000_000_123 if v >= 2 else -1)
    assert ok.log_start_offset == (17 if v >= 5 else -1)
    if v >= 8:
        assert [(e.batch_index, e.batch_index_error_message) for e in ok.record_errors] == [(3, "bad key"), (5, None)]
        assert (ok.error_message, not_leader.error_message) == ("2 records rejected", None)


def check_fetch(r, v):
    assert [t.topic for t in r.responses] == ["orders", "payments"]
    full, empty = r.responses[0].partitions
    assert (full.high_watermark, bytes(full.records), empty.error_code, empty.records) == (1000, RECORDS, 1, None)
    assert (r.throttle_time_ms, r.error_code, r.session_id) == (
        25 if v >= 1 else 0, 70 if v >= 7 else 0, 0x1234_5678 if v >= 7 else 0)
    if v >= 4:
        assert [(a.producer_id, a.first_offset) for a in full.aborted_transactions] == [(4242, 100), (7, 200)]
        assert (full.last_stable_offset, empty.aborted_transactions) == (990, None)
    assert full.preferred_read_replica == (3 if v >= 11 else -1)
    if v >= 12:
        assert (full.diverging_epoch.epoch, full.diverging_epoch.end_offset) == (4, 950)
        assert (full.current_leader.leader_id, full.current_leader.leader_epoch) == (1, 5)
        assert (full.snapshot_id.end_offset, full.snapshot_id.epoch) == (900, 3)
        assert (empty.diverging_epoch, empty.current_leader, empty.snapshot_id) == (None, None, None)


def check_list_offsets(r, v):
    assert [t.name for t in r.topics] == ["orders", "payments"]
    found, fenced = r.topics[0].partitions
    assert (found.error_code, fenced.error_code, r.topics[1].partitions[0].error_code) == (0, 74, 3)
    if v == 0:
        assert found.old_style_offsets == [300, 200, 0]
    else:
        assert (found.timestamp, found.offset) == (1_700_000_000_000, 300)
    assert found.leader_epoch == (7 if v >= 4 else -1)
    assert r.throttle_time_ms == (30 if v >= 2 else 0)


def check_metadata(r, v):
    assert [(b.node_id, b.host, b.port) for b in r.brokers] == [
        (1, "b1.plexus.test", 9092), (2, "b2.plexus.test", 9093)]
    assert [b.rack for b in r.brokers] == (["rack-a", None] if v >= 1 else [None, None])
    assert r.cluster_id == ("plexus-cluster-1" if v >= 3 else None)
    assert r.controller_id == (2 if v >= 1 else -1)
    internal, missing = r.topics
    assert (internal.name, internal.is_internal) == ("__consumer_offsets", v >= 1)
    assert (missing.name, missing.error_code) == ((None, 100) if v >= 12 else ("missing", 3))
    first = internal.partitions[0]
    assert (first.leader_id, first.replica_nodes, first.isr_nodes) == (1, [1, 2, 3], [1, 2])
    assert first.offline_replicas == ([3, 4] if v >= 5 else [])
    if v >= 10:
        assert (internal.topic_id, missing.topic_id) == (ORDERS_ID, PAYMENTS_ID)
    if v >= 8:  # kafka-python decodes authorized operations as a set of bits
        assert internal.authorized_operations == bits(0x0FF8)
    if 8 <= v <= 10:
        assert r.authorized_operations == bits(0x0AB8)


def check_api_versions(r, v):
    assert r.error_code == (35 if v == 0 else 0)
    assert [(k.api_key, k.min_version, k.max_version) for k in r.api_keys] == [(0, 0, 9), (1, 4, 12), (18, 0, 3)]
    assert r.throttle_time_ms == (10 if v >= 1 else 0)
    if v >= 3:
        assert [(f.name, f.min_version, f.max_version) for f in r.supported_features] == [
            ("metadata.version", 1, 20), ("kraft.version", 0, 1)]
        assert [f.name for f in r.finalized_features] == ["metadata.version", "kraft.version"]
        assert (r.finalized_features_epoch, r.zk_migration_ready) == (42, True)


def check_create_topics(r, v):
    orders, payments = r.topics
    assert [(t.name, t.error_code) for t in r.topics] == [("orders", 0), ("payments", 36)]
    if v >= 1:
        assert (orders.error_message, payments.error_message) == (None, "Topic 'payments' already exists.")
    if v >= 5:
        assert (orders.num_partitions, orders.replication_factor, payments.topic_config_error_code) == (3, 1, 29)
        assert [(c.name, c.value, c.is_sensitive) for c in orders.configs] == [
            ("cleanup.policy", "delete", False), ("sasl.jaas.config", None, True)]
        assert payments.configs is None
    if v >= 7:
        assert orders.topic_id == ORDERS_ID


def check_delete_topics(r, v):
    deleted, unknown = r.responses
    assert (deleted.name, deleted.error_code) == ("orders", 0)
    assert (unknown.name, unknown.error_code) == ((None, 100) if v >= 6 else ("ghost", 3))
    assert unknown.error_message == ("This server does not host this topic ID." if v >= 5 else None)
    assert r.throttle_time_ms == (20 if v >= 1 else 0)


def check_init_producer_id(r, v):
    assert (r.throttle_time_ms, r.error_code, r.producer_id, r.producer_epoch) == (5, 47, 4242, 3)


def check_create_partitions(r, v):
    assert [(x.name, x.error_code, x.error_message) for x in r.results] == [
        ("orders", 0, None), ("payments", 37, "Topic currently has 3 partitions, more than 2.")]


def check_describe_configs(r, v):
    assert [(x.resource_type, x.resource_name, x.error_code) for x in r.results] == [
        (2, "orders", 0), (2, "gone", 3), (4, "1", 0)]
    retention, password = r.results[0].configs
    assert (retention.name, retention.value, password.value, password.is_sensitive) == (
        "retention.ms", "604800000", None, True)
    assert retention.is_default == (v == 0)
    if v >= 1:
        assert [(s.name, s.value, s.source) for s in retention.synonyms] == [
            ("retention.ms", "604800000", 1), ("log.retention.ms", None, 5)]
    if v >= 3:
        assert (retention.config_type, retention.documentation, password.documentation) == (
            5, "How long to keep a log segment.", None)


def check_alter_configs(r, v):
    assert [(x.error_code, x.error_message, x.resource_type, x.resource_name) for x in r.responses] == [
        (0, None, 2, "orders"), (40, "Invalid value -2 for retention.ms", 4, "1")]


def check_describe_cluster(r, v):
    assert (r.cluster_id, r.controller_id, r.error_code) == ("plexus-cluster-1", 2, 31)
    assert (r.error_message, r.endpoint_type) == (("Cluster authorization failed.", 2) if v >= 1 else (None, 1))
    assert [(b.broker_id, b.rack) for b in r.brokers] == [(1, "rack-a"), (2, None)]
    assert r.authorized_operations == bits(0x0AB8)


def check_find_coordinator(r, v):
    if v >= 4:
        assert r.throttle_time_ms == 85
        assert [(c.key, c.node_id, c.host, c.port, c.error_code, c.error_message) for c in r.coordinators] == [
            ("orders-app", 1, "b1.plexus.test", 9092, 0, None),
            ("billing", -1, "", -1, 15, "The coordinator is not available.")]
        return
    assert (r.error_code, r.node_id, r.host, r.port) == (15, 2, "b2.plexus.test", 9093)
    assert r.throttle_time_ms == (85 if v >= 1 else 0)
    if v >= 1:
        assert r.error_message == ("The coordinator is not available." if v >= 2 else None)


def check_join_group(r, v):
    assert (r.error_code, r.generation_id, r.leader, r.member_id) == (
        27, 5, "consumer-1-leader", "consumer-2-follower")
    assert r.throttle_time_ms == (90 if v >= 2 else 0)
    assert (r.protocol_name, getattr(r, "protocol_type", None)) == ((None, "consumer") if v >= 7 else ("range", None))
    leader, follower = r.members
    assert (leader.member_id, bytes(leader.metadata)) == ("consumer-1-leader", MEMBER_METADATA)
    assert (follower.member_id, bytes(follower.metadata)) == ("consumer-2-follower", b"")
    if v >= 5:
        assert (leader.group_instance_id, follower.group_instance_id) == ("instance-1", None)


def check_sync_group(r, v):
    assert (r.error_code, bytes(r.assignment)) == (22, MEMBER_ASSIGNMENT)
    assert r.throttle_time_ms == (95 if v >= 1 else 0)
    if v >= 5:
        assert (r.protocol_type, r.protocol_name) == (None, "cooperative-sticky")


def check_heartbeat(r, v):
    assert (r.throttle_time_ms, r.error_code) == (100 if v >= 1 else 0, 27)


def check_leave_group(r, v):
    assert (r.throttle_time_ms, r.error_code) == (105 if v >= 1 else 0, 25)
    if v >= 3:
        assert [(m.member_id, m.group_instance_id, m.error_code) for m in r.members] == [
            ("consumer-1-leader", None, 0), ("", "instance-9", 25)]


def partition_errors(topics):
    return [(t.name, [(p.partition_index, p.error_code) for p in t.partitions]) for t in topics]


def check_offset_commit(r, v):
    assert partition_errors(r.topics) == [("orders", [(0, 0), (1, 22)]), ("payments", [(2, 12)])]
    assert r.throttle_time_ms == (110 if v >= 3 else 0)


def check_offset_fetch(r, v):
    assert partition_errors(r.topics) == [("orders", [(0, 0), (1, 0)]), ("payments", [(2, 3)])]
    committed, unset = r.topics[0].partitions
    assert [(p.committed_offset, p.metadata) for p in (committed, unset, r.topics[1].partitions[0])] == [
        (4242, "checkpoint-17"), (-1, None), (-1, "")]
    assert r.throttle_time_ms == (115 if v >= 3 else 0)
    if v >= 2:
        assert r.error_code == 14
    if v >= 5:
        assert (committed.committed_leader_epoch, unset.committed_leader_epoch) == (7, -1)


def check_offset_delete(r, v):
    assert (r.error_code, r.throttle_time_ms) == (16, 120)
    assert partition_errors(r.topics) == [("orders", [(0, 0), (1, 86)]), ("payments", [(2, 3)])]


def check_list_groups(r, v):
    assert (r.throttle_time_ms, r.error_code) == (125 if v >= 1 else 0, 14)
    assert [(g.group_id, g.protocol_type) for g in r.groups] == [("orders-app", "consumer"), ("connect-sink", "connect")]
    if v >= 4:
        assert [g.group_state for g in r.groups] == ["Stable", "Empty"]


def check_describe_groups(r, v):
    assert r.throttle_time_ms == (130 if v >= 1 else 0)
    stable, dead = r.groups
    assert [(g.error_code, g.group_id, g.group_state) for g in r.groups] == [
        (0, "orders-app", "Stable"), (16, "billing", "Dead")]
    assert (stable.protocol_type, stable.protocol_data, dead.protocol_type, dead.members) == (
        "consumer", "range", "", [])
    leader, follower = stable.members
    assert [(m.member_id, m.client_id, m.client_host) for m in stable.members] == [
        ("consumer-1-leader", "consumer-1", "/10.0.0.1"), ("consumer-2-follower", "consumer-2", "/10.0.0.2")]
    assert (bytes(leader.member_metadata), bytes(leader.member_assignment)) == (MEMBER_METADATA, MEMBER_ASSIGNMENT)
    assert (bytes(follower.member_metadata), bytes(follower.member_assignment)) == (b"", b"")
    if v >= 4:
        assert (leader.group_instance_id, follower.group_instance_id) == ("instance-1", None)
    if v >= 3:  # READ, DELETE, DESCRIBE; kafka-python decodes authorized operations as a set of bits
        assert stable.authorized_operations == {3, 6, 8} == bits(0x148)


def check_delete_groups(r, v):
    assert r.throttle_time_ms == 135
    assert [(x.group_id, x.error_code) for x in r.results] == [("orders-app", 0), ("billing", 68)]


SPOT_CHECKS = {
    "Produce": check_produce, "Fetch": check_fetch, "ListOffsets": check_list_offsets,
    "Metadata": check_metadata, "ApiVersions": check_api_versions, "CreateTopics": check_create_topics,
    "DeleteTopics": check_delete_topics, "InitProducerId": check_init_producer_id,
    "CreatePartitions": check_create_partitions, "DescribeConfigs": check_describe_configs,
    "AlterConfigs": check_alter_configs, "IncrementalAlterConfigs": check_alter_configs,
    "DescribeCluster": check_describe_cluster, "FindCoordinator": check_find_coordinator,
    "JoinGroup": check_join_group, "SyncGroup": check_sync_group, "Heartbeat": check_heartbeat,
    "LeaveGroup": check_leave_group, "OffsetCommit": check_offset_commit, "OffsetFetch": check_offset_fetch,
    "OffsetDelete": check_offset_delete, "ListGroups": check_list_groups, "DescribeGroups": check_describe_groups,
    "DeleteGroups": check_delete_groups,
}


@pytest.mark.parametrize("api,version", GOLDENS, ids=IDS)
def test_kafka_python_reads_the_values_we_wrote(api, version):
    SPOT_CHECKS[api](decode(api, version), version)
