#!/usr/bin/env python3
"""Generates PlexusKafkaWire message types from Apache Kafka's JSON message schemas.

Reads  scripts/kafka-codegen/schemas/*.json   (copied from apache/kafka by fetch_schemas.py)
Writes Sources/PlexusKafkaWire/Generated/*.swift          (one file per API, plus headers and the
                                                            AnyKafkaRequest/AnyKafkaResponse enums)
       Tests/PlexusKafkaWireTests/Generated/*.swift       (sample values for the round-trip tests)

Python 3.11, standard library only. Run from anywhere:  python3 scripts/kafka-codegen/generate.py
The output is committed; the Swift build never runs this script. Run swift-format afterwards.
"""

from __future__ import annotations

import json
import pathlib
import re
import zlib
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"
OUT = ROOT / "Sources" / "PlexusKafkaWire" / "Generated"
TEST_OUT = ROOT / "Tests" / "PlexusKafkaWireTests" / "Generated"

# (API name, api key) in key order; each has a <Name>Request.json and <Name>Response.json schema.
APIS = [
    ("Produce", 0), ("Fetch", 1), ("ListOffsets", 2), ("Metadata", 3), ("OffsetCommit", 8),
    ("OffsetFetch", 9), ("FindCoordinator", 10), ("JoinGroup", 11), ("Heartbeat", 12), ("LeaveGroup", 13),
    ("SyncGroup", 14), ("DescribeGroups", 15), ("ListGroups", 16), ("SaslHandshake", 17), ("ApiVersions", 18),
    ("CreateTopics", 19), ("DeleteTopics", 20), ("InitProducerId", 22), ("OffsetForLeaderEpoch", 23),
    ("DescribeConfigs", 32), ("AlterConfigs", 33), ("SaslAuthenticate", 36), ("CreatePartitions", 37),
    ("DeleteGroups", 42), ("IncrementalAlterConfigs", 44), ("OffsetDelete", 47), ("DescribeCluster", 60),
]
HEADERS = ["RequestHeader", "ResponseHeader"]

INT_TYPES = {"int8": "Int8", "int16": "Int16", "uint16": "UInt16", "int32": "Int32", "uint32": "UInt32",
             "int64": "Int64"}
INT_RANGES = {"Int8": (-128, 127), "Int16": (-32768, 32767), "UInt16": (0, 65535),
              "Int32": (-2**31, 2**31 - 1), "UInt32": (0, 2**32 - 1), "Int64": (-2**63, 2**63 - 1)}
SWIFT_KEYWORDS = {"default", "protocol", "internal", "operator", "class", "struct", "enum", "func", "var", "let",
                  "import", "in", "is", "as", "self", "Self", "Type", "init", "deinit", "extension", "return",
                  "switch", "case", "where", "while", "for", "repeat", "throw", "throws", "try", "public", "private",
                  "static", "subscript", "typealias", "associatedtype", "inout", "nil", "true", "false", "super"}


# ---------------------------------------------------------------------------------------------------
# Version ranges

@dataclass(frozen=True)
class Versions:
    """An inclusive version range; hi=None means open-ended. Empty ranges are represented by None."""
    lo: int
    hi: int | None

    def contains(self, v: int) -> bool:
        return v >= self.lo and (self.hi is None or v <= self.hi)

    def intersect(self, other: Versions | None) -> Versions | None:
        if other is None:
            return None
        lo = max(self.lo, other.lo)
        his = [h for h in (self.hi, other.hi) if h is not None]
        hi = min(his) if his else None
        if hi is not None and lo > hi:
            return None
        return Versions(lo, hi)

    def covers(self, other: Versions) -> bool:
        return self.lo <= other.lo and (self.hi is None or (other.hi is not None and other.hi <= self.hi))

    def values(self) -> range:
        assert self.hi is not None
        return range(self.lo, self.hi + 1)


def parse_versions(text: str | None) -> Versions | None:
    if text is None or text == "none":
        return None
    text = str(text)
    if text.endswith("+"):
        return Versions(int(text[:-1]), None)
    if "-" in text:
        lo, hi = text.split("-")
        return Versions(int(lo), int(hi))
    return Versions(int(text), int(text))


