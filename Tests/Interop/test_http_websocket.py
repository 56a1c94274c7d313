"""The WebSocket stream of a real node with websocket-client: a Kafka-produced record arrives as a structured
CloudEvent with its partition and offset, from a given offset and live as appended."""
import json

import websocket
from confluent_kafka import Producer


def test_a_websocket_streams_a_partition_from_an_offset_and_live(node):
    producer = Producer({"bootstrap.servers": node.kafka})
    for i in range(3):
        producer.produce("ws-topic", key=f"k{i}".encode(), value=json.dumps({"i": i}).encode(),
                         headers=[("content-type", b"application/json")], partition=0)
    producer.flush(10)
    ws_url = node.http.replace("http://", "ws://") + "/topics/ws-topic/ws?partition=0&offset=1"
    socket = websocket.create_connection(ws_url, timeout=10)
    try:
        first, second = json.loads(socket.recv()), json.loads(socket.recv())
        assert (first["offset"], second["offset"]) == (1, 2)
        assert first["partition"] == 0 and first["id"] == "ws-topic/0/1" and first["data"] == {"i": 1}
        producer.produce("ws-topic", value=b'{"i": 3}', headers=[("content-type", b"application/json")], partition=0)
        producer.flush(10)
        live = json.loads(socket.recv())  # woken by the append, not polled
        assert live["offset"] == 3 and live["data"] == {"i": 3}
    finally:
        socket.close()


def test_a_websocket_request_for_a_missing_partition_is_not_upgraded(node):
    try:
        websocket.create_connection(node.http.replace("http://", "ws://") + "/topics/nope/ws", timeout=10)
        assert False, "upgraded"
    except websocket.WebSocketBadStatusException as error:
        assert error.status_code == 400  # Hummingbird answers a declined upgrade with 400
