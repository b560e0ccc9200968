import { StackValidationPolicy } from "@pulumi/policy";

import { geoBackupRegion, normalizeRegion } from "../lib/regions";
import { Assignment, StackIndex, label, problemsOfBestReading } from "../lib/stack";

interface Problem {
  readonly urn: string;
  readonly message: string;
}

export const cmkKeyVaultSameRegion: StackValidationPolicy = {
  name: "cmk-key-vault-same-region",
  description:
    "Checks that the vault holding a server's primary key is in the server's region and the vault holding its geo-backup key is in the paired region.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);

    for (const server of stack.ofKind("server")) {
      const location = normalizeRegion(String(server.props.location ?? ""));
      const encryption = stack.encryption(server);

      const check = (assignment: Assignment): Problem[] => {
        const problems: Problem[] = [];
        const primaryVault = assignment.primaryKey?.vault;
        if (primaryVault) {
          const vaultLocation = normalizeRegion(String(primaryVault.props.location ?? ""));
          if (vaultLocation !== location) {
            problems.push({
              urn: primaryVault.urn,
              message: `Key vault ${label(primaryVault)} holds the primary key of server ${label(server)} and must be in the server's region, ${location} (it is in ${vaultLocation || "no region"}): create the vault and key in ${location}.`,
            });
          }
        }
        const geoVault = assignment.geoKey?.vault;
        const pair = geoBackupRegion(location);
        // Limitation: a region the pack's table does not know has no known pair; it is not judged.
        if (geoVault && pair !== undefined) {
          const vaultLocation = normalizeRegion(String(geoVault.props.location ?? ""));
          if (pair === null) {
            problems.push({
              urn: server.urn,
              message: `Server ${label(server)} is in ${location}, which has no paired region, and must not use geo-redundant backup: set backup.geoRedundantBackup to "Disabled" and remove the geo-backup key.`,
            });
          } else if (vaultLocation !== pair) {
            problems.push({
              urn: geoVault.urn,
              message: `Key vault ${label(geoVault)} holds the geo-backup key of server ${label(server)} and must be in ${pair}, the paired region of ${location} (it is in ${vaultLocation || "no region"}): create the vault and key in ${pair}.`,
            });
          }
        }
        return problems;
      };

      for (const problem of problemsOfBestReading(encryption.assignments, check)) {
        reportViolation(problem.message, problem.urn);
      }
    }
  },
};
