import { parseArgs } from "node:util";

import { PACK_NAME } from "../policy/policies";
import { PolicyPackConfig, Violation, evaluatePolicies, hasMandatory } from "../policy/evaluate";
import { AuditInputError, readAuditInput } from "./lib/auditInput";
import { JsonFileError, readPolicyConfigFile } from "./lib/jsonFile";
import { renderViolations } from "./lib/policyReport";
import { CliIo, reportError, runAsCommand } from "./lib/cli";

const USAGE = `Usage: npm run audit -- FILE [--json] [--config policy-config.json]

Evaluates the ${PACK_NAME} policy pack on FILE without the Pulumi CLI. FILE is a "pulumi stack
export" file, the output of "npm run plan -- --json", or a "pulumi preview --json" digest.

  --json           print {"violations": [{policy, enforcementLevel, urn, message}]} only
  --config FILE    policy config, the same JSON as "pulumi preview --policy-pack-config"

Exit codes: 0 no mandatory violation; 1 one or more mandatory violations; 2 FILE or the config
cannot be read or is not a known format, or the command line is wrong.`;

export async function main(argv: string[], io: CliIo): Promise<number> {
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
    try {
      config = readPolicyConfigFile(values.config);
    } catch (err) {
      if (err instanceof JsonFileError) {
        reportError(io, "audit", err.message);
        return 2;
      }
      throw err;
    }
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

/** The report a person reads: one entry per violation, then a summary line. */
export function renderReport(
  file: string,
  format: string,
  count: number,
  violations: readonly Violation[],
): string {
  const header = `Audited ${file} (${format}, ${count} resources) with policy pack ${PACK_NAME}.`;
  return `${[header, "", ...renderViolations(violations)].join("\n")}\n`;
}

if (require.main === module) {
  runAsCommand("audit", main);
}
