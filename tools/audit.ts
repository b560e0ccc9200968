import * as fs from "node:fs";
import { parseArgs } from "node:util";

import { PACK_NAME } from "../policy/policies";
import {
  PolicyPackConfig,
  Violation,
  evaluatePolicies,
  hasMandatory,
  validatePolicyConfig,
} from "../policy/evaluate";
import { AuditInputError, readAuditInput } from "./lib/auditInput";
import { urnName } from "./lib/deployment";

const USAGE = `Usage: npm run audit -- FILE [--json] [--config policy-config.json]

Evaluates the ${PACK_NAME} policy pack on FILE without the Pulumi CLI. FILE is a "pulumi stack
export" file, the output of "npm run plan -- --json", or a "pulumi preview --json" digest.

  --json           print {"violations": [{policy, enforcementLevel, urn, message}]} only
  --config FILE    policy config, the same JSON as "pulumi preview --policy-pack-config"

Exit codes: 0 no mandatory violation; 1 one or more mandatory violations; 2 FILE or the config
cannot be read or is not a known format, or the command line is wrong.`;

export interface AuditCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function main(argv: string[], io: AuditCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: "boolean", default: false },
        config: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr(`audit: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`audit: expected one FILE, got ${positionals.length}\n\n${USAGE}\n`);
    return 2;
  }
  const file = positionals[0];

  let config: PolicyPackConfig = {};
  if (values.config !== undefined) {
    const read = readConfig(values.config);
    if (typeof read === "string") {
      io.stderr(`audit: ${read}\n`);
      return 2;
    }
    const problems = validatePolicyConfig(read);
    if (problems.length > 0) {
      io.stderr(problems.map((p) => `audit: ${values.config}: ${p}\n`).join(""));
      return 2;
    }
    config = read as PolicyPackConfig;
  }

  let input;
  try {
    input = readAuditInput(file);
  } catch (err) {
    if (err instanceof AuditInputError) {
      io.stderr(`audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const violations = evaluatePolicies(input.resources, config);
  if (values.json) {
    const rows = violations.map(({ policy, enforcementLevel, urn, message }) => ({
      policy,
      enforcementLevel,
      urn,
      message,
    }));
    io.stdout(`${JSON.stringify({ violations: rows }, null, 2)}\n`);
  } else {
    io.stdout(renderReport(file, input.format, input.resources.length, violations));
  }
  return hasMandatory(violations) ? 1 : 0;
}

/** The config file's JSON, or a one-line reason it cannot be used. */
function readConfig(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    return `cannot read policy config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    return `policy config ${file} is not JSON: ${(err as Error).message}`;
  }
}

/** The report a person reads: one entry per violation, then a summary line. */
export function renderReport(
  file: string,
  format: string,
  count: number,
  violations: readonly Violation[],
): string {
  const lines = [
    `Audited ${file} (${format}, ${count} resources) with policy pack ${PACK_NAME}.`,
    "",
  ];
  for (const v of violations) {
    const type = v.urn.split("::")[2]?.split("$").at(-1);
    const subject = v.urn ? `${urnName(v.urn)} (${type})` : "the stack";
    lines.push(`[${v.enforcementLevel}] ${v.policy}: ${subject}`, `    ${v.message}`);
  }
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = violations.length - mandatory;
  lines.push(
    violations.length === 0
      ? "No policy violations."
      : `${violations.length} ${violations.length === 1 ? "violation" : "violations"}: ${mandatory} mandatory, ${advisory} advisory.`,
  );
  if (violations.length > 0) {
    lines.splice(lines.length - 1, 0, "");
  }
  return `${lines.join("\n")}\n`;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
