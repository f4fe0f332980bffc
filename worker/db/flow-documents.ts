// Multi-document YAML (bulk namespace update, validate): each `---`-separated document is parsed
// on its own, keeping its exact text as the flow's source and reporting violations with line
// numbers of the whole body rather than of the document.
import { type ParseFlowResult, parseFlow } from "../../schema/flow";

export interface FlowDocument {
  /** 0-based position among the non-empty documents. */
  index: number;
  source: string;
  result: ParseFlowResult;
}

const SEPARATOR = /^---[ \t]*(?:#.*)?\r?\n?$/;
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?\r?\n?$/;

/** Splits at `---` lines; documents with nothing but blanks and comments are dropped. */
export function splitDocuments(text: string): { source: string; firstLine: number }[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const docs: { source: string; firstLine: number }[] = [];
  let current: string[] = [];
  let firstLine = 1;
  const flush = () => {
    if (current.some((l) => !BLANK_OR_COMMENT.test(l))) docs.push({ source: current.join(""), firstLine });
  };
  lines.forEach((line, i) => {
    if (SEPARATOR.test(line)) {
      flush();
      current = [];
      firstLine = i + 2;
    } else {
      current.push(line);
    }
  });
  flush();
  return docs;
}

export function parseDocuments(text: string): FlowDocument[] {
  return splitDocuments(text).map(({ source, firstLine }, index) => {
    const result = parseFlow(source);
    if (result.ok || firstLine === 1) return { index, source, result };
    const violations = result.violations.map((v) =>
      v.line === undefined ? v : { ...v, line: v.line + firstLine - 1 },
    );
    return { index, source, result: { ...result, violations } };
  });
}
