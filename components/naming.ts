import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

import { slug } from "./settings";

/**
 * A short hex string that is the same on every run of one stack and differs between stacks.
 *
 * Azure keeps a deleted vault's name reserved for its soft-delete retention, and purge protection
 * keeps it from being freed earlier, so vault and server names must not repeat across stacks.
 * The suffix is derived, not random, so that it is known during a first preview and never
 * changes.
 */
export function stackUniqueSuffix(...parts: string[]): string {
  const seed = [pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack(), ...parts].join(
    "/",
  );
  return createHash("sha256").update(seed).digest("hex").slice(0, 8);
}

/**
 * A key vault name (3-24 letters, digits and single hyphens, starting with a letter) for the vault
 * of `role` ("primary" or "geo") in the component `name`.
 */
export function keyVaultName(name: string, role: string): string {
  const suffix = stackUniqueSuffix(name, "vault", role);
  const prefix = `kv${role.charAt(0)}`;
  const middle = slug(name, 24 - prefix.length - suffix.length - 2);
  return middle ? `${prefix}-${middle}-${suffix}` : `${prefix}-${suffix}`;
}
