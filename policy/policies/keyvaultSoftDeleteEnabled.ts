import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";

import { isKind } from "../lib/azure";
import { configWithDefaults } from "../lib/config";
import { objectAt, show } from "../lib/values";

/** Azure's retention when `softDeleteRetentionInDays` is not set. */
const AZURE_DEFAULT_RETENTION_DAYS = 90;

const configSchema: PolicyConfigSchema = {
  properties: {
    minimumRetentionDays: {
      type: "integer",
      minimum: 7,
      maximum: 90,
      default: 90,
      description: "Fewest days a deleted vault must stay recoverable. Defaults to 90.",
    },
  },
};

export const keyvaultSoftDeleteEnabled: ResourceValidationPolicy = {
  name: "keyvault-soft-delete-enabled",
  description:
    "Checks that every key vault turns soft delete on explicitly and keeps deleted vaults for at least the configured number of days.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, reportViolation) => {
    if (!isKind(args.type, "vault")) {
      return;
    }
    const { minimumRetentionDays } = configWithDefaults<{ minimumRetentionDays: number }>(
      args,
      configSchema,
    );
    const properties = objectAt(args.props, "properties") ?? {};

    if (properties.enableSoftDelete !== true) {
      reportViolation(
        `Key vault "${args.name}" must set properties.enableSoftDelete to true (got ${show(properties.enableSoftDelete)}): Azure refuses customer-managed keys from a vault without soft delete.`,
      );
    }

    const retention = properties.softDeleteRetentionInDays ?? AZURE_DEFAULT_RETENTION_DAYS;
    if (typeof retention !== "number" || retention < minimumRetentionDays) {
      reportViolation(
        `Key vault "${args.name}" must set properties.softDeleteRetentionInDays to at least ${minimumRetentionDays} (got ${show(retention)}); retention is fixed when the vault is created, so a new vault is needed.`,
      );
    }
  },
};
