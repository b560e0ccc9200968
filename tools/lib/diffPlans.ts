import {
  DeploymentResource,
  isSecret,
  isUnknown,
  PropertyMap,
  SECRET_TEXT,
  urnName,
} from "./deployment";
import { sameArmId } from "../../policy/lib/values";

/**
 * What applying the proposed program would do to one resource.
 *
 * "retain" is a resource that leaves the program but stays in Azure (`retainOnDelete`); Pulumi
 * only forgets it.
 */
export type ChangeAction = "create" | "update" | "replace" | "delete" | "retain" | "unchanged";

export interface Change {
  readonly urn: string;
  readonly type: string;
  readonly action: ChangeAction;
  /** Changed input paths such as "properties.keySize" or "tags.owner"; empty for create and delete. */
  readonly paths: string[];
  /** `pulumi up` would stop here: the resource is protected and would be replaced or removed. */
  readonly blocked?: boolean;
  /** Why the resource is replaced. */
  readonly reason?: string;
  /** The replaced resource whose output this replacement follows, when it is not its own. */
  readonly cause?: string;
}

/** Inputs that Azure cannot change on an existing resource, by resource type. */
export interface ReplaceRule {
  readonly type: string;
  /** Input paths; a rule path covers everything beneath it. "" covers every input. */
  readonly paths: readonly string[];
  readonly reason: string;
}

const SERVER = "azure-native:dbforpostgresql:Server";
const VAULT = "azure-native:keyvault:Vault";
const KEY = "azure-native:keyvault:Key";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
const ACCESS_POLICY = "azure-native:keyvault:AccessPolicy";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

/**
 * The one table that decides replacement. A resource is replaced when one of its changed input
 * paths falls under a row for its type; every other change is an update in place.
 */
export const REPLACE_RULES: readonly ReplaceRule[] = [
  {
    type: SERVER,
    paths: ["location", "serverName", "resourceGroupName"],
    reason: "a server's region, name and resource group are part of its identity in Azure",
  },
  {
    type: SERVER,
    paths: ["dataEncryption.type"],
    reason:
      "customer-managed-key encryption is chosen when the server is created and cannot be switched",
  },
  {
    type: SERVER,
    paths: ["backup.geoRedundantBackup"],
    reason: "geo-redundant backup is chosen when the server is created and cannot be switched",
  },
  {
    type: VAULT,
    paths: ["location", "vaultName", "resourceGroupName"],
    reason: "a vault's region, name and resource group are part of its identity in Azure",
  },
  {
    type: VAULT,
    paths: ["properties.softDeleteRetentionInDays"],
    reason: "a vault's soft-delete retention is fixed when the vault is created",
  },
  {
    type: VAULT,
    paths: ["properties.enablePurgeProtection"],
    reason: "purge protection can never be turned off once on",
  },
  {
    type: KEY,
    paths: ["properties"],
    reason: "ARM never updates a key: a changed key property means a new key",
  },
  {
    type: KEY,
    paths: ["keyName", "vaultName", "resourceGroupName"],
    reason: "a key's name and vault are part of its identity in Azure",
  },
  {
    type: IDENTITY,
    paths: ["location", "resourceName", "resourceGroupName"],
    reason: "an identity's region, name and resource group are part of its identity in Azure",
  },
  {
    type: "azure-native:resources:ResourceGroup",
    paths: ["location", "resourceGroupName"],
    reason: "a resource group's region and name are fixed when it is created",
  },
  {
    type: ACCESS_POLICY,
    paths: ["resourceGroupName", "vaultName", "policy.objectId"],
    reason: "an access policy belongs to one vault and one principal",
  },
  {
    type: ROLE_ASSIGNMENT,
    paths: ["scope", "principalId", "roleDefinitionId"],
    reason: "a role assignment's scope, principal and role cannot change",
  },
  {
    type: "azure-native:dbforpostgresql:Configuration",
    paths: ["configurationName", "serverName", "resourceGroupName"],
    reason: "a server parameter is addressed by its name and server",
  },
  {
    type: "azure-native:dbforpostgresql:FirewallRule",
    paths: ["firewallRuleName", "serverName", "resourceGroupName"],
    reason: "a firewall rule is addressed by its name and server",
  },
  {
    type: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
    paths: ["objectId", "serverName", "resourceGroupName"],
    reason: "an Entra administrator is addressed by its object ID and server",
  },
  {
    type: "random:index/randomPassword:RandomPassword",
    paths: [""],
    reason: "a random password is generated again whenever one of its inputs changes",
  },
];

