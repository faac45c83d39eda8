import { describe, expect, it } from "vitest";
import { splitYamlDocuments } from "../../../src/release/split-yaml-documents.js";

describe("splitYamlDocuments", () => {
  const cases = [
    { name: "one bare document", text: "a: 1\n", documents: [{ index: 1, line: 1, text: "a: 1\n" }] },
    {
      name: "a comment preamble is not a document",
      text: "# rendered\n---\na: 1\n---\nb: 2\n",
      documents: [
        { index: 1, line: 2, text: "---\na: 1" },
        { index: 2, line: 4, text: "---\nb: 2\n" },
      ],
    },
    {
      name: "content on the marker line stays with its document",
      text: "--- {a: 1}\n",
      documents: [{ index: 1, line: 1, text: "--- {a: 1}\n" }],
    },
    {
      name: "an end marker closes a document; trailing blank text is none",
      text: "a: 1\n...\n",
      documents: [{ index: 1, line: 1, text: "a: 1" }],
    },
    {
      name: "empty documents in the middle keep their number",
      text: "---\n---\na: 1\n",
      documents: [
        { index: 1, line: 1, text: "---" },
        { index: 2, line: 2, text: "---\na: 1\n" },
      ],
    },
    {
      name: "--- indented inside a block scalar does not split",
      text: "a: |\n  ---\n  x\n",
      documents: [{ index: 1, line: 1, text: "a: |\n  ---\n  x\n" }],
    },
  ];
  it.each(cases)("$name", ({ text, documents }) => {
    expect(splitYamlDocuments(text)).toEqual(documents);
  });
});