def condition(wanted: Versions | None, context: Versions | None) -> bool | str:
    """Swift condition for `version in wanted`, simplified given `version in context`."""
    if wanted is None or context is None:
        return False
    inter = wanted.intersect(context)
    if inter is None:
        return False
    if wanted.covers(context):
        return True
    need_lo = inter.lo > context.lo
    need_hi = inter.hi is not None and (context.hi is None or inter.hi < context.hi)
    if need_lo and need_hi:
        if inter.lo == inter.hi:
            return f"version == {inter.lo}"
        return f"({inter.lo}...{inter.hi}).contains(version)"
    if need_lo:
        return f"version >= {inter.lo}"
    return f"version <= {inter.hi}"


def swift_bool(cond: bool | str) -> str:
    if cond is True:
        return "true"
    if cond is False:
        return "false"
    return cond


# ---------------------------------------------------------------------------------------------------
# Schema model

def lower_camel(name: str) -> str:
    # Leading acronyms stay readable: "ZkMigrationReady" -> "zkMigrationReady"; already-lower names stay.
    result = name[0].lower() + name[1:]
    return f"`{result}`" if result in SWIFT_KEYWORDS else result


def doc_lines(text: str | None, indent: str) -> list[str]:
    if not text:
        return []
    text = re.sub(r"\s+", " ", text).strip()
    return [f"{indent}/// {text}"]


@dataclass
class Field:
    name: str          # schema name
    prop: str          # Swift property name
    kind: str          # "int", "bool", "float64", "uuid", "string", "bytes", "records", "array", "struct"
    base: str          # schema base type (element type for arrays)
    elem_kind: str | None
    struct: Struct | None
    versions: Versions | None
    nullable: Versions | None
    tagged: Versions | None
    tag: int | None
    flexible_override: str | None
    default_raw: object
    about: str | None
    path: str
    ignorable: bool = False

    @property
    def optional(self) -> bool:
        return self.nullable is not None or self.kind == "records"

    def swift_type(self, owner: str) -> str:
        if self.kind == "array":
            elem = self.struct.name if self.struct else primitive_swift(self.base)
            core = f"[{elem}]"
        elif self.kind == "struct":
            core = self.struct.name
        else:
            core = primitive_swift(self.base)
        return core + "?" if self.optional else core

    def default_is_null(self) -> bool:
        if self.kind == "records":
            return True
        return self.optional and str(self.default_raw) == "null"

    def default_expr(self) -> str:
        if self.default_is_null():
            return "nil"
        raw = self.default_raw
        if self.kind == "int":
            return str(parse_int(raw))
        if self.kind == "bool":
            return "true" if str(raw).lower() == "true" else "false"
        if self.kind == "float64":
            return repr(float(raw)) if raw not in (None, "") else "0"
        if self.kind == "string":
            return json.dumps(str(raw) if raw is not None else "")
        if self.kind == "bytes":
            return "ByteBuffer()"
        if self.kind == "uuid":
            return ".zero"
        if self.kind == "array":
            return "[]"
        if self.kind == "struct":
            return f"{self.struct.name}()"
        raise ValueError(self.kind)


@dataclass
class Struct:
    name: str
    fields: list[Field]
    context: Versions     # versions of the message in which this struct can appear
    about: str | None
    path: str


def primitive_swift(base: str) -> str:
    if base in INT_TYPES:
        return INT_TYPES[base]
    return {"bool": "Bool", "float64": "Double", "string": "String", "bytes": "ByteBuffer",
            "records": "ByteBuffer", "uuid": "KafkaUUID"}[base]


def primitive_kind(base: str) -> str:
    if base in INT_TYPES:
        return "int"
    if base in ("bool", "float64", "string", "bytes", "records", "uuid"):
        return base
    raise ValueError(f"unsupported type {base}")


def parse_int(raw: object) -> int:
    if raw is None or raw == "":
        return 0
    if isinstance(raw, int):
        return raw
    text = str(raw)
    return int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text)


