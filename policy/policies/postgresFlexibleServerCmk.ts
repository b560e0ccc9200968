import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { StackIndex, label } from "../lib/stack";
import { isSet, isUnknown, knownString, sameArmId, show } from "../lib/values";

const USER_ASSIGNED_TYPES = ["UserAssigned", "SystemAssigned,UserAssigned"];

export const postgresFlexibleServerCmk: StackValidationPolicy = {
  name: "postgres-flexible-server-cmk",
  description:
    "Checks that every Flexible Server encrypts its data with a key from Azure Key Vault through a user-assigned identity that the server lists.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);

    for (const server of stack.ofKind("server")) {
      for (const message of serverProblems(stack, server)) {
        reportViolation(`Server ${label(server)} ${message}`, server.urn);
      }
    }
  },
};

function serverProblems(stack: StackIndex, server: PolicyResource): string[] {
  const encryption = server.props.dataEncryption;
  if (encryption?.type !== "AzureKeyVault") {
    return [
      `must set dataEncryption.type to "AzureKeyVault" (got ${show(encryption?.type)}); customer-managed keys can only be chosen when a server is created, so restore into a new server that has them.`,
    ];
  }

  // A value still unknown during a preview will be set; only an absent one is a problem.
  const problems: string[] = [];
  if (!isSet(encryption, "primaryKeyURI")) {
    problems.push(
      "must set dataEncryption.primaryKeyURI to the URI of its key, preferably without a version.",
    );
  }
  if (!isSet(encryption, "primaryUserAssignedIdentityId")) {
    problems.push(
      "must set dataEncryption.primaryUserAssignedIdentityId to the ARM ID of a user-assigned identity that can use the key.",
    );
  }

  const identity = server.props.identity;
  if (!USER_ASSIGNED_TYPES.includes(identity?.type)) {
    problems.push(
      `must set identity.type to "UserAssigned" (got ${show(identity?.type)}); the system-assigned identity cannot serve data encryption.`,
    );
    return problems;
  }
  problems.push(...unlistedIdentities(stack, server));
  return problems;
}

/** Encryption identities missing from `identity.userAssignedIdentities`. */
function unlistedIdentities(stack: StackIndex, server: PolicyResource): string[] {
  const encryption = server.props.dataEncryption;
  const identity = server.props.identity;
  const ids = ["primaryUserAssignedIdentityId", "geoBackupUserAssignedIdentityId"];
  const allKnown =
    !isUnknown(identity, "userAssignedIdentities") &&
    ids.every((property) => !isUnknown(encryption, property));

  if (allKnown) {
    const listed = Object.keys(identity.userAssignedIdentities ?? {});
    return ids
      .map((property) => ({ property, id: knownString(encryption, property) }))
      .filter(({ id }) => id !== undefined && !listed.some((entry) => sameArmId(entry, id)))
      .map(
        ({ property, id }) =>
          `must list its ${property === ids[0] ? "primary" : "geo-backup"} encryption identity ${show(id)} under identity.userAssignedIdentities.`,
      );
  }

  // During a first preview the IDs are unknown; what they were computed from is not.
  const listed = stack.linked(server, "identity", "identity");
  return stack
    .linked(server, "dataEncryption", "identity")
    .filter((used) => !listed.includes(used))
    .map(
      (used) =>
        `must list encryption identity ${label(used)} under identity.userAssignedIdentities.`,
    );
}
