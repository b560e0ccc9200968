/**
 * Runs the pack's policies without the Pulumi CLI, on resources in `pulumi stack export` shape,
 * the way the engine and @pulumi/policy's analyzer would: resource policies see each resource's
 * inputs, stack policies see every resource's outputs linked to its parent and dependencies, and
 * a value unknown until deployment makes a policy report "can't run ... during preview" as an
 * advisory violation.
 */
import {
  EnforcementLevel,
  Policy,
  PolicyConfigSchema,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
  unknownCheckingProxy,
} from "@pulumi/policy";

import { DeploymentResource, isSecret } from "../tools/lib/deployment";
import { PACK_NAME, policies } from "./policies";

const PACK_VERSION: string = require("./package.json").version;

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
/** What an encrypted secret of a stack export reads as: the pack cannot decrypt it. */
const ENCRYPTED_SECRET = "[secret]";

export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  urn: string;
  message: string;
}

/** The JSON of `pulumi preview --policy-pack-config`: a level, or a level and properties. */
export interface PolicyPackConfig {
  [policyName: string]: string | { enforcementLevel?: string; [k: string]: unknown };
}

/** Raised when policy config is unusable; lists every problem. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The policy config has ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "PolicyConfigError";
  }
}

/** The names of the pack's policies, in pack order. */
export const POLICY_NAMES: readonly string[] = policies.map((p) => p.name);

/** True when any violation would fail `pulumi preview`. */
export function hasMandatory(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.enforcementLevel === "mandatory");
}

/**
 * Problems with `config` as policy-pack config for this pack: unknown policy names, levels that
 * do not exist, and properties the policy's schema does not define or types it does not accept.
 */
export function validatePolicyConfig(config: unknown): string[] {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return [`policy config must be a JSON object keyed by policy name (got ${describe(config)})`];
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    const policy = policies.find((p) => p.name === name);
    if (!policy && name !== "all") {
      problems.push(
        `${name}: no such policy in ${PACK_NAME}; known policies are all, ${POLICY_NAMES.join(", ")}`,
      );
      continue;
    }
    if (typeof value === "string") {
      problems.push(...levelProblems(name, value));
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${name}: must be an enforcement level or an object (got ${describe(value)})`);
      continue;
    }
    for (const [property, setting] of Object.entries(value)) {
      if (property === "enforcementLevel") {
        problems.push(...levelProblems(`${name}.enforcementLevel`, setting));
        continue;
      }
      const schema = policy?.configSchema?.properties[property];
      if (!schema) {
        const known = Object.keys(policy?.configSchema?.properties ?? {});
        problems.push(
          `${name}.${property}: no such setting; ${known.length > 0 ? `known settings are enforcementLevel, ${known.join(", ")}` : "the policy takes only enforcementLevel"}`,
        );
        continue;
      }
      problems.push(
        ...schemaProblems(`${name}.${property}`, setting, schema as Record<string, any>),
      );
    }
  }
  return problems;
}

function levelProblems(at: string, level: unknown): string[] {
  return typeof level === "string" && (LEVELS as readonly string[]).includes(level)
    ? []
    : [`${at}: got ${describe(level)}; accepted: one of ${LEVELS.join(", ")}`];
}

function schemaProblems(at: string, value: unknown, schema: Record<string, any>): string[] {
  const type = schema.type as string | undefined;
  const typeOk =
    type === undefined ||
    (type === "integer" && Number.isInteger(value)) ||
    (type === "number" && typeof value === "number") ||
    (type === "string" && typeof value === "string") ||
    (type === "boolean" && typeof value === "boolean") ||
    (type === "array" && Array.isArray(value)) ||
    (type === "object" && typeof value === "object" && value !== null && !Array.isArray(value));
  if (!typeOk) {
    return [
      `${at}: got ${describe(value)}; accepted: ${type === "integer" ? "a whole number" : `a ${type}`}`,
    ];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return [`${at}: got ${describe(value)}; accepted: one of ${schema.enum.join(", ")}`];
  }
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) {
    return [`${at}: got ${value}; accepted: ${schema.minimum} or more`];
  }
  if (typeof value === "number" && typeof schema.maximum === "number" && value > schema.maximum) {
    return [`${at}: got ${value}; accepted: ${schema.maximum} or less`];
  }
  return [];
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * Evaluates every policy of the pack on `resources` and returns the violations, sorted by policy,
 * URN and message. Throws `PolicyConfigError` for unusable config, and rethrows (with the policy
 * and resource named) any error a policy raises other than the SDK's unknown-value error.
 */
export function evaluatePolicies(
  resources: DeploymentResource[],
  config: PolicyPackConfig = {},
): Violation[] {
  const problems = validatePolicyConfig(config);
  if (problems.length > 0) {
    throw new PolicyConfigError(problems);
  }

  const violations: Violation[] = [];
  for (const policy of policies) {
    const configured = levelOf(config, policy);
    if (configured === "disabled") {
      continue;
    }
    // As in the analyzer: validation cannot remediate, so "remediate" blocks like "mandatory".
    const level = configured === "remediate" ? "mandatory" : configured;
    const getConfig = <T extends object>() => settingsOf(config, policy) as T;
    const report = (urn: string) => (message: string, reportedUrn?: string) => {
      violations.push({
        policy: policy.name,
        enforcementLevel: level,
        urn: reportedUrn ?? urn,
        message,
      });
    };

    if (isStackPolicy(policy)) {
      const args: StackValidationArgs = {
        resources: linkResources(resources),
        getConfig,
        stackTags: new Map(),
        notApplicable: notApplicable,
      };
      run(policy, "", violations, () => policy.validateStack(args, report("")));
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validation of validations) {
        const args = resourceArgs(resource, getConfig);
        run(policy, resource.urn, violations, () => validation(args, report(resource.urn)));
      }
    }
  }

  return violations.sort(
    (a, b) => compare(a.policy, b.policy) || compare(a.urn, b.urn) || compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
  return typeof (policy as StackValidationPolicy).validateStack === "function";
}

function levelOf(config: PolicyPackConfig, policy: Policy): EnforcementLevel {
  const levelIn = (entry: PolicyPackConfig[string] | undefined) =>
    (typeof entry === "string" ? entry : entry?.enforcementLevel) as EnforcementLevel | undefined;
  return (
    levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? "advisory"
  );
}

/** The policy's settings: schema defaults, then config, without the enforcement level. */
function settingsOf(config: PolicyPackConfig, policy: Policy): Record<string, unknown> {
  const schema: PolicyConfigSchema = policy.configSchema ?? { properties: {} };
  const defaults = Object.entries(schema.properties).filter(([, s]) => s.default !== undefined);
  const entry = config[policy.name];
  const { enforcementLevel: _level, ...settings } = typeof entry === "object" ? entry : {};
  return { ...Object.fromEntries(defaults.map(([name, s]) => [name, s.default])), ...settings };
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "policy does not apply");
}

/** Runs one validation as the analyzer does: unknown values become an advisory violation. */
function run(policy: Policy, urn: string, violations: Violation[], validate: () => unknown): void {
  try {
    const result = validate();
    if (result instanceof Promise) {
      throw new Error("returned a promise; the offline evaluator runs synchronous policies only");
    }
  } catch (err) {
    if (err instanceof UnknownValueError) {
      violations.push({
        policy: policy.name,
        enforcementLevel: "advisory",
        urn,
        message: `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${(err as Error).message}`,
      });
    } else if (!(err instanceof NotApplicable)) {
      const where = urn ? ` on ${urn}` : "";
      throw new Error(
        `policy ${policy.name} failed${where}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
}

function options(resource: DeploymentResource): PolicyResourceOptions {
  return {
    protect: resource.protect === true,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent ? { parent: resource.parent } : {}),
  };
}

