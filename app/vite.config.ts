// Builds the dashboard (a SvelteKit SPA) into app/build, which the Worker serves as static assets.
// Run from the repository root (`npm run build:app`), so every path is anchored to this folder.
import { fileURLToPath } from "node:url";
import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

const appDir = fileURLToPath(new URL(".", import.meta.url));
const buildDir = fileURLToPath(new URL("./build", import.meta.url));

export default defineConfig({
  root: appDir,
  plugins: [
    sveltekit({
      // SPA: one fallback page; the Worker's assets config serves it for every non-API path.
      adapter: adapter({ pages: buildDir, assets: buildDir, fallback: "index.html" }),
      alias: { $lib: fileURLToPath(new URL("./src/lib", import.meta.url)) },
    }),
  ],
});
