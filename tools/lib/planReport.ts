import { DeploymentResource, isSecret, isUnknown, SECRET_TEXT, urnName } from "./deployment";

/** A value as the plan prints it: secrets withheld, unknowns named, at any depth. */
export function show(value: unknown): string {
  const shown = (v: unknown): unknown => {
    if (isSecret(v)) {
      return SECRET_TEXT;
    }
    if (isUnknown(v) || v === undefined) {
      return "(known after create)";
    }
    if (Array.isArray(v)) {
      return v.map(shown);
    }
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shown(x)]));
    }
    return v;
  };
  const result = shown(value);
  return typeof result === "string" ? result : JSON.stringify(result);
}

function shortType(type: string): string {
  return type.replace(/^azure-native:/, "");
}

function flags(resource: DeploymentResource): string {
  const location = resource.inputs?.location;
  const where = typeof location === "string" && !isUnknown(location) ? `  (${location})` : "";
  const marks = [
    resource.protect ? "protect" : "",
    resource.retainOnDelete ? "retainOnDelete" : "",
  ].filter(Boolean);
  return `${where}${marks.length > 0 ? `  [${marks.join(", ")}]` : ""}`;
}

/** The resources as a tree under their parents, in registration order. */
export function renderTree(resources: readonly DeploymentResource[]): string[] {
  const children = new Map<string | undefined, DeploymentResource[]>();
  const known = new Set(resources.map((r) => r.urn));
  for (const resource of resources) {
    const parent = resource.parent && known.has(resource.parent) ? resource.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((resource, i) => {
      const last = i === list.length - 1;
      const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
      lines.push(
        `${indent}${branch}${shortType(resource.type)}  ${urnName(resource.urn)}${flags(resource)}`,
      );
      walk(resource.urn, parent === undefined ? indent : indent + (last ? "   " : "│  "));
    });
  };
  walk(undefined, "  ");
  return lines;
}

/**
 * The custom resources in the order Azure would create them: each step holds what can be made
 * at once, after everything its members depend on (dependencies and property dependencies).
 */
export function creationSteps(resources: readonly DeploymentResource[]): DeploymentResource[][] {
  const custom = resources.filter((r) => r.custom);
  const byUrn = new Map(custom.map((r) => [r.urn, r]));
  const step = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (resource: DeploymentResource): number => {
    const known = step.get(resource.urn);
    if (known !== undefined) {
      return known;
    }
    if (visiting.has(resource.urn)) {
      throw new Error(`dependency cycle through ${resource.urn}`);
    }
    visiting.add(resource.urn);
    const upstream = [
      ...(resource.dependencies ?? []),
      ...Object.values(resource.propertyDependencies ?? {}).flat(),
    ].filter((urn) => urn !== resource.urn && byUrn.has(urn));
    const value =
      upstream.length === 0 ? 0 : 1 + Math.max(...upstream.map((urn) => depth(byUrn.get(urn)!)));
    visiting.delete(resource.urn);
    step.set(resource.urn, value);
    return value;
  };
  const steps: DeploymentResource[][] = [];
  for (const resource of custom) {
    const at = depth(resource);
    (steps[at] ??= []).push(resource);
  }
  return steps.filter(Boolean);
}

function find(resources: readonly DeploymentResource[], type: string): DeploymentResource[] {
  return resources.filter((r) => r.type === type);
}

function field(resource: DeploymentResource | undefined, key: string): unknown {
  return resource?.outputs?.[key] ?? resource?.inputs?.[key];
}

/** What each server's data encryption points at, read from the inputs the server was given. */
export function renderEncryption(resources: readonly DeploymentResource[]): string[] {
  const lines: string[] = [];
  for (const server of find(resources, "azure-native:dbforpostgresql:Server")) {
    const encryption = (server.inputs?.dataEncryption ?? {}) as Record<string, unknown>;
    const backup = (server.inputs?.backup ?? {}) as Record<string, unknown>;
    const identity = (server.inputs?.identity ?? {}) as Record<string, unknown>;
    const identities = identity.userAssignedIdentities;
    lines.push(
      `  server            ${show(field(server, "serverName"))} in ${show(server.inputs?.location)}`,
    );
    lines.push(`  encryption        ${show(encryption.type)}`);
    lines.push(`  primary key       ${show(encryption.primaryKeyURI)}`);
    lines.push(`  primary identity  ${show(encryption.primaryUserAssignedIdentityId)}`);
    lines.push(`  geo backup        ${show(backup.geoRedundantBackup)}`);
    if (
      encryption.geoBackupKeyURI !== undefined ||
      encryption.geoBackupUserAssignedIdentityId !== undefined
    ) {
      lines.push(`  geo key           ${show(encryption.geoBackupKeyURI)}`);
      lines.push(`  geo identity      ${show(encryption.geoBackupUserAssignedIdentityId)}`);
    }
    lines.push(
      `  identity          ${show(identity.type)}: ${
        typeof identities === "object" && identities !== null && !isUnknown(identities)
          ? Object.keys(identities)
              .map((id) => id.split("/").at(-1))
              .join(", ")
          : show(identities)
      }`,
    );
  }
  return lines;
}

/** The stack's outputs, with secrets withheld. */
export function renderOutputs(resources: readonly DeploymentResource[]): string[] {
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  return Object.entries(stack?.outputs ?? {}).map(
    ([key, value]) => `  ${key.padEnd(22)} ${show(value)}`,
  );
}

/** The whole human-readable plan. */
export function renderPlan(title: string, resources: readonly DeploymentResource[]): string {
  const steps = creationSteps(resources);
  const sections = [
    title,
    "",
    `Resources (${resources.filter((r) => r.custom).length} in Azure, ${resources.filter((r) => !r.custom).length} components)`,
    ...renderTree(resources),
    "",
    "Encryption",
    ...renderEncryption(resources),
    "",
    "Creation order",
    ...steps.map(
      (group, i) =>
        `  ${String(i + 1).padStart(2)}. ${group.map((r) => `${urnName(r.urn)} (${shortType(r.type)})`).join(", ")}`,
    ),
    "",
    "Outputs",
    ...renderOutputs(resources),
  ];
  return sections.join("\n");
}