/** True when `rulePath` is `path` or one of its ancestors. */
function covers(rulePath: string, path: string): boolean {
  return (
    rulePath === "" ||
    path === rulePath ||
    path.startsWith(`${rulePath}.`) ||
    path.startsWith(`${rulePath}[`)
  );
}

/** The first rule that makes a change of `path` on `type` a replacement. */
export function replaceRule(type: string, path: string): ReplaceRule | undefined {
  return REPLACE_RULES.find(
    (rule) => rule.type === type && rule.paths.some((p) => covers(p, path)),
  );
}

/** How a key is written in a property path: `tags.owner`, or `ids["/subscriptions/..."]`. */
function pathStep(prefix: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) {
    return prefix === "" ? key : `${prefix}.${key}`;
  }
  return `${prefix}[${JSON.stringify(key)}]`;
}

/**
 * Flattens inputs into leaf paths. Secrets, unknowns and empty objects or lists are leaves:
 * a secret's content is never looked into.
 */
export function flatten(
  value: unknown,
  prefix = "",
  into = new Map<string, unknown>(),
): Map<string, unknown> {
  if (isSecret(value) || isUnknown(value)) {
    into.set(prefix, value);
  } else if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, into));
  } else if (typeof value === "object" && value !== null && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) {
      flatten(item, pathStep(prefix, key), into);
    }
  } else if (value !== undefined) {
    into.set(prefix, value);
  }
  return into;
}

/**
 * Whether two leaves differ. Two secrets compare equal: their content is redacted, so a change
 * to a secret cannot be seen offline. An unknown value ("known after create") counts as a
 * change, as Pulumi's engine counts it.
 */
