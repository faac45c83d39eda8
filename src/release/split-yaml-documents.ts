export interface YamlDocumentText {
  /** 1-based among the file's documents. */
  index: number;
  /** 1-based line of the document's first line in the file. */
  line: number;
  text: string;
}

const START = /^---(?:[ \t]|$)/;
const END = /^\.\.\.(?:[ \t]|$)/;

/**
 * Splits a multi-document YAML file at its `---`/`...` markers so each document parses on its own: one broken
 * document then does not hide the problems of the others. A marker at column 0 always ends a block scalar in YAML,
 * so splitting by line is exact. A preamble of only comments before the first `---` is not a document.
 */
export function splitYamlDocuments(text: string): YamlDocumentText[] {
  const lines = text.split("\n");
  const chunks: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } = { line: 1, lines: [] };
  lines.forEach((line, i) => {
    if (START.test(line)) {
      chunks.push(current);
      current = { line: i + 1, lines: [line] };
    } else if (END.test(line)) {
      chunks.push(current);
      current = { line: i + 2, lines: [] };
    } else {
      current.lines.push(line);
    }
  });
  chunks.push(current);
  const [preamble, ...rest] = chunks;
  const documents = preamble?.lines.some(isContent) ? chunks : rest;
  return documents
    .filter((chunk, i) => i < documents.length - 1 || chunk.lines.some(isContent))
    .map((chunk, i) => ({ index: i + 1, line: chunk.line, text: chunk.lines.join("\n") }));
}

function isContent(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== "" && trimmed !== "---" && !trimmed.startsWith("#");
}