class Message:
    def __init__(self, schema: dict):
        self.schema = schema
        self.name: str = schema["name"]
        self.type: str = schema["type"]
        self.api_key: int | None = schema.get("apiKey")
        self.valid = parse_versions(schema["validVersions"])
        self.flexible = parse_versions(schema["flexibleVersions"])
        self.structs: list[Struct] = []
        common = {c["name"]: c for c in schema.get("commonStructs", [])}
        self.common = common
        self.root = self.build_struct(self.name, schema["fields"], self.valid, None, self.name)

    def build_struct(self, name: str, fields: list[dict], context: Versions, about: str | None,
                     path: str) -> Struct:
        struct = Struct(name, [], context, about, path)
        if name != self.name:
            if any(s.name == name for s in self.structs):
                raise ValueError(f"duplicate struct {name} in {self.name}")
            self.structs.append(struct)
        for spec in fields:
            struct.fields.append(self.build_field(spec, context, f"{path}.{spec['name']}"))
        return struct

    def build_field(self, spec: dict, context: Versions, path: str) -> Field:
        typ: str = spec["type"]
        versions = parse_versions(spec.get("versions"))
        nullable = parse_versions(spec.get("nullableVersions"))
        tagged = parse_versions(spec.get("taggedVersions"))
        is_array = typ.startswith("[]")
        base = typ[2:] if is_array else typ
        struct = None
        field_context = context.intersect(versions) if versions else None
        if "fields" in spec or base in self.common:
            fields = spec.get("fields") or self.common[base]["fields"]
            struct = self.build_struct(base, fields, field_context or context, spec.get("about"), path)
            kind = "array" if is_array else "struct"
            elem_kind = "struct" if is_array else None
        elif is_array:
            kind, elem_kind = "array", primitive_kind(base)
        else:
            kind, elem_kind = primitive_kind(base), None
        if kind == "struct" and nullable is not None:
            raise ValueError(f"nullable struct fields are not supported: {path}")
        return Field(name=spec["name"], prop=lower_camel(spec["name"]), kind=kind, base=base,
                     elem_kind=elem_kind, struct=struct, versions=versions, nullable=nullable, tagged=tagged,
                     tag=spec.get("tag"), flexible_override=spec.get("flexibleVersions"),
                     default_raw=spec.get("default"), about=spec.get("about"), path=path,
                     ignorable=bool(spec.get("ignorable", False)))


# ---------------------------------------------------------------------------------------------------
# Code emission

