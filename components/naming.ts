import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

import { slug } from "./settings";

/**
 * A short hex string that is the same on every run of one stack and differs between stacks.
 *
 * Azure keeps a deleted vault's name reserved for its soft-delete retention, and purge protection
 * keeps it from being freed earlier, so vault and server names must not repeat across stacks.
 * The seed holds the subscription besides the organization, project and stack, because a
 * self-managed backend reports the same organization for everyone. The suffix is derived, not
 * random, so that it is known during a first preview and never changes.
 */
export function stackUniqueSuffix(subscriptionId: string, ...parts: string[]): string {
  const seed = [
    subscriptionId.toLowerCase(),
    pulumi.getOrganization(),
    pulumi.getProject(),
    pulumi.getStack(),
    ...parts,
  ].join("/");
  return createHash("sha256").update(seed).digest("hex").slice(0, 8);
}

/**
 * A key vault name (3-24 letters, digits and single hyphens, starting with a letter) for the vault
 * of `role` ("primary" or "geo") in the component `name`.
 */
export function keyVaultName(subscriptionId: string, name: string, role: string): string {
  const suffix = stackUniqueSuffix(subscriptionId, name, "vault", role);
  const prefix = `kv${role.charAt(0)}`;
  const middle = slug(name, 24 - prefix.length - suffix.length - 2);
  return middle ? `${prefix}-${middle}-${suffix}` : `${prefix}-${suffix}`;
}

/** A Flexible Server name (3-63 lowercase letters, digits and hyphens) unique to the stack. */
export function serverName(subscriptionId: string, name: string): string {
  const suffix = stackUniqueSuffix(subscriptionId, name, "server");
  return `psql-cmk-${slug(name, 63 - 10 - suffix.length)}-${suffix}`;
}

/**
 * A user-assigned identity name (3-128 letters, digits, hyphens and underscores, starting with a
 * letter or digit) from a resource name, which may hold the periods a stack name allows.
 */
export function identityName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+/, "");
  return (cleaned.length >= 3 ? cleaned : `id-${cleaned}`).slice(0, 128);
}
