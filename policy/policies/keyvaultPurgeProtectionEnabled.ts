import { ResourceValidationPolicy } from "@pulumi/policy";

import { isKind } from "../lib/azure";
import { objectAt, show } from "../lib/values";

export const keyvaultPurgeProtectionEnabled: ResourceValidationPolicy = {
  name: "keyvault-purge-protection-enabled",
  description:
    "Checks that every key vault has purge protection on, which Azure requires of a vault holding a customer-managed key.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!isKind(args.type, "vault")) {
      return;
    }
    const properties = objectAt(args.props, "properties") ?? {};

    if (properties.enablePurgeProtection !== true) {
      reportViolation(
        `Key vault "${args.name}" must set properties.enablePurgeProtection to true (got ${show(properties.enablePurgeProtection)}); once on, it can never be turned off.`,
      );
    }
  },
};