class Emitter:
    def __init__(self, message: Message):
        self.m = message

    # --- field-level expressions -------------------------------------------------------------------

    def regular_context(self, field: Field, struct: Struct) -> Versions | None:
        """Versions (within the struct's context) where the field is a regular, non-tagged field."""
        if field.tag is not None:
            return None
        return struct.context.intersect(field.versions) if field.versions else None

    def compact(self, field: Field, context: Versions) -> bool | str:
        """Whether the field uses compact encodings; `flexible` (a local in the generated code) when it
        depends on the version."""
        flex = parse_versions(field.flexible_override) if field.flexible_override is not None else self.m.flexible
        cond = condition(flex, context)
        if isinstance(cond, str):
            assert field.flexible_override is None, "version-dependent per-field flexibleVersions"
            return "flexible"
        return cond

    def read_expr(self, field: Field, context: Versions, compact: bool | str, buf: str) -> str:
        p = json.dumps(field.path)
        cx = swift_bool(compact)
        nx = swift_bool(condition(field.nullable, context))
        k = field.kind
        if k == "int":
            return f"try {buf}.readKafkaInteger({p})"
        if k == "bool":
            return f"try {buf}.readKafkaBool({p})"
        if k == "float64":
            return f"try {buf}.readKafkaFloat64({p})"
        if k == "uuid":
            return f"try {buf}.readKafkaUUID({p})"
        if k == "string":
            if field.optional:
                return f"try {buf}.readKafkaNullableString(compact: {cx}, nullable: {nx}, {p})"
            return f"try {buf}.readKafkaString(compact: {cx}, {p})"
        if k in ("bytes", "records"):
            if field.optional:
                return f"try {buf}.readKafkaNullableBytes(compact: {cx}, nullable: {nx}, {p})"
            return f"try {buf}.readKafkaBytes(compact: {cx}, {p})"
        if k == "array":
            if field.optional:
                return f"try {buf}.readKafkaNullableArray(compact: {cx}, nullable: {nx}, version: version, {p})"
            return f"try {buf}.readKafkaArray(compact: {cx}, version: version, {p})"
        if k == "struct":
            return f"try {field.struct.name}(from: &{buf}, version: version)"
        raise ValueError(k)

    def write_stmt(self, field: Field, context: Versions, compact: bool | str, buf: str) -> str:
        v = f"self.{field.prop}"
        cx = swift_bool(compact)
        nx = swift_bool(condition(field.nullable, context))
        k = field.kind
        if k == "int":
            return f"{buf}.writeInteger({v})"
        if k == "bool":
            return f"{buf}.writeKafkaBool({v})"
        if k == "float64":
            return f"{buf}.writeKafkaFloat64({v})"
        if k == "uuid":
            return f"{buf}.writeKafkaUUID({v})"
        if k == "string":
            if field.optional:
                return f"{buf}.writeKafkaNullableString({v}, compact: {cx}, nullable: {nx})"
            return f"{buf}.writeKafkaString({v}, compact: {cx})"
        if k in ("bytes", "records"):
            if field.optional:
                return f"{buf}.writeKafkaNullableBytes({v}, compact: {cx}, nullable: {nx})"
            return f"{buf}.writeKafkaBytes({v}, compact: {cx})"
        if k == "array":
            if field.optional:
                return f"{buf}.writeKafkaNullableArray({v}, version: version, compact: {cx}, nullable: {nx})"
            return f"{buf}.writeKafkaArray({v}, version: version, compact: {cx})"
        if k == "struct":
            return f"{v}.write(to: &{buf}, version: version)"
        raise ValueError(k)

    # --- struct bodies -----------------------------------------------------------------------------

    def read_body(self, struct: Struct) -> list[str]:
        lines: list[str] = []
        for field in struct.fields:
            ctx = self.regular_context(field, struct)
            if ctx is None:
                continue
            cond = condition(field.versions, struct.context)
            compact = self.compact(field, ctx)
            stmt = f"self.{field.prop} = {self.read_expr(field, ctx, compact, 'buffer')}"
            lines += self.guarded(cond, [stmt])
        lines += self.tagged_read(struct)
        return lines

    def write_body(self, struct: Struct) -> list[str]:
        lines: list[str] = []
        for field in struct.fields:
            ctx = self.regular_context(field, struct)
            if ctx is None:
                continue
            cond = condition(field.versions, struct.context)
            compact = self.compact(field, ctx)
            lines += self.guarded(cond, [self.write_stmt(field, ctx, compact, "buffer")])
        lines += self.tagged_write(struct)
        return lines

    def tagged_fields(self, struct: Struct) -> list[Field]:
        return sorted((f for f in struct.fields if f.tag is not None and
                       struct.context.intersect(f.tagged) is not None), key=lambda f: f.tag)

    def tagged_read(self, struct: Struct) -> list[str]:
        flex = condition(self.m.flexible, struct.context)
        if flex is False:
            return []
        path = json.dumps(struct.path)
        fields = self.tagged_fields(struct)
        if not fields:
            body = [f"try buffer.skipKafkaTaggedFields({path})"]
        else:
            body = [f"var tagged = try KafkaTaggedFieldReader(from: &buffer, {path})",
                    "while var field = try tagged.next(from: &buffer) {",
                    "switch field.tag {"]
            for f in fields:
                ctx = struct.context.intersect(f.tagged)
                cond = condition(f.tagged, struct.context)
                where = "" if cond is True else f" where {cond}"
                body.append(f"case {f.tag}{where}:")
                body.append(f"self.{f.prop} = {self.read_expr(f, ctx, True, 'field.value')}")
            body += ["default:", "break", "}", "}"]
        return self.guarded(flex, body, flag="flexible")

    def tagged_write(self, struct: Struct) -> list[str]:
        flex = condition(self.m.flexible, struct.context)
        if flex is False:
            return []
        fields = self.tagged_fields(struct)
        if not fields:
            body = ["buffer.writeKafkaEmptyTaggedFields()"]
        else:
            body = ["var tagged = KafkaTaggedFieldWriter()"]
            for f in fields:
                ctx = struct.context.intersect(f.tagged)
                cond = condition(f.tagged, struct.context)
                differs = f"self.{f.prop} != {f.default_expr()}"
                guard = differs if cond is True else f"{cond}, {differs}"
                body.append(f"if {guard} {{")
                body.append(f"tagged.add({f.tag}) {{ {self.write_stmt(f, ctx, True, '$0')} }}")
                body.append("}")
            body.append("tagged.write(to: &buffer)")
        return self.guarded(flex, body, flag="flexible")

    @staticmethod
    def guarded(cond: bool | str, body: list[str], flag: str | None = None) -> list[str]:
        if cond is False:
            return []
        if cond is True:
            return body
        head = flag if flag else cond
        return [f"if {head} {{"] + body + ["}"]

    def with_flexible_flag(self, struct: Struct, body: list[str]) -> list[str]:
        if any(re.search(r"\bflexible\b", line) for line in body):
            flex = condition(self.m.flexible, struct.context)
            assert isinstance(flex, str)
            return [f"let flexible = {flex}"] + body
        return body

    # --- representability (Kafka's UnsupportedVersionException / null checks on write) -------------

    def check_body(self, struct: Struct, memo: dict[str, bool] | None = None) -> list[str]:
        """Statements appending to `lost` the paths of values that `write` at `version` cannot carry:
        non-default values of non-ignorable fields absent in the version, and nil in versions where
        the field is not nullable."""
        lines: list[str] = []
        for f in struct.fields:
            present = f.tagged if f.tag is not None else f.versions
            cond = condition(present, struct.context)
            path = json.dumps(f.path)
            if not f.ignorable and cond is not True:
                differs = f"self.{f.prop} != {f.default_expr()}"
                guard = differs if cond is False else f"!({cond}), {differs}"
                lines += [f"if {guard} {{", f"lost.append({path})", "}"]
            if cond is False:
                continue
            ctx = struct.context.intersect(present)
            if f.optional and f.kind != "records":
                nullable = condition(f.nullable, ctx)
                if nullable is not True:
                    null_guard = f"self.{f.prop} == nil"
                    if nullable is not False:
                        null_guard = f"!({nullable}), " + null_guard
                    lines += self.guarded(cond, [f"if {null_guard} {{", "lost.append(" + json.dumps(f.path + " (null)") + ")", "}"])
            if f.struct is not None and self.needs_check(f.struct):
                if f.kind == "struct":
                    inner = [f"lost += self.{f.prop}.fieldsNotRepresentable(at: version)"]
                else:
                    seq = f"self.{f.prop} ?? []" if f.optional else f"self.{f.prop}"
                    inner = [f"for element in {seq} {{",
                             "lost += element.fieldsNotRepresentable(at: version)", "}"]
                lines += self.guarded(cond, inner)
        return lines

    def needs_check(self, struct: Struct) -> bool:
        return bool(self.check_body(struct))

    def check_decl(self, struct: Struct, top: bool, indent: str) -> list[str]:
        body = self.check_body(struct)
        if not body:
            return []
        access = "public " if top else ""
        doc = [f"{indent}/// The fields whose values `write(to:version:)` cannot represent at `version` (Kafka would",
               f"{indent}/// refuse to serialize them): non-default values of non-ignorable fields the version lacks,",
               f"{indent}/// and nil where the version does not allow null. Empty when the value is safe to write."]
        return ([""] + doc + [f"{indent}{access}func fieldsNotRepresentable(at version: Int16) -> [String] {{",
                f"{indent}    var lost: [String] = []"] + self.indent_block(body, indent + "    ") +
                [f"{indent}    return lost", f"{indent}}}"])

    # --- declarations ------------------------------------------------------------------------------

    def properties(self, struct: Struct, indent: str) -> list[str]:
        lines: list[str] = []
        for f in struct.fields:
            notes = []
            if f.versions is not None and not (f.versions.lo == 0 and f.versions.hi is None):
                notes.append(f"versions {self.fmt(f.versions)}")
            if f.tag is not None:
                notes.append(f"tag {f.tag} in {self.fmt(f.tagged)}")
            if f.nullable is not None:
                notes.append(f"nullable {self.fmt(f.nullable)}")
            about = (f.about or f.name).rstrip()
            if notes:
                about += f" ({', '.join(notes)})"
            lines += doc_lines(about, indent)
            lines.append(f"{indent}public var {f.prop}: {f.swift_type(struct.name)}")
        return lines

    @staticmethod
    def fmt(v: Versions | None) -> str:
        if v is None:
            return "none"
        if v.hi is None:
            return f"{v.lo}+"
        return str(v.lo) if v.lo == v.hi else f"{v.lo}-{v.hi}"

    def memberwise_init(self, struct: Struct, indent: str) -> list[str]:
        lines = [f"{indent}/// Creates a value; every field not passed keeps its schema default."]
        if not struct.fields:
            return lines + [f"{indent}public init() {{}}"]
        params = ",\n".join(f"{indent}    {f.prop.strip('`')}: {f.swift_type(struct.name)} = {f.default_expr()}"
                            for f in struct.fields)
        lines.append(f"{indent}public init(\n{params}\n{indent}) {{")
        for f in struct.fields:
            lines.append(f"{indent}    self.{f.prop} = {f.prop.strip('`')}")
        lines.append(f"{indent}}}")
        return lines

    @staticmethod
    def indent_block(lines: list[str], indent: str) -> list[str]:
        out = []
        depth = 0
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("}") or stripped.startswith("case ") or stripped == "default:":
                d = depth - 1 if stripped.startswith("}") else depth - 1
            else:
                d = depth
            out.append(indent + "    " * max(d, 0) + stripped)
            depth += stripped.count("{") - stripped.count("}")
        return out

    def struct_decl(self, struct: Struct, top: bool) -> list[str]:
        indent = "    " if top else "        "
        inner = indent + "    "
        name = struct.name
        lines: list[str] = []
        if top:
            lines += self.top_doc()
            conformance = {"request": "KafkaRequest", "response": "KafkaResponse"}.get(self.m.type, "KafkaMessage")
            lines.append(f"public struct {name}: {conformance} {{")
            if self.m.type == "request":
                lines.append(f"    public typealias Response = {name[:-len('Request')]}Response")
            if self.m.api_key is not None:
                key = lower_camel(name[: -len("Request")] if self.m.type == "request" else name[: -len("Response")])
                lines.append(f"    public static let apiKey = KafkaApiKey.{key}")
            lines.append(f"    public static let validVersions: ClosedRange<Int16> = {self.m.valid.lo}...{self.m.valid.hi}")
            flex = "nil" if self.m.flexible is None else str(self.m.flexible.lo)
            lines.append(f"    public static let flexibleVersionsStart: Int16? = {flex}")
            lines.append("")
        else:
            lines += doc_lines(struct.about, "    ")
            lines.append(f"    public struct {name}: KafkaStruct, Hashable, Sendable {{")
        body_indent = "    " if top else "        "
        lines += self.properties(struct, body_indent)
        lines.append("")
        lines += self.memberwise_init(struct, body_indent)
        lines.append("")

        read = self.with_flexible_flag(struct, self.read_body(struct))
        write = self.with_flexible_flag(struct, self.write_body(struct))
        if top:
            key = "Self.apiKey.rawValue" if self.m.api_key is not None else "nil"
            lines += [
                f"{body_indent}/// Decodes the body at `version`; see ``KafkaMessage/init(from:version:)``.",
                f"{body_indent}public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) {{",
                f"{body_indent}    guard Self.validVersions.contains(version) else {{",
                f"{body_indent}        throw .unsupportedVersion(apiKey: {key if key != 'nil' else '-1'}, version: version)",
                f"{body_indent}    }}",
                f"{body_indent}    self.init()",
                f"{body_indent}    do throws(KafkaWireError) {{",
                f"{body_indent}        try self.readFields(from: &buffer, version: version)",
                f"{body_indent}    }} catch {{",
                f"{body_indent}        throw error.locating(apiKey: {key}, version: version)",
                f"{body_indent}    }}",
                f"{body_indent}}}",
                "",
                f"{body_indent}private mutating func readFields(from buffer: inout ByteBuffer, version: Int16)"
                f" throws(KafkaWireError) {{",
            ]
            lines += self.indent_block(read, body_indent + "    ")
            lines.append(f"{body_indent}}}")
            lines.append("")
            lines.append(f"{body_indent}/// Encodes the body at `version`; see ``KafkaMessage/write(to:version:)``.")
            lines.append(f"{body_indent}public func write(to buffer: inout ByteBuffer, version: Int16) {{")
        else:
            lines.append(f"{body_indent}init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) {{")
            lines.append(f"{body_indent}    self.init()")
            lines += self.indent_block(read, body_indent + "    ")
            lines.append(f"{body_indent}}}")
            lines.append("")
            lines.append(f"{body_indent}func write(to buffer: inout ByteBuffer, version: Int16) {{")
        lines += self.indent_block(write, body_indent + "    ")
        lines.append(f"{body_indent}}}")
        lines += self.check_decl(struct, top, body_indent)
        lines.append("    }" if not top else "}")
        return lines

    def top_doc(self) -> list[str]:
        m = self.m
        kind = {"request": "request", "response": "response", "header": "header"}[m.type]
        key = f" (API key {m.api_key})" if m.api_key is not None else ""
        flex = "none" if m.flexible is None else f"{m.flexible.lo}+"
        return [
            f"/// Kafka `{m.name}` {kind}{key}: versions {self.fmt(m.valid)}, flexible {flex}.",
            "///",
            f"/// Generated from Apache Kafka's `{m.name}.json` by `scripts/kafka-codegen/generate.py`; do not edit.",
        ]

    def file(self) -> str:
        lines = ["// Generated by scripts/kafka-codegen/generate.py from Apache Kafka's message schemas. Do not edit.", "",
                 "public import NIOCore", ""]
        lines += self.struct_decl(self.m.root, top=True)
        if self.m.structs:
            lines.append("")
            lines.append(f"extension {self.m.name} {{")
            for i, s in enumerate(self.m.structs):
                if i:
                    lines.append("")
                lines += self.struct_decl(s, top=False)
            lines.append("}")
        return "\n".join(lines) + "\n"

    # --- test samples -----------------------------------------------------------------------------

    def sample_value(self, f: Field, salt: int) -> str:
        k = f.kind
        if k == "int":
            t = primitive_swift(f.base)
            lo, hi = INT_RANGES[t]
            default = parse_int(f.default_raw)
            value = 3 + (zlib.crc32(f.path.encode()) % 90) + salt
            if value == default:
                value += 1
            assert lo <= value <= hi
            return str(value)
        if k == "bool":
            return "false" if str(f.default_raw).lower() == "true" else "true"
        if k == "float64":
            return "2.5"
        if k == "string":
            return json.dumps(f"{f.name}-{salt}")
        if k in ("bytes", "records"):
            return f"ByteBuffer(bytes: [0x{(salt + 1) & 0xff:02x}, 0x02, 0xff])"
        if k == "uuid":
            return "KafkaUUID(mostSignificantBits: 0x0123_4567_89ab_cdef, leastSignificantBits: 0xfedc_ba98_7654_3210)"
        if k == "array":
            if f.struct:
                return "[.sample(version: version), .init()]"
            elem = Field(**{**f.__dict__, "kind": f.elem_kind, "nullable": None})
            return f"[{self.sample_value(elem, salt)}, {self.sample_value(elem, salt + 1)}]"
        if k == "struct":
            return ".sample(version: version)"
        raise ValueError(k)

    def sample_decl(self, struct: Struct, qualified: str) -> list[str]:
        lines = [f"extension {qualified} {{",
                 "    /// A value with non-default data in every field present at `version`.",
                 "    static func sample(version: Int16) -> Self {",
                 "        var value = Self()"]
        body = []
        for i, f in enumerate(struct.fields):
            present = f.tagged if f.tag is not None else f.versions
            cond = condition(present, struct.context)
            body += self.guarded(cond, [f"value.{f.prop} = {self.sample_value(f, i)}"])
        if not any("version" in line for line in body):
            body.insert(0, "_ = version")
        lines += self.indent_block(body, "        ")
        lines += ["        return value", "    }", "}"]
        return lines

    def sample_file_parts(self) -> list[str]:
        lines = self.sample_decl(self.m.root, self.m.name)
        for s in self.m.structs:
            lines.append("")
            lines += self.sample_decl(s, f"{self.m.name}.{s.name}")
        return lines


