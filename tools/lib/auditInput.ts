import { DeploymentResource } from "./deployment";
import { JsonFileError, readJsonFile } from "./jsonFile";

/** The kinds of file `npm run audit` reads. */
export type AuditFormat = "stack export" | "plan" | "preview digest";

/** Raised when a file cannot be audited; the message is one line for the operator. */
export class AuditInputError extends Error {}

export const EXPECTED_FORMATS =
  'a "pulumi stack export" file (version 3 with deployment.resources), the output of "npm run plan -- --json" (the same shape), or a "pulumi preview --json" digest (steps[] with op, urn and newState)';

/** Steps after which the resource no longer exists; their `newState` is absent. */
const DELETING_OPS = new Set([
  "delete",
  "delete-replaced",
  "discard",
  "discard-replaced",
  "read-discard",
  "remove-pending-replace",
]);

/** Reads `file` and returns its resources in stack-export shape, with the format it was in. */
export function readAuditInput(file: string): {
  format: AuditFormat;
  resources: DeploymentResource[];
} {
  let doc: unknown;
  try {
    doc = readJsonFile(file, "", EXPECTED_FORMATS);
  } catch (err) {
    throw err instanceof JsonFileError ? new AuditInputError(err.message) : err;
  }
  return parseAuditInput(doc, file);
}

/** Tells the formats apart by shape and converts the document's resources. */
export function parseAuditInput(
  doc: unknown,
  file: string,
): { format: AuditFormat; resources: DeploymentResource[] } {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new AuditInputError(`${file} holds ${describeShape(doc)}; expected ${EXPECTED_FORMATS}`);
  }
  const record = doc as Record<string, any>;

  if ("deployment" in record) {
    if (record.version !== 3) {
      throw new AuditInputError(
        `${file} is a deployment of version ${JSON.stringify(record.version)}; expected ${EXPECTED_FORMATS}`,
      );
    }
    const resources = record.deployment?.resources ?? [];
    if (!Array.isArray(resources)) {
      throw new AuditInputError(
        `${file}: deployment.resources is ${describeShape(resources)}; expected ${EXPECTED_FORMATS}`,
      );
    }
    resources.forEach((resource, i) =>
      checkResource(resource, `${file}: deployment.resources[${i}]`),
    );
    const manifestVersion = String(record.deployment?.manifest?.version ?? "");
    return {
      format: manifestVersion.startsWith("postgres-cmk plan") ? "plan" : "stack export",
      resources,
    };
  }

  if (Array.isArray(record.steps)) {
    const byUrn = new Map<string, DeploymentResource>();
    record.steps.forEach((step: any, i: number) => {
      const at = `${file}: steps[${i}]`;
      if (typeof step?.op !== "string" || typeof step?.urn !== "string") {
        throw new AuditInputError(`${at} has no op and urn; expected ${EXPECTED_FORMATS}`);
      }
      if (DELETING_OPS.has(step.op)) {
        return;
      }
      if (typeof step.newState !== "object" || step.newState === null) {
        throw new AuditInputError(`${at} (${step.op} ${step.urn}) has no newState to audit`);
      }
      checkResource(step.newState, `${at}.newState`);
      // A replacement may appear as several steps for one URN; the last state is the one that stays.
      byUrn.set(step.urn, step.newState);
    });
    return { format: "preview digest", resources: [...byUrn.values()] };
  }

  throw new AuditInputError(`${file} holds ${describeShape(doc)}; expected ${EXPECTED_FORMATS}`);
}

function checkResource(resource: unknown, at: string): void {
  const r = resource as Record<string, unknown> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.urn !== "string" ||
    typeof r.type !== "string"
  ) {
    throw new AuditInputError(
      `${at} must be a resource with a string urn and type (got ${describeShape(resource)})`,
    );
  }
}

function describeShape(value: unknown): string {
  if (Array.isArray(value)) {
    return `a JSON array of ${value.length} items`;
  }
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value);
    return keys.length > 0
      ? `an object with keys ${keys.slice(0, 8).join(", ")}`
      : "an empty object";
  }
  return `a JSON ${value === null ? "null" : typeof value}`;
}
