// Bundles clinkg's pages into service/web/static (committed, so `make serve` needs no npm).
// Reproducible from package-lock.json: `npm ci --prefix web && npm run --prefix web build` gives the same bytes.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = process.argv[2] ?? join(here, "..", "service", "web", "static");
// Built beside the target and swapped in at the end: a failed build leaves the previous assets in place.
const out = `${target}.building`;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Every src/*.js is one page's entry point; a CSS file it imports becomes <page>.css beside it.
const entries = readdirSync(join(here, "src"))
  .filter((name) => name.endsWith(".js"))
  .map((name) => join(here, "src", name));

await build({
  entryPoints: entries,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  outdir: out,
  legalComments: "linked",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file", ".png": "file" },
  assetNames: "assets/[name]-[hash]",
  logLevel: "warning",
});

// Prebuilt vendor bundles served as shipped (the API docs pages).
const vendor = [
  ["swagger-ui-dist/swagger-ui-bundle.js", "vendor/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "vendor/swagger-ui.css"],
  ["swagger-ui-dist/LICENSE", "vendor/swagger-ui.LICENSE"],
  ["redoc/bundles/redoc.standalone.js", "vendor/redoc.standalone.js"],
  ["redoc/bundles/redoc.standalone.js.LICENSE.txt", "vendor/redoc.standalone.js.LICENSE.txt"],
];
mkdirSync(join(out, "vendor"), { recursive: true });
for (const [from, to] of vendor) {
  copyFileSync(join(here, "node_modules", from), join(out, to));
}

rmSync(`${target}.previous`, { recursive: true, force: true });
try {
  renameSync(target, `${target}.previous`);
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
renameSync(out, target);
rmSync(`${target}.previous`, { recursive: true, force: true });