# ---------------------------------------------------------------------------------------------------
# Dispatch enums

def any_enum(kind: str, messages: list[tuple[str, int, Message]]) -> list[str]:
    proto = "KafkaRequest" if kind == "Request" else "KafkaResponse"
    lines = [
        f"/// Every generated {kind.lower()} body, one case per API, so a front end can `switch` on a decoded {kind.lower()}.",
        f"public enum AnyKafka{kind}: Hashable, Sendable {{",
    ]
    for api, key, _ in messages:
        lines.append(f"    /// {api} (key {key}).")
        lines.append(f"    case {lower_camel(api)}({api}{kind})")
    lines += [
        "",
        f"    /// Decodes a {kind.lower()} body for `apiKey` at `version`.",
        "    ///",
        "    /// - Throws: ``KafkaWireError/unknownApiKey(_:)`` for a key without a generated type,",
        "    ///   ``KafkaWireError/unsupportedVersion(apiKey:version:)`` outside `validVersions`, or a decode error.",
        "    public init(apiKey: KafkaApiKey, version: Int16, from buffer: inout ByteBuffer) throws(KafkaWireError) {",
        "        switch apiKey {",
    ]
    for api, key, _ in messages:
        lines.append(f"        case .{lower_camel(api)}: self = .{lower_camel(api)}(try {api}{kind}(from: &buffer, version: version))")
    lines += [
        "        default: throw .unknownApiKey(apiKey.rawValue)",
        "        }",
        "    }",
        "",
        "    /// The API key of the wrapped body.",
        "    public var apiKey: KafkaApiKey {",
        "        switch self {",
    ]
    for api, key, _ in messages:
        lines.append(f"        case .{lower_camel(api)}: return .{lower_camel(api)}")
    lines += [
        "        }",
        "    }",
        "",
        f"    /// The wrapped body as an existential `{proto}`.",
        f"    public var message: any {proto} {{",
        "        switch self {",
    ]
    for api, key, _ in messages:
        lines.append(f"        case .{lower_camel(api)}(let message): return message")
    lines += [
        "        }",
        "    }",
        "",
        "    /// Encodes the wrapped body at `version`.",
        "    public func write(to buffer: inout ByteBuffer, version: Int16) {",
        "        message.write(to: &buffer, version: version)",
        "    }",
        "}",
    ]
    return lines


