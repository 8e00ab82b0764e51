// Bundles the extension (and, with --tests, the unit and extension-host tests) into out/.
import { build } from "esbuild";
import { readdirSync } from "fs";

const common = { bundle: true, platform: "node", target: "node20", format: "cjs", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["src/extension.ts"], outfile: "out/extension.js", external: ["vscode"] });
if (process.argv.includes("--tests")) {
  const unit = readdirSync("test/unit").filter((f) => f.endsWith(".test.ts")).map((f) => `test/unit/${f}`);
  await build({ ...common, entryPoints: unit, outdir: "out/test/unit", external: ["vscode"] });
  await build({ ...common, entryPoints: ["test/e2e/suite.ts"], outfile: "out/test/e2e/suite.js", external: ["vscode"] });
}
