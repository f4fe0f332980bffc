// YAML colours that follow the theme (CSS variables), for the editor and the revision diff;
// CodeMirror's default style is made for light backgrounds only.
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

export const themedHighlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: [t.propertyName, t.definition(t.propertyName)], color: "var(--syn-key)" },
    { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
    { tag: [t.number, t.bool, t.null, t.atom], color: "var(--syn-literal)" },
    { tag: [t.comment, t.lineComment], color: "var(--muted)", fontStyle: "italic" },
    { tag: [t.punctuation, t.separator, t.meta], color: "var(--muted)" },
    { tag: [t.keyword, t.typeName, t.labelName], color: "var(--syn-literal)" },
  ]),
);
