/**
 * tsValue: the one way a JSON value (shapes, metadata, embedded JSON Schemas) reaches the SDK as an
 * expression. Evaluated, it is the value again — every key an own property, `__proto__` included —
 * and no invisible character, line terminator or lone surrogate stands raw in the text.
 */
import { describe, expect, test } from "vitest";
import { tsValue } from "../src/targets/typescript/escape.js";

const RAW_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The value an expression denotes, keys compared as own properties (a set prototype shows up as a missing key). */
function evaluate(expression: string): unknown {
  return new Function(`return (${expression});`)() as unknown;
}

function ownShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownShape);
  if (typeof value === "object" && value !== null) {
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    return Object.keys(value).map((key) => [key, ownShape((value as Record<string, unknown>)[key])]);
  }
  return value;
}

const HOSTILE = ["plain", 'quote " and \\ backslash', "ends in \\", "\\u0041 literally", "line\nbreak\r\u2028\u2029", "\u0000\u001f\u007f\u0085", "\u202e bidi \u2066", "\ufeff", "lone \ud800 high", "lone \udc00 low", "pair \ud83d\ude00", "*/ comment", "${x} `tick`"];

describe("tsValue", () => {
  const cases: unknown[] = [
    ...HOSTILE,
    HOSTILE,
    Object.fromEntries(HOSTILE.map((text, index) => [text, index])),
    JSON.parse('{"__proto__":{"type":"string"},"properties":{"__proto__":{"pattern":"^\\\\d+$"},"constructor":{}}}') as unknown,
    JSON.parse('{"a":[{"__proto__":null}],"b":"x\\\\"}') as unknown,
    { number: -0.5, big: 1e300, tiny: 5e-324, flags: [true, false, null] },
  ];
  test.each(cases.map((value, index) => [index, value]))("case %i evaluates to the value, own keys and all", (_, value) => {
    const text = tsValue(value);
    expect(RAW_FORBIDDEN.test(text), text).toBe(false);
    expect(ownShape(evaluate(text))).toEqual(ownShape(JSON.parse(JSON.stringify(value))));
  });

  test("random strings and keys round-trip", () => {
    let seed = 20261130;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pool = ['"', "\\", "\n", "\u2028", "\ud800", "\udc00", "\u0000", "\u007f", "a", "é", "_", "__proto__", "\u202e"];
    const text = (): string => Array.from({ length: Math.floor(random() * 6) }, () => pool[Math.floor(random() * pool.length)]!).join("");
    for (let round = 0; round < 500; round++) {
      const value = { [text()]: [text(), { [text()]: text() }], __proto__: text() === "" ? null : { k: text() } };
      const json = JSON.parse(JSON.stringify(value)) as unknown;
      expect(ownShape(evaluate(tsValue(json)))).toEqual(ownShape(json));
    }
  });
});
