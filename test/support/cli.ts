import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** Runs one of the project's tools the way `npm run` does, returning its exit code and output. */
export function runTool(tool: string, args: string[], input?: string) {
  const result = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/ts-node/dist/bin.js"),
      "--transpile-only",
      path.join(ROOT, "tools", tool),
      ...args,
    ],
    { cwd: ROOT, encoding: "utf8", input, env: { ...process.env, FORCE_COLOR: "0" } },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
