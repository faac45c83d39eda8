import { describe, expect, it } from "vitest";
import { type JsonnetValue, parseJsonnetObjects } from "../../../src/app/parse-jsonnet-objects.js";

/** The parsed objects as plain JSON, expressions as `<expr: text>`, so tables read like the input. */
function plain(value: JsonnetValue): unknown {
  switch (value.type) {
    case "object":
      return Object.fromEntries(
        value.fields.map((field) => [field.plus ? `${field.key}+` : field.key, plain(field.value)]),
      );
    case "array":
      return value.items.map(plain);
    case "null":
      return null;
    case "expression":
      return `<expr: ${value.text}>`;
    default:
      return value.value;
  }
}

describe("parseJsonnetObjects", () => {
  const cases = [
    {
      name: "quoted and unquoted keys, both quote styles, trailing commas",
      source: `{ a: 'x', "b-c": "y", 'd': 1, }`,
      objects: [{ a: "x", "b-c": "y", d: 1 }],
    },
    {
      name: "numbers, null and booleans",
      source: "{ n: 3, f: 2.5, neg: -4, e: 1e3, z: null, t: true, no: false }",
      objects: [{ n: 3, f: 2.5, neg: -4, e: 1000, z: null, t: true, no: false }],
    },
    {
      name: "line, hash and block comments",
      source: "{\n  // a: 'commented out',\n  # b: 1,\n  /* c: 2,\n  d: 3, */ e: 'kept', // trailing\n}",
      objects: [{ e: "kept" }],
    },
    {
      name: "escapes in double-quoted strings, none in verbatim ones",
      source: String.raw`{ a: "tab\there \"q\" \u0041", b: @'it''s \n' }`,
      objects: [{ a: 'tab\there "q" A', b: "it's \\n" }],
    },
    {
      name: "a text block",
      source: "{ a: |||\n    line one\n    line two\n  |||,\n  b: 1 }",
      objects: [{ a: "line one\nline two\n", b: 1 }],
    },
    {
      name: "nested objects, arrays and hidden fields",
      source: "{ params:: { img: 'x:1' }, list: ['a', 2, null], deep: { deeper: { v: 'w' } } }",
      objects: [{ params: { img: "x:1" }, list: ["a", 2, null], deep: { deeper: { v: "w" } } }],
    },
    {
      name: "+: merges, with or without a space",
      source: "{ components +: { 'nginx' +: { replicas: 2 } }, b+: {} }",
      objects: [{ "components+": { "nginx+": { replicas: 2 } }, "b+": {} }],
    },
    {
      name: "expressions are kept as text, not evaluated",
      source: `{ a: params.global.x, b: "pre-" + std.extVar('y'), c: if true then 'p' else 'q', d: 'ok' }`,
      objects: [
        {
          a: "<expr: params.global.x>",
          b: `<expr: "pre-" + std.extVar('y')>`,
          c: "<expr: if true then 'p' else 'q'>",
          d: "ok",
        },
      ],
    },
    {
      name: "computed keys, comprehensions, methods, locals and asserts are skipped",
      source:
        "{ local x = 1, assert x == 1 : 'no', f(a):: a, [k]: 1, kept: 'yes', comp: { [x]: 1 for x in ['a'] }, arr: [x for x in y] }",
      objects: [{ kept: "yes", comp: {}, arr: ["<expr: x for x in y>"] }],
    },
    {
      name: "an environment override: the object inside `params + {...}`, then the final object",
      source: [
        "local params = std.extVar('__ksonnet/params');",
        "local envParams = params + {",
        "  components+: { pipeline+: { minioPvName: 'pv-2' } },",
        "};",
        "{ components: { [x]: envParams.components[x] + globals for x in std.objectFields(envParams.components) } }",
      ].join("\n"),
      objects: [{ "components+": { "pipeline+": { minioPvName: "pv-2" } } }, { components: {} }],
    },
    {
      name: "an object followed by an operator is an expression",
      source: "{ a: { b: 1 } + c, d: 2 }",
      objects: [{ a: "<expr: { b: 1 } + c>", d: 2 }],
    },
  ];

  it.each(cases)("$name", ({ source, objects }) => {
    expect(parseJsonnetObjects(source, "params.libsonnet").map(plain)).toEqual(objects);
  });

  it("records the line of each field", () => {
    const [object] = parseJsonnetObjects("{\n  a: 1,\n\n  b: {\n    c: 'x',\n  },\n}", "f.libsonnet");
    expect(object?.fields.map((field) => [field.key, field.line])).toEqual([
      ["a", 2],
      ["b", 4],
    ]);
  });

  const errors = [
    {
      name: "an unterminated string",
      source: "{\n  a: 'x,\n}",
      message: "f.libsonnet line 2: unterminated string",
    },
    {
      name: "an unterminated comment",
      source: "{ a: 1 /* }",
      message: "f.libsonnet line 1: unterminated /* comment",
    },
    {
      name: "an object that never closes",
      source: "{\n  a: { b: 1,\n",
      message: 'f.libsonnet line 2: the file ends before the "}" that closes the object on line 2',
    },
    {
      name: "a mismatched bracket",
      source: "{ a: [1, 2}, b: 1 }",
      message: 'f.libsonnet line 1: unexpected "}"',
    },
  ];

  it.each(errors)("refuses $name, naming the line", ({ source, message }) => {
    expect(() => parseJsonnetObjects(source, "f.libsonnet")).toThrow(
      expect.objectContaining({ code: "LEGACY_INVALID", exitCode: 3, message }),
    );
  });
});
