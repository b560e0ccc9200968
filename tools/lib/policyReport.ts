import { Violation } from "../../policy/evaluate";
import { urnName } from "./deployment";

/** Each violation as two lines a person reads, then a summary line. */
export function renderViolations(violations: readonly Violation[]): string[] {
  const lines: string[] = [];
  for (const v of violations) {
    const type = v.urn.split("::")[2]?.split("$").at(-1);
    const subject = v.urn ? `${urnName(v.urn)} (${type})` : "the stack";
    lines.push(`[${v.enforcementLevel}] ${v.policy}: ${subject}`, `    ${v.message}`);
  }
  if (violations.length === 0) {
    return ["No policy violations."];
  }
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const noun = violations.length === 1 ? "violation" : "violations";
  lines.push(
    "",
    `${violations.length} ${noun}: ${mandatory} mandatory, ${violations.length - mandatory} advisory.`,
  );
  return lines;
}