def api_key_extension(messages: list[tuple[str, int, Message]]) -> list[str]:
    lines = [
        "extension KafkaApiKey {",
        "    /// Every API key with generated request and response types, in key order.",
        "    public static let generated: [KafkaApiKey] = [",
    ]
    lines += [f"        .{lower_camel(api)}," for api, _, _ in messages]
    lines += [
        "    ]",
        "",
        "    /// The generated request type for this key, or nil when there is none.",
        "    public var requestType: (any KafkaRequest.Type)? {",
        "        switch self {",
    ]
    lines += [f"        case .{lower_camel(api)}: return {api}Request.self" for api, _, _ in messages]
    lines += ["        default: return nil", "        }", "    }", "",
              "    /// The generated response type for this key, or nil when there is none.",
              "    public var responseType: (any KafkaResponse.Type)? {", "        switch self {"]
    lines += [f"        case .{lower_camel(api)}: return {api}Response.self" for api, _, _ in messages]
    lines += ["        default: return nil", "        }", "    }", "}"]
    return lines


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    TEST_OUT.mkdir(parents=True, exist_ok=True)
    for old in list(OUT.glob("*.swift")) + list(TEST_OUT.glob("*.swift")):
        old.unlink()
    header = "// Generated by scripts/kafka-codegen/generate.py from Apache Kafka's message schemas. Do not edit."
    samples = [header, "", "import NIOCore", "import PlexusKafkaWire", ""]
    all_messages: list[Message] = []
    for name in HEADERS:
        m = Message(json.loads((SCHEMAS / f"{name}.json").read_text()))
        (OUT / f"{name}.swift").write_text(Emitter(m).file())
        all_messages.append(m)
    apis: list[tuple[str, int, Message]] = []
    for api, key in APIS:
        parts = []
        for kind in ("Request", "Response"):
            m = Message(json.loads((SCHEMAS / f"{api}{kind}.json").read_text()))
            assert m.api_key == key, (api, kind, m.api_key)
            assert m.name == f"{api}{kind}"
            all_messages.append(m)
            parts.append(m)
        # One file per API: request and response together.
        req, resp = Emitter(parts[0]).file(), Emitter(parts[1]).file()
        resp_body = resp.split("public import NIOCore\n", 1)[1]
        (OUT / f"{api}.swift").write_text(req + resp_body)
        apis.append((api, key, parts[0]))
    for m in all_messages:
        samples += Emitter(m).sample_file_parts()
        samples.append("")

    dispatch = [header, "", "public import NIOCore", ""]
    dispatch += any_enum("Request", apis) + [""] + any_enum("Response", apis) + [""] + api_key_extension(apis)
    (OUT / "AnyKafkaMessage.swift").write_text("\n".join(dispatch) + "\n")

    # Round-trip table: every message type with every valid version.
    table = ["/// Every generated message type, for table-driven tests.",
             "let allGeneratedMessageTypes: [any (KafkaMessage & KafkaSampleable).Type] = ["]
    table += [f"    {m.name}.self," for m in all_messages]
    table += ["]", ""]
    for m in all_messages:
        table.append(f"extension {m.name}: KafkaSampleable {{}}")
    samples += table
    (TEST_OUT / "GeneratedSamples.swift").write_text("\n".join(samples) + "\n")
    total_versions = sum(len(m.valid.values()) for m in all_messages)
    print(f"generated {len(all_messages)} messages, {total_versions} message versions")


if __name__ == "__main__":
    main()
