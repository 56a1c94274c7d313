#!/usr/bin/env python3
"""Checks plexus-messages.json (our encoders' output, written by CloudEventSDKInteropTests.swift with
PLEXUS_UPDATE_FIXTURES=1) with the CloudEvents Python SDK's decoders, both APIs: every message must
decode to the attributes and data the SDK was given for the same event in sdk-messages.json.

Run from the repository root: .venv/bin/python Tests/Fixtures/cloudevents/check_plexus.py
Exits non-zero when any check fails.
"""
import base64
import json
import pathlib
import sys
import warnings

from dateutil.parser import isoparse

from cloudevents.core.bindings import http as core_http
from cloudevents.core.bindings import kafka as core_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.v1 import http as legacy_http
from cloudevents.v1 import kafka as legacy_kafka

HERE = pathlib.Path(__file__).parent
failures = []

# Deviations of the legacy API (cloudevents.v1) from the bindings, not of our encodings:
# - kafka.from_structured takes datacontenttype from the record's content-type header (the event
#   format's media type), overriding the event's own;
# - http.from_http does not percent-decode ce- header values (HTTP binding §3.1.3.2);
# - kafka.from_binary sets partitionkey from the record key, as bytes.
KNOWN_LEGACY = (
    "/kafka-structured/legacy: datacontenttype",
    "no-data/kafka-structured/legacy: unexpected attributes {'datacontenttype'}",
    "text-unicode/http-binary/legacy: subject",
    "partitionkey/kafka-binary/legacy: partitionkey b'customer-42'",
)


def expect(condition, what):
    if not condition:
        failures.append(what)


def given_events():
    sdk = json.loads((HERE / "sdk-messages.json").read_text())
    out = {}
    for message in sdk["messages"]:
        if message["name"].endswith("/core-http-structured"):
            out[message["name"].split("/")[0]] = message
    return out


def data_of(given):
    if "data_json" in given:
        return given["data_json"]
    if "data_base64" in given:
        return base64.b64decode(given["data_base64"])
    return None


def check(name, attributes, data, given, typed):
    expected = dict(given["attributes"], specversion="1.0")
    for key, value in expected.items():
        got = attributes.get(key)
        if key == "time":
            expect(isoparse(str(got)) == isoparse(value) if not hasattr(got, "tzinfo") else got == isoparse(value),
                   f"{name}: time {got!r} != {value!r}")
        elif typed:
            expect(got == value, f"{name}: {key} {got!r} != {value!r}")
        else:
            expect(str(got) == str(value), f"{name}: {key} {got!r} != {value!r}")
    extra = set(k for k, v in attributes.items() if v is not None) - set(expected)
    expect(not extra, f"{name}: unexpected attributes {extra}")
    want = data_of(given)
    if isinstance(data, (bytes, bytearray)) and isinstance(want, str):
        want = want.encode()
    if isinstance(data, str) and isinstance(want, (bytes, bytearray)):
        data = data.encode()
    if isinstance(data, (bytes, bytearray)) and isinstance(want, dict):
        data = json.loads(data)
    if data in (b"", "") and want is None:
        data = None
    expect(data == want, f"{name}: data {data!r} != {want!r}")


def main():
    warnings.simplefilter("ignore")
    given = given_events()
    plexus = json.loads((HERE / "plexus-messages.json").read_text())
    fmt = JSONFormat()
    count = 0
    for message in plexus["messages"]:
        name = message["name"]
        event_name = name.split("/")[0]
        headers = {k: v for k, v in message["headers"]}
        body = base64.b64decode(message["body_base64"]) if message["body_base64"] is not None else b""
        key = base64.b64decode(message["key_base64"]) if message["key_base64"] is not None else None
        if name == "batch/http-batch":
            expect(headers["content-type"].startswith("application/cloudevents-batch+json"), f"{name}: content-type")
            elements = json.loads(body)
            expect(len(elements) == len(given), f"{name}: {len(elements)} events")
            for element, event_name in zip(elements, given):
                event = core_http.from_structured(
                    core_http.HTTPMessage(headers={"content-type": "application/cloudevents+json"},
                                          body=json.dumps(element).encode()), fmt)
                check(f"{name}[{event_name}]/core", event.get_attributes(), event.get_data(), given[event_name], True)
                count += 1
            continue
        g = given[event_name]
        if message["transport"] == "http":
            event = core_http.from_http(core_http.HTTPMessage(headers=headers, body=body), fmt)
            check(f"{name}/core", event.get_attributes(), event.get_data(), g, name.endswith("structured"))
            legacy = legacy_http.from_http(headers, body)
            check(f"{name}/legacy", dict(legacy.get_attributes()), legacy.get_data(), g, name.endswith("structured"))
            count += 2
        else:
            kafka_headers = {k: v.encode() for k, v in headers.items()}
            event = core_kafka.from_kafka(core_kafka.KafkaMessage(headers=kafka_headers, key=key, value=body), fmt)
            check(f"{name}/core", event.get_attributes(), event.get_data(), g, name.endswith("structured"))
            if "partitionkey" in g["attributes"]:
                expect(key == g["attributes"]["partitionkey"].encode(), f"{name}: key {key!r}")
            message_in = legacy_kafka.KafkaMessage(headers=kafka_headers, key=key, value=body)
            if name.endswith("binary"):
                legacy = legacy_kafka.from_binary(message_in, data_unmarshaller=lambda x: x)
            else:
                legacy = legacy_kafka.from_structured(message_in)
            check(f"{name}/legacy", dict(legacy.get_attributes()), legacy.get_data(), g, name.endswith("structured"))
            count += 2
    known = [f for f in failures if any(k in f for k in KNOWN_LEGACY)]
    real = [f for f in failures if f not in known]
    for failure in known:
        print("known legacy-SDK deviation:", failure)
    for failure in real:
        print("FAIL", failure)
    print(f"{count} decodings by the SDK, {len(real)} failures, {len(known)} known legacy-SDK deviations")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
