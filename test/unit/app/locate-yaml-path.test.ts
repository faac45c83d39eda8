import { describe, expect, it } from "vitest";
import { indexYamlLines, locateYamlPath } from "../../../src/app/locate-yaml-path.js";

const source = `# comment: not a key
apiVersion: v1   # trailing: comment
"quoted key": 1
'single''s': 2
text: |
  body: not a key
  more: text
spec:
  list:
  - name: first
    size: 20
  -   name: second
  - plain
  nested:
    - - deep: x
url: "http://example.com:80/#frag"
after: 3
---
`;

describe("indexYamlLines", () => {
  it("maps keys and sequence items to their lines, and skips comments and block scalars", () => {
    expect(Object.fromEntries(indexYamlLines(source))).toEqual({
      apiVersion: 2,
      "quoted key": 3,
      "single's": 4,
      text: 5,
      spec: 8,
      "spec.list": 9,
      "spec.list.0": 10,
      "spec.list.0.name": 10,
      "spec.list.0.size": 11,
      "spec.list.1": 12,
      "spec.list.1.name": 12,
      "spec.list.2": 13,
      "spec.nested": 14,
      "spec.nested.0": 15,
      "spec.nested.0.0": 15,
      "spec.nested.0.0.deep": 15,
      url: 16,
      after: 17,
    });
  });
});

describe("locateYamlPath", () => {
  const cases = [
    { name: "a key", path: ["spec", "list", 1, "name"], line: 12 },
    { name: "a missing field points at its parent", path: ["spec", "list", 0, "diskType"], line: 10 },
    { name: "a missing branch points at the nearest ancestor", path: ["spec", "other", "x"], line: 8 },
    { name: "nothing in the file", path: ["status"], line: undefined },
    { name: "the root", path: [], line: undefined },
  ];

  it.each(cases)("$name", ({ path, line }) => {
    expect(locateYamlPath(source, path)).toBe(line);
  });
});
