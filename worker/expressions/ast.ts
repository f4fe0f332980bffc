// Owns the syntax tree shared by the Pebble expression parser and evaluator.

export interface Arg {
  name?: string;
  value: Node;
}

export type Node =
  | { k: "lit"; v: unknown; float?: boolean }
  | { k: "var"; name: string }
  | { k: "get"; obj: Node; key: Node; label: string }
  | { k: "call"; name: string; args: Arg[] }
  | { k: "filter"; input: Node; name: string; args: Arg[] }
  | { k: "test"; input: Node; name: string; args: Arg[]; negate: boolean }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "un"; op: string; e: Node }
  | { k: "tern"; c: Node; a: Node; b: Node }
  | { k: "list"; items: Node[] }
  | { k: "map"; entries: [Node, Node][] };
