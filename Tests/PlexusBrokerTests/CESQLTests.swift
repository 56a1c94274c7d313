import PlexusBroker
import PlexusModel
import Testing

/// CESQL behaviour beyond the TCK: parse errors and their offsets, precedence, casts, overflow.
@Suite struct CESQLTests {
    let event = CloudEvent(
        id: "1",
        source: "/src",
        type: "t",
        extensions: ["n": .integer(7), "flag": .boolean(true), "text": .string("Héllo wörld")]
    )

    func value(_ text: String) throws -> CESQLValue {
        let result = try CESQLExpression(text).evaluate(event)
        #expect(result.errors.isEmpty, "\(text): \(result.errors)")
        return result.value
    }

    func errors(_ text: String) throws -> [CESQLError.Kind] {
        try CESQLExpression(text).evaluate(event).errors.map(\.kind)
    }

    func parseError(_ text: String) -> CESQLError? {
        do {
            _ = try CESQLExpression(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parseErrorsCarryOffsets() {
        #expect(parseError("ABC(")?.offset == 4)
        #expect(parseError("a = ")?.offset == 4)
        #expect(parseError("x LIKE 123")?.offset == 7)
        #expect(parseError("'abc")?.offset == 0)
        #expect(parseError("1 2")?.offset == 2)
        #expect(parseError("a IN ()")?.offset == 6)
        #expect(parseError("2147483648")?.kind == .parse)
        #expect(parseError("a ! b")?.offset == 2)
        #expect(parseError("a # b")?.offset == 2)
        #expect(parseError("my_attr = 1") != nil)
        #expect(parseError("EXISTS AND") != nil)
        #expect(parseError("AND") != nil)
        #expect(parseError(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)) == nil)
        #expect(parseError(String(repeating: "(", count: 100_000))?.kind == .parse)
        #expect(parseError(String(repeating: "-", count: 300) + "1") != nil)
    }

    @Test func literalsAndPrecedence() throws {
        #expect(try value("-2147483648") == .integer(.min))
        #expect(try value("+5") == .integer(5))
        #expect(try value("4 -1") == .integer(3))
        #expect(try value("2 + 3 * 4 - 10 / 3 % 2") == .integer(13))
        #expect(try value("'it''s'") == .string("it's"))
        #expect(try value(#""say \"hi\"""#) == .string(#"say "hi""#))
        #expect(try value("1 < 2 = TRUE") == .boolean(true))
        // AND/OR/XOR share one right-associative level, as in CESQLParser.g4.
        #expect(try value("FALSE AND FALSE OR TRUE") == .boolean(false))
        #expect(try value("(FALSE AND FALSE) OR TRUE") == .boolean(true))
        #expect(try value("NOT FALSE AND TRUE") == .boolean(true))
        #expect(try value("not exists missing and Exists N") == .boolean(true))
    }

    @Test func attributesAndCasts() throws {
        #expect(try value("n") == .integer(7))
        #expect(try value("N + 1") == .integer(8))
        #expect(try value("flag") == .boolean(true))
        #expect(try value("n = '7'") == .boolean(true))
        #expect(try value("'7' = n") == .boolean(true))
        #expect(try value("flag = 'true'") == .boolean(true))
        #expect(try value("n IN ('6', '7')") == .boolean(true))
        #expect(try value("n NOT IN (1, 2)") == .boolean(true))
        #expect(try value("type LIKE 't'") == .boolean(true))
        #expect(
            try value("IS_INT('12') AND NOT IS_INT('x') AND IS_BOOL('False') AND NOT IS_BOOL(2)") == .boolean(false)
        )
        #expect(try value("IS_BOOL(2)") == .boolean(true))
        #expect(try errors("NOT 'maybe'") == [.cast])
        #expect(try errors("1 AND TRUE") == [.cast])
        #expect(try errors("'x' + 1") == [.cast])
        #expect(try errors("missing") == [.missingAttribute])
        #expect(try errors("UNKNOWN(1)") == [.missingFunction])
        #expect(try errors("LENGTH('a', 'b')") == [.missingFunction])
    }

    @Test func integerOverflow() throws {
        let result = try CESQLExpression("2147483647 + 1").evaluate(event)
        #expect(result.value == .integer(.max))
        #expect(result.errors.map(\.kind) == [.math])
        #expect(try CESQLExpression("-2147483648 / -1").evaluate(event).errors.map(\.kind) == [.math])
        #expect(try CESQLExpression("-2147483648 % -1").evaluate(event).value == .integer(0))
        #expect(try CESQLExpression("-(-2147483648)").evaluate(event).errors.map(\.kind) == [.math])
        #expect(try value("-7 / 2") == .integer(-3))
        #expect(try value("-7 % 2") == .integer(-1))
        #expect(try value("7 % -2") == .integer(1))
    }

    @Test func stringFunctionsCountUnicodeScalars() throws {
        #expect(try value("LENGTH(text)") == .integer(11))
        #expect(try value("UPPER(text)") == .string("HÉLLO WÖRLD"))
        #expect(try value("LEFT(text, 2)") == .string("Hé"))
        #expect(try value("RIGHT(text, 5)") == .string("wörld"))
        #expect(try value("SUBSTRING(text, 2, 4)") == .string("éllo"))
        #expect(try value("SUBSTRING(text, -5)") == .string("wörld"))
        #expect(try value("TRIM('\t x \n')") == .string("x"))
        #expect(try value("TRIM('   ')") == .string(""))
        #expect(try value("CONCAT_WS('-', 1, TRUE, 'x')") == .string("1-true-x"))
        #expect(try value("text LIKE 'H_llo%'") == .boolean(true))
        #expect(try value("'100%' LIKE '%\\%'") == .boolean(true))
        #expect(try value("'a\\b' LIKE 'a\\b'") == .boolean(true))
        #expect(try value("'' LIKE '%'") == .boolean(true))
        #expect(try value("'abc' LIKE '%%c'") == .boolean(true))
    }

    @Test func compiledOnceEvaluatedManyTimes() throws {
        let expression = try CESQLExpression("type = 'order' AND INT(hop) < 3")
        let events = (0..<5).map { i in
            CloudEvent(id: "\(i)", source: "/s", type: "order", extensions: ["hop": .string(String(i))])
        }
        #expect(events.map(expression.matches) == [true, true, true, false, false])
        #expect(expression.description == "type = 'order' AND INT(hop) < 3")
    }
}