function leavesDiffer(a: unknown, b: unknown): boolean {
  if (isSecret(a) && isSecret(b)) {
    return false;
  }
  if (isUnknown(a) || isUnknown(b)) {
    return true;
  }
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The input paths that differ between two sets of inputs, sorted. */
export function changedPaths(
  base: PropertyMap | undefined,
  proposed: PropertyMap | undefined,
): string[] {
  const before = flatten(base ?? {});
  const after = flatten(proposed ?? {});
  const paths = new Set<string>();
  for (const [path, value] of before) {
    if (!after.has(path) || leavesDiffer(value, after.get(path))) {
      paths.add(path);
    }
  }
  for (const path of after.keys()) {
    if (!before.has(path)) {
      paths.add(path);
    }
  }
  return [...paths].sort();
}

/** A value as the diff prints it: secrets withheld, unknowns named. */
export function showValue(value: unknown): string {
  if (isSecret(value) || value === SECRET_TEXT) {
    return SECRET_TEXT;
  }
  if (isUnknown(value)) {
    return "(known after create)";
  }
  return value === undefined ? "(none)" : JSON.stringify(value);
}

/**
 * Only custom resources are compared. Components hold nothing in Azure: their children are
 * compared instead. The stack's outputs and providers are not resources in Azure either.
 */
export function comparable(resource: DeploymentResource): boolean {
  return resource.custom && !resource.type.startsWith("pulumi:providers:");
}

function blockedMark(base: DeploymentResource, action: ChangeAction): { blocked?: true } {
  return base.protect && (action === "replace" || action === "delete" || action === "retain")
    ? { blocked: true }
    : {};
}

/**
 * The change from `base` to `proposed`, per custom resource, matched by URN: proposed resources
 * in their order, then the removed ones.
 *
 * A replacement is decided from `REPLACE_RULES`, and carries on to resources whose input comes
 * from a replaced resource through a whole property that the table fixes (a key whose
 * `vaultName` comes from a replaced vault), as `pulumi preview` would show it.
 * Limitation: a replacement that changes a nested input of a dependent (an access policy's
 * `policy.objectId` after its identity is replaced) is not inferred, because plans hold the
 * values the mocks derive from names, and those stay the same.
 */
export function diffDeployments(
  base: DeploymentResource[],
  proposed: DeploymentResource[],
): Change[] {
  const before = new Map(base.filter(comparable).map((r) => [r.urn, r]));
  const after = proposed.filter(comparable);
  const afterUrns = new Set(after.map((r) => r.urn));

  const changes = new Map<string, Change>();
  for (const resource of after) {
    const old = before.get(resource.urn);
    if (old === undefined) {
      changes.set(resource.urn, {
        urn: resource.urn,
        type: resource.type,
        action: "create",
        paths: [],
      });
      continue;
    }
    // Paths under the proposed resource's ignoreChanges keep their old value, as the engine does.
    const ignored = resource.ignoreChanges ?? [];
    const paths = changedPaths(old.inputs, resource.inputs).filter(
      (p) => !ignored.some((i) => covers(i, p)),
    );
    const rules = [
      ...new Set(paths.map((p) => replaceRule(resource.type, p)).filter((r) => r !== undefined)),
    ];
    const action: ChangeAction =
      rules.length > 0 ? "replace" : paths.length > 0 ? "update" : "unchanged";
    changes.set(resource.urn, {
      urn: resource.urn,
      type: resource.type,
      action,
      paths,
      ...blockedMark(old, action),
      ...(rules.length > 0 ? { reason: rules.map((r) => r.reason).join("; ") } : {}),
    });
  }

  for (let again = true; again;) {
    again = false;
    for (const resource of after) {
      const change = changes.get(resource.urn)!;
      const old = before.get(resource.urn);
      if (old === undefined || change.action === "replace") {
        continue;
      }
      for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        const source = urns.find((urn) => changes.get(urn)?.action === "replace");
        const rule = source === undefined ? undefined : replaceRule(resource.type, property);
        if (source !== undefined && rule !== undefined) {
          changes.set(resource.urn, {
            ...change,
            action: "replace",
            paths: [...new Set([...change.paths, property])].sort(),
            ...blockedMark(old, "replace"),
            reason: `${property} comes from ${urnName(source)}, which is replaced`,
            cause: source,
          });
          again = true;
          break;
        }
      }
    }
  }

  for (const old of before.values()) {
    if (!afterUrns.has(old.urn)) {
      const action: ChangeAction = old.retainOnDelete ? "retain" : "delete";
      changes.set(old.urn, {
        urn: old.urn,
        type: old.type,
        action,
        paths: [],
        ...blockedMark(old, action),
      });
    }
  }
  return [...changes.values()];
}

/** A policy violation as the pack reports it. */
export interface PolicyViolation {
  readonly policy: string;
  readonly enforcementLevel: string;
  readonly urn?: string;
  readonly message: string;
}

export interface Verdict {
  readonly safe: boolean;
  /** One sentence per problem, naming the resource and the fix. */
  readonly reasons: string[];
}

function serverKeyUris(server: DeploymentResource | undefined): string[] {
  const encryption = (server?.inputs?.dataEncryption ?? {}) as PropertyMap;
  return [encryption.primaryKeyURI, encryption.geoBackupKeyURI].filter(
    (uri): uri is string => typeof uri === "string" && !isUnknown(uri),
  );
}

/** Key URIs and ARM IDs compare as ARM compares them. */
function same(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && sameArmId(a, b);
}

/** Whether the base server encrypts with `key`: by its key URI, or by depending on it. */
function serverUsesKey(server: DeploymentResource | undefined, key: DeploymentResource): boolean {
  if (server === undefined) {
    return false;
  }
  const uri = key.outputs?.keyUri;
  return (
    serverKeyUris(server).some((u) => same(u, uri)) || (server.dependencies ?? []).includes(key.urn)
  );
}

/** The identity a grant is for: by dependency, or by the principal's object ID. */
function grantIdentity(
  grant: DeploymentResource,
  resources: DeploymentResource[],
): DeploymentResource | undefined {
  const identities = resources.filter((r) => r.type === IDENTITY);
  const principal =
    grant.type === ACCESS_POLICY
      ? ((grant.inputs?.policy ?? {}) as PropertyMap).objectId
      : grant.inputs?.principalId;
  return (
    identities.find((i) => (grant.dependencies ?? []).includes(i.urn)) ??
    identities.find((i) => same(i.outputs?.principalId, principal))
  );
}

