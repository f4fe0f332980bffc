// The expression console's locator (expressions/segments.ts): every `{{ }}`/`{% %}` found at its
// offset, with the line and column that offset has, and none invented in plain text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineColumn, positionOf, segments } from "../../worker/expressions/segments";

const piece = fc.oneof(
  fc.constantFrom("{{ a }}", "{% if x %}", "{% endif %}", "\n", "{", "}", "{{ b | upper }}", "x {", "%}"),
  fc.string({ maxLength: 6 }),
);

describe("expression segments", () => {
  it("finds each segment at its offset, starting with its delimiter, with a matching line and column", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const source = parts.join("");
        let last = -1;
        for (const s of segments(source)) {
          expect(s.offset).toBeGreaterThan(last);
          last = s.offset;
          expect(source.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
          expect(s.text.startsWith(s.kind === "output" ? "{{" : "{%")).toBe(true);
          const before = source.slice(0, s.offset).split("\n");
          expect({ line: s.line, column: s.column }).toEqual({
            line: before.length,
            column: (before.at(-1) ?? "").length + 1,
          });
        }
      }),
    );
  });

  it("finds none in text without `{{` or `{%`", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!text.includes("{{") && !text.includes("{%"));
        expect(segments(text)).toEqual([]);
      }),
    );
  });

  it("points at the character a lexer error names, else at the whole segment", () => {
    const source = "x\n{{ a # b }}";
    const [seg] = segments(source);
    expect(positionOf(source, seg!, "Unexpected character `#` in expression")).toEqual({
      offset: source.indexOf("#"),
      length: 1,
      ...lineColumn(source, source.indexOf("#")),
    });
    expect(positionOf(source, seg!, "Unable to find `a`")).toEqual({ offset: 2, length: 11, line: 2, column: 1 });
  });
});
