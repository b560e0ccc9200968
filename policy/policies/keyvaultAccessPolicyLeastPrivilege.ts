import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { SERVER_KEY_PERMISSIONS } from "../lib/azure";
import { AccessPolicyGrant, accessPolicyGrants, isGrantFor, keyPermissions } from "../lib/grants";
import { StackIndex } from "../lib/stack";
import { objectAt } from "../lib/values";

const PERMISSION_KINDS = ["keys", "secrets", "certificates", "storage"];
const ALLOWED = SERVER_KEY_PERMISSIONS.map((p) => p.toLowerCase());

export const keyvaultAccessPolicyLeastPrivilege: StackValidationPolicy = {
  name: "keyvault-access-policy-least-privilege",
  description:
    "Checks that server identities get no access beyond the four key permissions they need, and that no access policy grants purge or all.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);
    const serverIdentities = new Set<PolicyResource>();
    for (const server of stack.ofKind("server")) {
      for (const assignment of stack.encryption(server).assignments) {
        for (const identity of [
          assignment.primaryIdentity?.identity,
          assignment.geoIdentity?.identity,
        ]) {
          if (identity) {
            serverIdentities.add(identity);
          }
        }
      }
    }

    for (const vault of stack.ofKind("vault")) {
      for (const grant of accessPolicyGrants(stack, vault)) {
        const identity = [...serverIdentities].find((candidate) =>
          isGrantFor(stack, grant, candidate),
        );
        for (const message of grantProblems(grant, identity)) {
          reportViolation(message, grant.resource.urn);
        }
      }
    }
  },
};

function grantProblems(
  grant: AccessPolicyGrant,
  serverIdentity: PolicyResource | undefined,
): string[] {
  const permissions = objectAt(grant.entry, "permissions") ?? {};
  const problems: string[] = [];

  const sweeping = PERMISSION_KINDS.flatMap((kind) =>
    (Array.isArray(permissions[kind]) ? [...permissions[kind]] : [])
      .filter((p: unknown) => ["purge", "all"].includes(String(p).toLowerCase()))
      .map((p: unknown) => `${kind}: ${String(p)}`),
  );
  if (sweeping.length > 0) {
    problems.push(
      `The ${grant.description} must not grant purge or all (${sweeping.join(", ")}): list the operations needed instead.`,
    );
  }

  if (serverIdentity) {
    const extraKeys = keyPermissions(grant.entry).filter(
      (p) => !ALLOWED.includes(p) && p !== "purge" && p !== "all",
    );
    const otherKinds = PERMISSION_KINDS.slice(1).filter(
      (kind) => Array.isArray(permissions[kind]) && permissions[kind].length > 0,
    );
    const extras = [
      ...extraKeys.map((p) => `keys: ${p}`),
      ...otherKinds.map((kind) => `${kind}: ${[...permissions[kind]].join(", ")}`),
    ];
    if (extras.length > 0) {
      problems.push(
        `The ${grant.description} for server identity "${serverIdentity.name}" must grant only key permissions ${SERVER_KEY_PERMISSIONS.join(", ")}; remove ${extras.join("; ")}.`,
      );
    }
  }
  return problems;
}