/** Whether `server` still works through `identity`: by its ID, or by depending on it. */
function serverUsesIdentity(
  server: DeploymentResource | undefined,
  identity: DeploymentResource,
): boolean {
  if (server === undefined) {
    return false;
  }
  const encryption = (server.inputs?.dataEncryption ?? {}) as PropertyMap;
  const ids = [
    encryption.primaryUserAssignedIdentityId,
    encryption.geoBackupUserAssignedIdentityId,
  ];
  return (
    (server.dependencies ?? []).includes(identity.urn) ||
    (identity.id !== undefined && ids.some((id) => same(id, identity.id)))
  );
}

function keyName(key: DeploymentResource): string {
  const name = key.inputs?.keyName;
  return typeof name === "string" ? name : urnName(key.urn);
}

/** The changed paths that force the replacement, or every changed path if none is in the table. */
function fixedPaths(change: Change): string[] {
  const fixed = change.paths.filter((p) => replaceRule(change.type, p) !== undefined);
  return fixed.length > 0 ? fixed : change.paths;
}

function describeAction(change: Change): string {
  switch (change.action) {
    case "replace":
      return change.cause
        ? `be replaced along with ${urnName(change.cause)}`
        : `be replaced (${fixedPaths(change).join(", ")}: ${change.reason})`;
    case "delete":
      return "be deleted";
    case "retain":
      return "leave the program";
    default:
      return `be ${change.action}d`;
  }
}

/** The one sentence for a change that is unsafe for its own sake, or undefined. */
function changeReason(
  change: Change,
  old: DeploymentResource | undefined,
  base: DeploymentResource[],
  proposed: DeploymentResource[],
): string | undefined {
  const name = urnName(change.urn);
  const gone = change.action === "replace" || change.action === "delete";
  const stop = change.blocked ? ", and pulumi up would stop because it is protected" : "";
  const fix = (own: string) => (change.cause ? `keep ${urnName(change.cause)} as it is` : own);
  const baseServer = base.find((r) => r.type === SERVER);
  const proposedServer = proposed.find((r) => r.type === SERVER);

  if (old === undefined) {
    return undefined;
  }
  if (change.type === SERVER && gone) {
    return `Server ${name} would ${describeAction(change)}${stop}: a new server starts without the data, so ${fix("keep these settings as they are, or restore into a new server on purpose")}.`;
  }
  if (change.type === VAULT && gone) {
    return `Key vault ${name} would ${describeAction(change)}${stop}, taking the server's keys with it: ${fix("keep these vault settings as they are")}.`;
  }
  if (change.type === KEY && gone) {
    const use = serverUsesKey(baseServer, old)
      ? "the server encrypts with it"
      : "backups may still need it";
    const own =
      change.action === "delete"
        ? `keep "${keyName(old)}" declared in previousKeyNames`
        : `switch to a new key by changing keyName and adding "${keyName(old)}" to previousKeyNames instead`;
    return `Key ${name} would ${describeAction(change)} while ${use}${stop}: ${fix(own)}.`;
  }
  if (change.type === IDENTITY && gone && serverUsesIdentity(baseServer, old)) {
    return `Identity ${name}, through which the server reaches its key, would ${describeAction(change)}${stop}: ${fix("keep its settings as they are")}.`;
  }
  if (change.type === ACCESS_POLICY || change.type === ROLE_ASSIGNMENT) {
    const identity = grantIdentity(old, base);
    const needed = identity !== undefined && serverUsesIdentity(proposedServer, identity);
    if (change.action === "delete" || ((gone || change.action === "retain") && needed)) {
      return `Grant ${name}, which the server needs to reach its key, would ${describeAction(change)}${stop}: ${fix(change.action === "replace" ? "keep its settings as they are" : "keep it declared; for a key's grant, add the old key name to previousKeyNames")}.`;
    }
  }
  if (change.type === KEY && change.action === "retain" && change.blocked) {
    return `Key ${name} would leave the program while protected, so pulumi up would stop: add "${keyName(old)}" to previousKeyNames to keep it declared.`;
  }
  if (change.blocked) {
    return `${name} is protected and would ${describeAction(change)}, so pulumi up would stop: ${fix("keep it in the program, or set protect to false and apply that first")}.`;
  }
  return undefined;
}

