import * as fs from "node:fs";
import { parseArgs } from "node:util";

import { InvalidInputError } from "../components/errors";
import { evaluatePolicies, hasMandatory, PolicyPackConfig } from "../policy/evaluate";
import { PACK_NAME } from "../policy/policies";
import { redactSecrets, StackExport } from "./lib/deployment";
import { JsonFileError, readPolicyConfigFile } from "./lib/jsonFile";
import { planStack } from "./lib/loadProgram";
import { renderPlan } from "./lib/planReport";
import { renderViolations } from "./lib/policyReport";
import { toStackExport } from "./lib/runProgram";
import { StackFileError } from "./lib/stackConfig";
import { CliIo, reportError, runAsCommand } from "./lib/cli";

const USAGE = `Usage: npm run plan -- [--stack NAME] [--config-file FILE] [--preview] [--json]
                       [--out FILE] [--policy-config FILE]

Runs index.ts for a stack under Pulumi's mock runtime, with Azure-shaped answers, and prints the
resources it would create, what the server's encryption points at and the order of creation,
then evaluates the ${PACK_NAME} policy pack on the plan.

  --stack NAME        stack whose Pulumi.NAME.yaml is read (default: dev)
  --config-file FILE  read the stack config from FILE instead
  --preview           plan as a first "pulumi preview" sees it: Azure's computed values unknown
  --json              print the plan as a "pulumi stack export" file (deployment version 3)
  --out FILE          write the JSON plan to FILE as well; the readable plan still prints
  --policy-config F   policy config, the same JSON as "pulumi preview --policy-pack-config"
  --skip-policies     plan only, for a caller that evaluates the pack itself (npm run diff)

With --json the plan goes to stdout and policy violations to stderr.
Exit codes: 0 planned, no mandatory policy violation; 1 a mandatory policy violation;
2 the stack config, the policy config or the command line is wrong.`;

/** Redacts every secret in a stack export; nothing secret leaves the process. */
export function redactExport(plan: StackExport): StackExport {
  return {
    ...plan,
    deployment: {
      ...plan.deployment,
      resources: plan.deployment.resources.map((r) => redactSecrets(r) as typeof r),
    },
  };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stack: { type: "string", default: "dev" },
        "config-file": { type: "string" },
        preview: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        out: { type: "string" },
        "policy-config": { type: "string" },
        "skip-policies": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`plan: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }

  let policyConfig: PolicyPackConfig = {};
  if (values["policy-config"] !== undefined) {
    try {
      policyConfig = readPolicyConfigFile(values["policy-config"]);
    } catch (err) {
      if (err instanceof JsonFileError) {
        reportError(io, "plan", err.message);
        return 2;
      }
      throw err;
    }
  }

  const stack = values.stack!;
  let planned;
  try {
    planned = await planStack({
      stack,
      configFile: values["config-file"],
      preview: values.preview,
    });
  } catch (err) {
    if (err instanceof StackFileError) {
      io.stderr(`plan: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { run, configFile, secureKeys } = planned;
  if (run.error !== undefined) {
    if (InvalidInputError.isInstance(run.error)) {
      io.stderr(`plan: ${run.error.message}\n`);
      if (secureKeys.length > 0) {
        io.stderr(
          `plan: secure values cannot be decrypted without the Pulumi CLI and were checked as placeholders: ${secureKeys.join(", ")}\n`,
        );
      }
      return 2;
    }
    throw run.error;
  }
  const plan = redactExport(toStackExport(run));
  const violations = values["skip-policies"]
    ? []
    : evaluatePolicies(plan.deployment.resources, policyConfig);
  const policies = [
    `Policies (${PACK_NAME})`,
    ...renderViolations(violations).map((l) => (l ? `  ${l}` : l)),
  ];
  const exitCode = hasMandatory(violations) ? 1 : 0;

  if (values.json && !values.out) {
    io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
    if (!values["skip-policies"]) {
      io.stderr(`${policies.join("\n")}\n`);
    }
    return exitCode;
  }
  if (values.out) {
    try {
      fs.writeFileSync(values.out, `${JSON.stringify(plan, null, 2)}\n`);
    } catch (err) {
      reportError(
        io,
        "plan",
        `cannot write ${values.out}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
      return 2;
    }
  }
  const mode = values.preview ? "first-preview plan" : "plan";
  const title = `Offline ${mode} for stack "${stack}" from ${configFile}`;
  const policySection = values["skip-policies"] ? "" : `\n${policies.join("\n")}\n`;
  io.stdout(`${renderPlan(title, plan.deployment.resources)}\n${policySection}`);
  if (secureKeys.length > 0) {
    io.stdout(
      `\nSecure config values were not decrypted (no Pulumi CLI): ${secureKeys.join(", ")}\n`,
    );
  }
  if (values.out) {
    io.stdout(`\nJSON plan written to ${values.out}\n`);
  }
  return exitCode;
}

if (require.main === module) {
  runAsCommand("plan", main);
}
