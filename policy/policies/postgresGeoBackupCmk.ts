import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { parseKeyUri } from "../lib/azure";
import { Assignment, StackIndex, label, problemsOfBestReading } from "../lib/stack";
import { isSet, knownString, sameArmId, sameName, show } from "../lib/values";

export const postgresGeoBackupCmk: StackValidationPolicy = {
  name: "postgres-geo-backup-cmk",
  description:
    "Checks that a server with geo-redundant backup has its own geo-backup key, in another vault, and its own geo-backup identity, and that a server without it sets neither.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);

    for (const server of stack.ofKind("server")) {
      for (const message of geoProblems(stack, server)) {
        reportViolation(`Server ${label(server)} ${message}`, server.urn);
      }
    }
  },
};

function geoProblems(stack: StackIndex, server: PolicyResource): string[] {
  const geoEnabled = server.props.backup?.geoRedundantBackup === "Enabled";
  const encryption = server.props.dataEncryption ?? {};

  if (!geoEnabled) {
    return ["geoBackupKeyURI", "geoBackupUserAssignedIdentityId"]
      .filter((property) => isSet(encryption, property))
      .map(
        (property) =>
          `has geo-redundant backup disabled and must not set dataEncryption.${property} (got ${show(encryption[property])}): remove it, or set backup.geoRedundantBackup to "Enabled" when creating the server.`,
      );
  }

  const problems: string[] = [];
  if (!isSet(encryption, "geoBackupKeyURI")) {
    problems.push(
      "has geo-redundant backup enabled and must set dataEncryption.geoBackupKeyURI to a key in a vault in the paired region.",
    );
  }
  if (!isSet(encryption, "geoBackupUserAssignedIdentityId")) {
    problems.push(
      "has geo-redundant backup enabled and must set dataEncryption.geoBackupUserAssignedIdentityId to a user-assigned identity other than the primary one.",
    );
  }
  if (problems.length > 0) {
    return problems;
  }

  const check = (assignment: Assignment): string[] => {
    const found: string[] = [];
    const primaryId = knownString(encryption, "primaryUserAssignedIdentityId");
    const geoId = knownString(encryption, "geoBackupUserAssignedIdentityId");
    const primaryIdentity = assignment.primaryIdentity?.identity;
    const sameIdentity =
      primaryId && geoId
        ? sameArmId(primaryId, geoId)
        : primaryIdentity !== undefined && primaryIdentity === assignment.geoIdentity?.identity;
    if (sameIdentity) {
      found.push(
        `must use a geo-backup identity (dataEncryption.geoBackupUserAssignedIdentityId) other than its primary identity ${show(primaryId ?? primaryIdentity?.name)}.`,
      );
    }

    const primaryUri = knownString(encryption, "primaryKeyURI");
    const geoUri = knownString(encryption, "geoBackupKeyURI");
    const primaryVault = assignment.primaryKey?.vault;
    const geoVault = assignment.geoKey?.vault;
    const sameVault =
      primaryUri && geoUri
        ? sameName(parseKeyUri(primaryUri)?.vaultName, parseKeyUri(geoUri)?.vaultName)
        : primaryVault !== undefined && primaryVault === geoVault;
    if (sameVault) {
      const vaultName = primaryUri ? parseKeyUri(primaryUri)?.vaultName : primaryVault?.name;
      found.push(
        `must keep its geo-backup key in a vault other than its primary key's vault ${show(vaultName)}, a vault in the paired region.`,
      );
    }
    return found;
  };
  return problemsOfBestReading(stack.encryption(server).assignments, check);
}