/** The order reasons are given in: what loses data first. */
const JUDGED_ORDER = [SERVER, VAULT, KEY, IDENTITY, ACCESS_POLICY, ROLE_ASSIGNMENT];

/**
 * Whether the change is safe to apply. It is unsafe when it would replace or delete the server,
 * a vault, a key (any key in the base: the server uses one, and backups may need the others),
 * or an identity the server uses; drop a grant the server needs; stop on a protected resource;
 * or leave a mandatory policy violation on the proposed plan.
 */
/**
 * Updates Azure refuses on an existing server although they are not replacements: the change is
 * rejected when applied, so a diff that calls it safe would mislead.
 */
export const REFUSED_SERVER_UPDATES: ReadonlyArray<{
  readonly path: string;
  readonly refused: (before: unknown, after: unknown) => boolean;
  readonly reason: string;
}> = [
  {
    path: "storage.storageSizeGB",
    refused: (before, after) =>
      typeof before === "number" && typeof after === "number" && after < before,
    reason: "Azure can grow a server's storage but never shrink it",
  },
  {
    path: "version",
    refused: (before, after) => Number(after) < Number(before),
    reason: "Azure upgrades a server's major version in place but never downgrades it",
  },
  {
    path: "administratorLogin",
    refused: (before, after) => before !== after,
    reason: "the administrator login is fixed when the server is created",
  },
];

/** The input at a property path such as `a.b[0]` or `a["/x/y"]`, or undefined. */
export function valueAt(resource: DeploymentResource | undefined, path: string): unknown {
  let value: unknown = resource?.inputs;
  for (const [, name, index, quoted] of path.matchAll(
    /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g,
  )) {
    const key = name ?? (index !== undefined ? Number(index) : (JSON.parse(quoted) as string));
    if (typeof value !== "object" || value === null) {
      return undefined;
    }
    value = (value as PropertyMap)[key as string];
  }
  return value;
}

function refusedUpdates(
  change: Change,
  before: DeploymentResource | undefined,
  after: DeploymentResource | undefined,
): string[] {
  if (change.type !== SERVER || change.action !== "update") {
    return [];
  }
  return REFUSED_SERVER_UPDATES.filter(
    (rule) =>
      change.paths.includes(rule.path) &&
      rule.refused(valueAt(before, rule.path), valueAt(after, rule.path)),
  ).map(
    (rule) =>
      `Server ${urnName(change.urn)} cannot take ${rule.path} ${showValue(valueAt(before, rule.path))} -> ${showValue(valueAt(after, rule.path))}: ${rule.reason}; keep the current value.`,
  );
}

export function judge(
  changes: Change[],
  base: DeploymentResource[],
  proposed: DeploymentResource[],
  violations: readonly PolicyViolation[] = [],
): Verdict {
  const before = new Map(base.map((r) => [r.urn, r]));
  const after = new Map(proposed.map((r) => [r.urn, r]));
  const reasons: string[] = [];
  const rank = (c: Change) => {
    const i = JUDGED_ORDER.indexOf(c.type);
    return i === -1 ? JUDGED_ORDER.length : i;
  };
  for (const change of [...changes].sort((a, b) => rank(a) - rank(b))) {
    const reason = changeReason(change, before.get(change.urn), base, proposed);
    if (reason !== undefined) {
      reasons.push(reason);
    }
    reasons.push(...refusedUpdates(change, before.get(change.urn), after.get(change.urn)));
  }
  for (const violation of violations.filter((v) => v.enforcementLevel === "mandatory")) {
    const where = violation.urn ? ` on ${urnName(violation.urn)}` : "";
    reasons.push(
      `Mandatory policy ${violation.policy} fails${where}: ${violation.message.replace(/\.$/, "")}.`,
    );
  }
  return { safe: reasons.length === 0, reasons };
}