function typeOf(resourceClass: unknown): string | undefined {
  const type = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type !== "" ? type : undefined;
}

function nameOf(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}

function resourceArgs(
  resource: DeploymentResource,
  getConfig: <T extends object>() => T,
): ResourceValidationArgs {
  const props = unknownCheckingProxy(deserialize(resource.inputs ?? {}));
  return {
    type: resource.type,
    props,
    urn: resource.urn,
    name: nameOf(resource.urn),
    opts: options(resource),
    stackTags: new Map(),
    isType: (resourceClass) => typeOf(resourceClass) === resource.type,
    asType: ((resourceClass: unknown) =>
      typeOf(resourceClass) === resource.type
        ? props
        : undefined) as ResourceValidationArgs["asType"],
    getConfig,
    notApplicable,
  };
}

/**
 * The resources as a stack policy sees them: outputs as props (inputs for a resource that has no
 * outputs yet), with parents and dependencies resolved to the resource objects.
 */
function linkResources(resources: readonly DeploymentResource[]): PolicyResource[] {
  const linked = resources.map((resource) => {
    const outputs = resource.outputs ?? {};
    const state = Object.keys(outputs).length > 0 ? outputs : (resource.inputs ?? {});
    const props = unknownCheckingProxy(deserialize(state));
    const policyResource: PolicyResource = {
      type: resource.type,
      props,
      urn: resource.urn,
      name: nameOf(resource.urn),
      opts: options(resource),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => typeOf(resourceClass) === resource.type,
      asType: ((resourceClass: unknown) =>
        typeOf(resourceClass) === resource.type ? props : undefined) as PolicyResource["asType"],
    };
    return policyResource;
  });
  const byUrn = new Map(linked.map((r) => [r.urn, r]));
  const find = (urns: readonly string[] | undefined) =>
    (urns ?? []).map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);

  resources.forEach((resource, i) => {
    const target = linked[i];
    const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    if (parent) {
      target.parent = parent;
    }
    target.dependencies = find(resource.dependencies);
    for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
      target.propertyDependencies[property] = find(urns);
    }
  });
  return linked;
}

/**
 * Turns serialized state into plain values, as the analyzer does with the engine's: secrets are
 * unwrapped (an export's encrypted ones cannot be, and read as "[secret]"), and properties that
 * are undefined are left out.
 */
function deserialize(value: unknown): any {
  if (Array.isArray(value)) {
    return value.map(deserialize);
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }
  const record = value as Record<string, unknown>;
  if (isSecret(record)) {
    if ("value" in record) {
      return deserialize(record.value);
    }
    if (typeof record.plaintext === "string") {
      return deserialize(JSON.parse(record.plaintext));
    }
    return ENCRYPTED_SECRET;
  }
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, deserialize(v)]),
  );
}
