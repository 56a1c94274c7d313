#!/usr/bin/env python3
"""Generates sdk-messages.json: CloudEvents encoded by the CloudEvents Python SDK (PyPI `cloudevents`),
through both of its APIs (the legacy `cloudevents.v1.http`/`cloudevents.v1.kafka` functions and the
newer `cloudevents.core.bindings`), for CloudEventSDKInteropTests.swift to decode.

Each message records its transport (http/kafka), the mode, headers (name, value) in order, the body or
value and key as base64, and the attributes and data the SDK was given.

Run from the repository root: .venv/bin/python Tests/Fixtures/cloudevents/generate.py
"""
import base64
import warnings
import json
import pathlib
from importlib.metadata import version

from dateutil.parser import isoparse

from cloudevents.core.bindings import http as core_http
from cloudevents.core.bindings import kafka as core_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as CoreEvent
from cloudevents.v1 import http as legacy_http
from cloudevents.v1 import kafka as legacy_kafka

HERE = pathlib.Path(__file__).parent

# (name, attributes, data). `data` is what the SDK is given: bytes, str, dict or None.
EVENTS = [
    (
        "json-object",
        {
            "id": "C234-1234-1234",
            "source": "/mycontext",
            "type": "com.example.someevent",
            "time": "2018-04-05T17:31:00Z",
            "comexampleextension1": "value",
            "comexampleothervalue": 5,
            "datacontenttype": "application/json",
        },
        {"appinfoA": "abc", "appinfoB": 123, "appinfoC": True, "pi": 3.25, "nested": [1, None, "x"]},
    ),
    (
        "binary-data",
        {
            "id": "B234-1234-1234",
            "source": "/mycontext/4",
            "type": "com.example.someevent",
            "time": "2020-01-02T03:04:05.123456Z",
            "datacontenttype": "application/vnd.apache.thrift.binary",
        },
        bytes([0, 1, 2, 0xFE, 0xFF, 0x80, 10]),
    ),
    (
        "text-unicode",
        {
            "id": "euro-1",
            "source": "https://example.com/storage/tenant/container",
            "type": "com.example.text",
            "time": "2018-04-26T14:48:09+02:00",
            "subject": 'Euro \u20ac \U0001F600 "quoted" 100%',
            "datacontenttype": "text/plain",
        },
        "Gr\u00fc\u00dfe \u20ac\n",
    ),
    (
        "no-data",
        {
            "id": "n-1",
            "source": "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            "type": "com.example.empty",
            "time": "1999-12-31T23:59:59Z",
            "dataschema": "https://example.com/schema/1",
        },
        None,
    ),
    (
        "partitionkey",
        {
            "id": "pk-1",
            "source": "/orders",
            "type": "com.example.order.created",
            "time": "2024-02-29T12:00:00Z",
            "partitionkey": "customer-42",
            "datacontenttype": "application/json",
        },
        {"order": 7},
    ),
    (
        "xml-string",
        {
            "id": "x-1",
            "source": "/mycontext",
            "type": "com.example.someevent",
            "time": "2018-04-05T17:31:00Z",
            "datacontenttype": "application/xml",
        },
        '<much wow="xml"/>',
    ),
]


def b64(data):
    if data is None:
        return None
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def header_list(headers):
    out = []
    for name, value in headers.items():
        out.append([name, value.decode() if isinstance(value, bytes) else str(value)])
    return out


def main():
    warnings.simplefilter("ignore")
    messages = []
    for name, attributes, data in EVENTS:
        given = {"attributes": attributes}
        if data is not None:
            given["data_json" if isinstance(data, dict) else "data_base64"] = (
                data if isinstance(data, dict) else b64(data)
            )
        legacy = legacy_http.CloudEvent(dict(attributes), data)
        core_attributes = dict(attributes, specversion="1.0")
        core_attributes["time"] = isoparse(attributes["time"])
        core = CoreEvent(core_attributes, data)
        fmt = JSONFormat()

        headers, body = legacy_http.to_structured(legacy)
        messages.append({"name": f"{name}/legacy-http-structured", "transport": "http", "headers": header_list(headers), "body_base64": b64(body), **given})
        headers, body = legacy_http.to_binary(legacy)
        messages.append({"name": f"{name}/legacy-http-binary", "transport": "http", "headers": header_list(headers), "body_base64": b64(body), **given})
        message = core_http.to_structured(core, fmt)
        messages.append({"name": f"{name}/core-http-structured", "transport": "http", "headers": header_list(message.headers), "body_base64": b64(message.body), **given})
        message = core_http.to_binary(core, fmt)
        messages.append({"name": f"{name}/core-http-binary", "transport": "http", "headers": header_list(message.headers), "body_base64": b64(message.body), **given})

        for api, to_binary, to_structured in (
            ("legacy", lambda e: legacy_kafka.to_binary(e), lambda e: legacy_kafka.to_structured(e)),
            ("core", lambda e: core_kafka.to_binary(e, fmt), lambda e: core_kafka.to_structured(e, fmt)),
        ):
            event = legacy if api == "legacy" else core
            for mode, convert in (("binary", to_binary), ("structured", to_structured)):
                try:
                    kafka = convert(event)
                except Exception as error:  # recorded, not hidden
                    print(f"{name}/{api}-kafka-{mode}: SDK failed: {error!r}")
                    continue
                key = kafka.key.encode() if isinstance(kafka.key, str) else kafka.key
                messages.append({
                    "name": f"{name}/{api}-kafka-{mode}", "transport": "kafka",
                    "headers": header_list(kafka.headers), "body_base64": b64(kafka.value),
                    "key_base64": b64(key), **given,
                })
    # A batch of the core SDK's structured events (the SDK has no batch encoder).
    bodies = [base64.b64decode(m["body_base64"]) for m in messages if m["name"].endswith("/core-http-structured")]
    messages.append({
        "name": "batch/core-http-structured-elements", "transport": "http",
        "headers": [["content-type", "application/cloudevents-batch+json"]],
        "body_base64": b64(b"[" + b", ".join(bodies) + b"]"),
    })
    out = {"generator": f"cloudevents {version('cloudevents')} (PyPI)", "messages": messages}
    (HERE / "sdk-messages.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(messages)} messages")


if __name__ == "__main__":
    main()
