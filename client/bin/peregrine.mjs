#!/usr/bin/env node
// The `peregrine` command. The CLI is TypeScript run as is: Node 22.18 and later strip the types
// (`npx peregrine` in this repository runs the Node 22 that npm install brings).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`peregrine needs Node 22.18 or later (this is ${process.versions.node})\n`);
  process.exit(2);
}

const { main } = await import("../src/cli/main.ts");

async function readStdin() {
  if (process.stdin.isTTY) process.stderr.write("API key: ");
  let text = "";
  for await (const chunk of process.stdin) {
    text += chunk;
    if (process.stdin.isTTY && text.includes("\n")) break;
  }
  return text.split("\n")[0] ?? "";
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readStdin,
});
