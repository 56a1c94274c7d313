"""The HTTP admin API against a real node, with curl: topics created over HTTP are seen by Kafka clients,
errors are application/problem+json."""
import json
import subprocess

from confluent_kafka.admin import AdminClient


def curl(*args):
    out = subprocess.run(["curl", "-s", "-w", "\n%{http_code} %{content_type}", *args], capture_output=True, text=True, timeout=30)
    body, _, status = out.stdout.rpartition("\n")
    code, _, content_type = status.partition(" ")
    return int(code), content_type, body


def test_a_topic_created_over_http_is_seen_by_kafka_clients_and_errors_are_problem_json(node):
    code, _, body = curl("-X", "POST", f"{node.http}/api/v1/topics", "-H", "content-type: application/json",
                         "-d", json.dumps({"name": "http-made", "partitions": 4}))
    assert code == 201, body
    admin = AdminClient({"bootstrap.servers": node.kafka})
    topics = admin.list_topics(timeout=10).topics
    assert len(topics["http-made"].partitions) == 4

    code, content_type, body = curl(f"{node.http}/api/v1/topics/missing")
    assert code == 404
    assert content_type == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 404 and problem["type"].endswith("unknown-topic-or-partition")

    code, _, body = curl("-X", "DELETE", f"{node.http}/api/v1/topics/http-made")
    assert code == 204, body
    assert "http-made" not in admin.list_topics(timeout=10).topics


def test_cluster_info_names_the_node_and_its_bound_listeners(node):
    code, _, body = curl(f"{node.http}/api/v1/cluster")
    assert code == 200
    cluster = json.loads(body)
    assert cluster["controllerId"] == 1 and len(cluster["nodes"]) == 1
    listeners = cluster["nodes"][0]["listeners"]
    assert listeners["kafka"] == node.kafka
    assert "http://" + listeners["http"] == node.http
