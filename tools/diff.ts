import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

import { evaluatePolicies, PolicyConfigError } from "../policy/evaluate";
import { DeploymentResource, StackExport } from "./lib/deployment";
import { Change, diffDeployments, judge } from "./lib/diffPlans";
import { asPreviewDigest, changesFromPreview, PreviewDigestError } from "./lib/diffPreview";
import { diffJson, renderDiff } from "./lib/diffReport";
import { JsonFileError, readJsonFile, readPolicyConfigFile } from "./lib/jsonFile";
import { PROJECT_DIR } from "./lib/loadProgram";
import { stackConfigPath } from "./lib/stackConfig";
import { CliIo, reportError, runAsCommand } from "./lib/cli";

const USAGE = `Usage: npm run diff -- --stack NAME --base FILE [--json] [--policy-config FILE]
       npm run diff -- --preview FILE [--json] [--policy-config FILE]

Shows what a stack config change would do to each resource, and whether it is safe to apply.

  --stack NAME          the proposed config is Pulumi.NAME.yaml
  --base FILE           the current config, e.g. from "git show main:Pulumi.NAME.yaml > base.yaml"
  --preview FILE        judge a "pulumi preview --json" digest instead of planning offline
  --json                print {"changes":[...],"safe":bool,"reasons":[...]}
  --policy-config FILE  JSON config for the policy pack, as "pulumi preview --policy-pack-config" takes

Exit codes: 0 safe; 1 unsafe; 2 the command line, a file or the stack config is wrong.`;

/** A problem the operator must fix before a diff can be made; exits 2. */
class UsageError extends Error {}

/** Plans one stack config in a child process: Pulumi's runtime state is process-wide. */
export function planInChild(
  stack: string,
  configFile: string,
  label: string,
): Promise<StackExport> {
  const args = [
    "-r",
    "ts-node/register/transpile-only",
    path.join(PROJECT_DIR, "tools", "plan.ts"),
    "--json",
    // The pack runs once, here, on the proposed plan and with the caller's policy config.
    "--skip-policies",
    "--stack",
    stack,
    "--config-file",
    configFile,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = stderr.replace(/^plan: /, "").trim() || err.message;
          reject(new UsageError(`the ${label} config ${configFile} cannot be planned: ${detail}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as StackExport);
        } catch {
          reject(new UsageError(`planning the ${label} config ${configFile} printed no JSON plan`));
        }
      },
    );
  });
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        base: { type: "string" },
        preview: { type: "string" },
        json: { type: "boolean", default: false },
        "policy-config": { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`diff: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const fromPreview = values.preview !== undefined;
  if (fromPreview === (values.stack !== undefined || values.base !== undefined)) {
    const problem = fromPreview
      ? "--preview cannot be combined with --stack or --base"
      : "give --stack and --base, or --preview";
    io.stderr(`diff: ${problem}\n\n${USAGE}\n`);
    return 2;
  }
  if (!fromPreview && (values.stack === undefined || values.base === undefined)) {
    io.stderr(`diff: give both --stack and --base\n\n${USAGE}\n`);
    return 2;
  }

  try {
    const policyConfig =
      values["policy-config"] === undefined
        ? undefined
        : readPolicyConfigFile(values["policy-config"]);

    let title: string;
    let changes: Change[];
    let base: DeploymentResource[];
    let proposed: DeploymentResource[];
    if (fromPreview) {
      const digest = asPreviewDigest(readJsonFile(values.preview!, "preview"), values.preview!);
      ({ changes, base, proposed } = changesFromPreview(digest));
      title = `Preview ${values.preview}`;
    } else {
      const stack = values.stack!;
      const proposedFile = stackConfigPath(PROJECT_DIR, stack);
      for (const file of [values.base!, proposedFile]) {
        if (!fs.existsSync(file)) {
          throw new UsageError(`cannot read stack config ${file}: ENOENT`);
        }
      }
      const [before, after] = await Promise.all([
        planInChild(stack, path.resolve(values.base!), "base"),
        planInChild(stack, proposedFile, "proposed"),
      ]);
      base = before.deployment.resources;
      proposed = after.deployment.resources;
      changes = diffDeployments(base, proposed);
      title = `Offline diff for stack "${stack}": ${values.base} -> ${path.basename(proposedFile)}`;
    }

    const verdict = judge(changes, base, proposed, evaluatePolicies(proposed, policyConfig));
    if (values.json) {
      io.stdout(`${diffJson(changes, verdict)}\n`);
    } else {
      io.stdout(`${renderDiff(title, changes, verdict, base, proposed)}\n`);
    }
    return verdict.safe ? 0 : 1;
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof JsonFileError ||
      err instanceof PreviewDigestError ||
      err instanceof PolicyConfigError
    ) {
      reportError(io, "diff", err.message);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  runAsCommand("diff", main);
}
