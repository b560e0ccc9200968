/**
 * Prints how long the offline plan and the program's imports take, as figures to compare across
 * changes. Run with `npm run bench`; it is not part of the tests, whose pass or fail never
 * depends on time.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function timeNode(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  }
  return elapsed;
}

function summarize(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${label.padEnd(48)} median ${median.toFixed(0).padStart(6)} ms   min ${sorted[0].toFixed(0).padStart(6)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(6)} ms   (${samples.length} runs)`,
  );
}

function measure(label: string, args: string[]): void {
  summarize(
    label,
    Array.from({ length: RUNS }, () => timeNode(args)),
  );
}

const tsNode = path.join(ROOT, "node_modules/ts-node/dist/bin.js");
const submodules = ["authorization", "dbforpostgresql", "keyvault", "managedidentity", "resources"];

console.log(`node ${process.version}, ${RUNS} runs each\n`);
measure("require the five azure-native submodules", [
  "-e",
  submodules.map((m) => `require("@pulumi/azure-native/${m}")`).join(";"),
]);
measure("require the azure-native top-level index", ["-e", `require("@pulumi/azure-native")`]);
measure("npm run plan (dev stack, transpile only)", [tsNode, "--transpile-only", "tools/plan.ts"]);
measure("npm run plan -- --preview", [tsNode, "--transpile-only", "tools/plan.ts", "--preview"]);
measure("load index.ts as pulumi up does (type-checked)", ["test/support/load-like-pulumi.js"]);
