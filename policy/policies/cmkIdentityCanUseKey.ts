import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID, SERVER_KEY_PERMISSIONS } from "../lib/azure";
import {
  accessPolicyGrants,
  cryptoRoleAssignments,
  isGrantFor,
  keyPermissions,
} from "../lib/grants";
import {
  Assignment,
  IdentityTarget,
  KeyTarget,
  StackIndex,
  label,
  problemsOfBestReading,
} from "../lib/stack";

interface Problem {
  readonly urn: string;
  readonly message: string;
}

const ROLE = `"Key Vault Crypto Service Encryption User" (${CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_ID})`;
const PERMISSIONS = SERVER_KEY_PERMISSIONS.join(", ");

export const cmkIdentityCanUseKey: StackValidationPolicy = {
  name: "cmk-identity-can-use-key",
  description:
    "Checks that each identity a server encrypts with has the access its key's vault honours: an access policy with get, list, wrapKey and unwrapKey, or the Key Vault Crypto Service Encryption User role on an RBAC vault.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);

    for (const server of stack.ofKind("server")) {
      const check = (assignment: Assignment): Problem[] => [
        ...bindingProblems(
          stack,
          server,
          "primary",
          assignment.primaryKey,
          assignment.primaryIdentity,
        ),
        ...bindingProblems(stack, server, "geo-backup", assignment.geoKey, assignment.geoIdentity),
      ];
      for (const problem of problemsOfBestReading(stack.encryption(server).assignments, check)) {
        reportViolation(problem.message, problem.urn);
      }
    }
  },
};

function bindingProblems(
  stack: StackIndex,
  server: PolicyResource,
  role: string,
  keyTarget: KeyTarget | undefined,
  identityTarget: IdentityTarget | undefined,
): Problem[] {
  const vault = keyTarget?.vault;
  const identity = identityTarget?.identity;
  // Limitation: a key or identity outside this stack cannot be checked here.
  if (!vault || !identity) {
    return [];
  }
  const key = keyTarget?.key;
  const keyName = key ? label(key) : `"${keyTarget?.uri}"`;
  const subject = `Identity ${label(identity)}, the ${role} identity of server ${label(server)}, must be able to use key ${keyName} in key vault ${label(vault)}`;

  const rbac = vault.props.properties?.enableRbacAuthorization === true;
  const policies = accessPolicyGrants(stack, vault).filter((grant) =>
    isGrantFor(stack, grant, identity),
  );
  const complete = policies.find((grant) => missingPermissions(grant.entry).length === 0);
  const roles = cryptoRoleAssignments(stack, identity, vault, key);

  if (rbac) {
    if (roles.length > 0) {
      return [];
    }
    const ignored =
      policies.length > 0
        ? ` It has ${policies[0].description}, but the vault uses Azure RBAC (enableRbacAuthorization: true) and ignores access policies.`
        : "";
    return [
      {
        urn: identity.urn,
        message: `${subject}:${ignored} Assign it the role ${ROLE} at the scope of the vault or the key.`,
      },
    ];
  }

  if (complete) {
    return [];
  }
  if (policies.length > 0) {
    const missing = missingPermissions(policies[0].entry).join(", ");
    return [
      {
        urn: policies[0].resource.urn,
        message: `${subject}: add key permissions ${missing} to its ${policies[0].description} (it needs ${PERMISSIONS}).`,
      },
    ];
  }
  const ignored =
    roles.length > 0
      ? ` It has the role ${ROLE} (${label(roles[0])}), but the vault uses access policies (enableRbacAuthorization is not true) and ignores Azure RBAC for keys.`
      : "";
  return [
    {
      urn: identity.urn,
      message: `${subject}:${ignored} Add an access policy for its principal with key permissions ${PERMISSIONS}.`,
    },
  ];
}

function missingPermissions(entry: Record<string, any>): string[] {
  const granted = keyPermissions(entry);
  if (granted.includes("all")) {
    return [];
  }
  return SERVER_KEY_PERMISSIONS.filter((p) => !granted.includes(p.toLowerCase()));
}
