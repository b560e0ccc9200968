import { DeploymentResource, urnName } from "./deployment";
import { Change, ChangeAction, showValue, valueAt, Verdict } from "./diffPlans";

const MARKS: Record<ChangeAction, string> = {
  create: "+",
  update: "~",
  replace: "±",
  delete: "-",
  retain: "=",
  unchanged: " ",
};

const NOTES: Partial<Record<ChangeAction, string>> = {
  retain: "leaves the program; kept in Azure",
};

function shortType(type: string): string {
  return type.replace(/^azure-native:/, "");
}

/** The printed lines for one change: the action, then each changed path with its values. */
function renderChange(
  change: Change,
  before: Map<string, DeploymentResource>,
  after: Map<string, DeploymentResource>,
): string[] {
  const note = change.reason ?? NOTES[change.action];
  const blocked = change.blocked
    ? "  [blocked: pulumi up would stop, the resource is protected]"
    : "";
  const lines = [
    `  ${MARKS[change.action]} ${change.action.padEnd(9)} ${shortType(change.type)}  ${urnName(change.urn)}` +
      `${note ? `  (${note})` : ""}${blocked}`,
  ];
  if (change.action === "update" || change.action === "replace") {
    for (const path of change.paths) {
      const old = before.get(change.urn);
      const now = after.get(change.urn);
      const [was, will] = [showValue(valueAt(old, path)), showValue(valueAt(now, path))];
      const values =
        !old && !now
          ? ""
          : was === will && change.cause
            ? `: ${was} (new after ${urnName(change.cause)} is replaced)`
            : `: ${was} -> ${will}`;
      lines.push(`        ${path}${values}`);
    }
  }
  return lines;
}

/** The whole readable diff with its verdict. */
export function renderDiff(
  title: string,
  changes: readonly Change[],
  verdict: Verdict,
  base: readonly DeploymentResource[] = [],
  proposed: readonly DeploymentResource[] = [],
  notes: readonly string[] = [],
): string {
  const before = new Map(base.map((r) => [r.urn, r]));
  const after = new Map(proposed.map((r) => [r.urn, r]));
  const counts = (["create", "update", "replace", "delete", "retain", "unchanged"] as const)
    .map((action) => [action, changes.filter((c) => c.action === action).length] as const)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} ${action}`);
  const lines = [
    title,
    "",
    `Resources (${counts.join(", ") || "none"})`,
    ...changes.flatMap((c) => renderChange(c, before, after)),
    "",
    verdict.safe ? "Verdict: safe" : "Verdict: UNSAFE",
    ...verdict.reasons.map((r) => `  - ${r}`),
    ...notes.map((n) => `\n${n}`),
  ];
  return lines.join("\n");
}

/** The `--json` document: the changes with their required keys, the verdict and its reasons. */
export function diffJson(changes: readonly Change[], verdict: Verdict): string {
  return JSON.stringify(
    {
      changes: changes.map((c) => ({
        urn: c.urn,
        type: c.type,
        action: c.action,
        paths: c.paths,
        ...(c.blocked ? { blocked: true } : {}),
      })),
      safe: verdict.safe,
      reasons: verdict.reasons,
    },
    null,
    2,
  );
}
