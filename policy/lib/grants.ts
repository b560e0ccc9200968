import { PolicyResource } from "@pulumi/policy";

import { CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID } from "./azure";
import { StackIndex, label } from "./stack";
import { armIdPart, isUnknown, knownString, objectAt, sameName } from "./values";

/** One access policy entry, standalone or inline, with where it comes from. */
export interface AccessPolicyGrant {
  /** The AccessPolicy resource, or the vault for an inline entry. */
  readonly resource: PolicyResource;
  readonly inline: boolean;
  /** The entry itself: objectId, tenantId, permissions. */
  readonly entry: Record<string, any>;
  /** How a message names the grant. */
  readonly description: string;
}

/** The standalone AccessPolicy resources that write to `vault`. */
export function standaloneAccessPolicies(
  stack: StackIndex,
  vault: PolicyResource,
): PolicyResource[] {
  const vaultName = stack.vaultName(vault);
  return stack.ofKind("accessPolicy").filter((policy) => {
    const target = knownString(policy.props, "vaultName");
    return target && vaultName
      ? sameName(target, vaultName)
      : stack.linked(policy, "vaultName", "vault").includes(vault);
  });
}

/** Inline `properties.accessPolicies` entries of `vault`. */
export function inlineAccessPolicies(vault: PolicyResource): Record<string, any>[] {
  const properties = objectAt(vault.props, "properties");
  const entries = properties?.accessPolicies;
  return Array.isArray(entries) ? [...entries] : [];
}

/** Every access policy entry on `vault`, standalone and inline. */
export function accessPolicyGrants(stack: StackIndex, vault: PolicyResource): AccessPolicyGrant[] {
  const standalone = standaloneAccessPolicies(stack, vault).map((resource) => ({
    resource,
    inline: false,
    entry: objectAt(resource.props, "policy") ?? {},
    description: `access policy ${label(resource)}`,
  }));
  const inline = inlineAccessPolicies(vault).map((entry, i) => ({
    resource: vault,
    inline: true,
    entry,
    description: `inline access policy ${i} of key vault ${label(vault)}`,
  }));
  return [...standalone, ...inline];
}

/** True when the access policy entry is for `identity`'s service principal. */
export function isGrantFor(
  stack: StackIndex,
  grant: AccessPolicyGrant,
  identity: PolicyResource,
): boolean {
  const dependency = grant.inline ? "properties" : "policy";
  return stack.grantsTo(grant.resource, grant.entry, "objectId", identity, dependency);
}

/** The key permissions of an access policy entry, lower-cased. */
export function keyPermissions(entry: Record<string, any>): string[] {
  const keys = objectAt(entry, "permissions")?.keys;
  return Array.isArray(keys) ? keys.map((p: unknown) => String(p).toLowerCase()) : [];
}

/**
 * The "Key Vault Crypto Service Encryption User" role assignments for `identity` scoped to
 * `vault` or to `key`.
 */
export function cryptoRoleAssignments(
  stack: StackIndex,
  identity: PolicyResource,
  vault: PolicyResource,
  key: PolicyResource | undefined,
): PolicyResource[] {
  return stack.ofKind("roleAssignment").filter((assignment) => {
    if (!stack.grantsTo(assignment, assignment.props, "principalId", identity, "principalId")) {
      return false;
    }
    if (!scopeCovers(stack, assignment, vault, key)) {
      return false;
    }
    const role = String(assignment.props.roleDefinitionId ?? "").toLowerCase();
    return (
      role === CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID ||
      role.endsWith(`/${CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID}`)
    );
  });
}

function scopeCovers(
  stack: StackIndex,
  assignment: PolicyResource,
  vault: PolicyResource,
  key?: PolicyResource,
): boolean {
  if (isUnknown(assignment.props, "scope")) {
    const linked = [
      ...stack.linked(assignment, "scope", "vault"),
      ...stack.linked(assignment, "scope", "key"),
    ];
    return linked.includes(vault) || (key !== undefined && linked.includes(key));
  }
  const scope = String(assignment.props.scope ?? "");
  const vaultPart = armIdPart(scope, "vaults");
  const keyPart = armIdPart(scope, "keys");
  if (!sameName(vaultPart, stack.vaultName(vault))) {
    return false;
  }
  return keyPart === undefined || (key !== undefined && sameName(keyPart, stack.keyName(key)));
}
