import { DeploymentResource } from "./deployment";
import { Change, ChangeAction, comparable, replaceRule } from "./diffPlans";

/** One entry of a `pulumi preview --json` digest's `detailedDiff`. */
export interface PropertyDiff {
  readonly kind: "add" | "update" | "delete" | "add-replace" | "update-replace" | "delete-replace";
  readonly inputDiff?: boolean;
}

/** One step of a `pulumi preview --json` digest. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly provider?: string;
  readonly oldState?: DeploymentResource;
  readonly newState?: DeploymentResource;
  readonly diffReasons?: string[];
  readonly replaceReasons?: string[];
  readonly detailedDiff?: Record<string, PropertyDiff>;
}

/** The document `pulumi preview --json` prints. */
export interface PreviewDigest {
  readonly steps?: PreviewStep[];
}

/** Raised when a file is not a preview digest; the message is one line for the operator. */
export class PreviewDigestError extends Error {}

/**
 * What each step op means here. A replacement arrives as several steps with one URN
 * (create-replacement, replace, delete-replaced) and collapses into one "replace". Reads,
 * refreshes and discards change nothing in Azure.
 */
const OP_ACTIONS: Record<string, ChangeAction> = {
  same: "unchanged",
  create: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  delete: "delete",
  read: "unchanged",
  "read-replacement": "unchanged",
  refresh: "unchanged",
  discard: "unchanged",
  "discard-replaced": "unchanged",
  "remove-pending-replace": "unchanged",
  import: "create",
  "import-replacement": "replace",
};

const RANK: Record<ChangeAction, number> = {
  unchanged: 0,
  create: 1,
  update: 2,
  retain: 3,
  replace: 4,
  delete: 5,
};

/** Checks the parsed JSON of a preview file and returns it as a digest. */
export function asPreviewDigest(value: unknown, file: string): PreviewDigest {
  // A digest leaves out "steps" only when there are none; it always has a change summary.
  const digest = value as (PreviewDigest & { changeSummary?: unknown }) | null;
  const steps = digest?.steps;
  const shaped =
    Array.isArray(steps) || (steps === undefined && digest?.changeSummary !== undefined);
  if (typeof value !== "object" || value === null || Array.isArray(value) || !shaped) {
    throw new PreviewDigestError(
      `${file} is not a "pulumi preview --json" digest: it has no "steps" list`,
    );
  }
  for (const step of steps ?? []) {
    if (typeof step?.op !== "string" || typeof step?.urn !== "string") {
      throw new PreviewDigestError(`${file}: every step needs an "op" and a "urn"`);
    }
    if (!(step.op in OP_ACTIONS)) {
      throw new PreviewDigestError(
        `${file}: step ${step.urn} has an op this tool does not know: "${step.op}"`,
      );
    }
  }
  return { steps: steps ?? [] };
}

function stepPaths(step: PreviewStep): string[] {
  return step.detailedDiff ? Object.keys(step.detailedDiff) : (step.diffReasons ?? []);
}

function stepReplacePaths(step: PreviewStep): string[] {
  const fromDiff = Object.entries(step.detailedDiff ?? {})
    .filter(([, diff]) => diff.kind.endsWith("-replace"))
    .map(([path]) => path);
  return [...new Set([...fromDiff, ...(step.replaceReasons ?? [])])];
}

/**
 * The changes a preview digest shows, with the states before (`base`) and after (`proposed`)
 * so that the same verdict applies. Only custom resources count, as for plans.
 */
export function changesFromPreview(digest: PreviewDigest): {
  changes: Change[];
  base: DeploymentResource[];
  proposed: DeploymentResource[];
} {
  const changes = new Map<string, Change>();
  const base = new Map<string, DeploymentResource>();
  const proposed = new Map<string, DeploymentResource>();
  const replacePaths = new Map<string, string[]>();

  for (const step of digest.steps ?? []) {
    const state = step.newState ?? step.oldState;
    if (state === undefined || !comparable(state)) {
      continue;
    }
    if (step.oldState && !base.has(step.urn)) {
      base.set(step.urn, step.oldState);
    }
    if (step.newState && step.op !== "delete" && step.op !== "delete-replaced") {
      proposed.set(step.urn, step.newState);
    }
    let action = OP_ACTIONS[step.op];
    if (action === "delete" && step.oldState?.retainOnDelete) {
      action = "retain";
    }
    const earlier = changes.get(step.urn);
    const paths = [...new Set([...(earlier?.paths ?? []), ...stepPaths(step)])].sort();
    replacePaths.set(step.urn, [
      ...new Set([...(replacePaths.get(step.urn) ?? []), ...stepReplacePaths(step)]),
    ]);
    const strongest =
      earlier !== undefined && RANK[earlier.action] > RANK[action] ? earlier.action : action;
    changes.set(step.urn, { urn: step.urn, type: state.type, action: strongest, paths });
  }

  for (const [urn, planned] of changes) {
    // The provider may plan an in-place update of an input Azure fixes at creation (geo
    // backup, say); Azure would refuse it, so it is judged as the replacement it amounts to.
    const fixed = planned.paths.filter((p) => replaceRule(planned.type, p) !== undefined);
    const change: Change =
      planned.action === "update" && fixed.length > 0 ? { ...planned, action: "replace" } : planned;
    if (change !== planned) {
      replacePaths.set(urn, fixed);
    }
    const old = base.get(urn);
    const gone =
      change.action === "replace" || change.action === "delete" || change.action === "retain";
    const blocked = gone && old?.protect === true;
    let reason: string | undefined;
    if (change.action === "replace") {
      const fixed = replacePaths.get(urn) ?? [];
      const rules = [
        ...new Set(fixed.map((p) => replaceRule(change.type, p)).filter((r) => r !== undefined)),
      ];
      reason =
        rules.length > 0
          ? rules.map((r) => r.reason).join("; ")
          : `the provider cannot change ${fixed.length > 0 ? fixed.join(", ") : "it"} in place`;
    }
    changes.set(urn, {
      ...change,
      ...(blocked ? { blocked: true } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  return {
    changes: [...changes.values()],
    base: [...base.values()],
    proposed: [...proposed.values()],
  };
}
