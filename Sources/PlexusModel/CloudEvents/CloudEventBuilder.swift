import NIOCore

/// Collects attributes read from a message (header strings or JSON members), then checks them into a
/// ``CloudEvent``: type conversions here, value rules in ``CloudEvent/validate()``.
struct CloudEventBuilder {
    var problems: [CloudEventProblem] = []
    private var values: [String: CloudEventAttributeValue] = [:]

    /// Whether attribute `name` was set.
    func has(_ name: String) -> Bool { values[name] != nil }

    /// The text of String-like attribute `name`, if set.
    func text(_ name: String) -> String? {
        switch values[name] {
        case .string(let text), .uri(let text), .uriReference(let text): text
        default: nil
        }
    }

    /// Sets `name` from its canonical string form (binary modes). Extensions become Strings: the
    /// bindings do not carry their type.
    mutating func set(_ name: String, text: String) {
        guard values[name] == nil else {
            problems.append(CloudEventProblem(.duplicateAttribute, attribute: name, "\(name) appears more than once"))
            return
        }
        switch name {
        case "source": values[name] = .uriReference(text)
        case "dataschema": values[name] = .uri(text)
        case "time":
            guard let time = CloudEventTime(rfc3339: text) else {
                problems.append(
                    CloudEventProblem(
                        .invalidTimestamp,
                        attribute: name,
                        "time '\(text.prefix(100))' is not an RFC 3339 timestamp"
                    )
                )
                return
            }
            values[name] = .timestamp(time)
        default: values[name] = .string(text)
        }
    }

    /// Sets `name` from a JSON member value (JSON event format §2.2). `null` means unset.
    mutating func set(_ name: String, json: JSONValue) {
        switch json {
        case .null:
            return
        case .string(let text, let unpairedSurrogate):
            if unpairedSurrogate {
                problems.append(
                    CloudEventProblem(.invalidString, attribute: name, "\(name) contains an unpaired surrogate")
                )
                return
            }
            set(name, text: text)
        case .bool(let value) where !CloudEvent.coreAttributeNames.contains(name):
            setTyped(name, .boolean(value))
        case .number(let text) where !CloudEvent.coreAttributeNames.contains(name):
            guard let value = Int32(text) else {
                problems.append(
                    CloudEventProblem(
                        .wrongType,
                        attribute: name,
                        "\(name) is the number \(text.prefix(40)), which is not an Integer (32-bit, no fraction)"
                    )
                )
                return
            }
            setTyped(name, .integer(value))
        default:
            let expected = CloudEvent.coreAttributeNames.contains(name) ? "a string" : "a string, number or boolean"
            problems.append(
                CloudEventProblem(.wrongType, attribute: name, "\(name) is \(json.kindName); expected \(expected)")
            )
        }
    }

    private mutating func setTyped(_ name: String, _ value: CloudEventAttributeValue) {
        guard values[name] == nil else {
            problems.append(CloudEventProblem(.duplicateAttribute, attribute: name, "\(name) appears more than once"))
            return
        }
        values[name] = value
    }

    /// The event, or every problem found while reading and validating it.
    func build(data: ByteBuffer?) -> Result<CloudEvent, CloudEventError> {
        var problems = self.problems
        let problemAttributes = Set(problems.compactMap(\.attribute))
        for name in ["specversion", "id", "source", "type"]
        where values[name] == nil && !problemAttributes.contains(name) {
            problems.append(CloudEventProblem(.missingAttribute, attribute: name, "the required \(name) is missing"))
        }
        var extensions = values
        for name in CloudEvent.coreAttributeNames { extensions[name] = nil }
        var event = CloudEvent(
            id: text("id") ?? "",
            source: text("source") ?? "",
            type: text("type") ?? "",
            specversion: text("specversion") ?? CloudEvent.specVersion,
            datacontenttype: text("datacontenttype"),
            dataschema: text("dataschema"),
            subject: text("subject"),
            data: data,
            extensions: extensions
        )
        if case .timestamp(let time) = values["time"] { event.time = time }
        // Attributes already reported (missing, wrong type) are not reported again by validate().
        let reported = Set(problems.compactMap(\.attribute))
        problems += event.validate().filter { problem in !reported.contains(problem.attribute ?? "") }
        if !problems.isEmpty { return .failure(CloudEventError(problems)) }
        return .success(event)
    }
}
