import { ResourceValidationPolicy } from "@pulumi/policy";

import { isKind } from "../lib/azure";
import { objectAt, show } from "../lib/values";

export const keyvaultTrustedServicesBypass: ResourceValidationPolicy = {
  name: "keyvault-trusted-services-bypass",
  description:
    "Checks that a key vault whose firewall denies by default lets trusted Azure services through, so that a server can still reach its key.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!isKind(args.type, "vault")) {
      return;
    }
    const acls = objectAt(objectAt(args.props, "properties"), "networkAcls");
    if (acls === undefined || String(acls.defaultAction).toLowerCase() !== "deny") {
      return;
    }

    if (String(acls.bypass ?? "").toLowerCase() !== "azureservices") {
      reportViolation(
        `Key vault "${args.name}" denies network access by default and must set properties.networkAcls.bypass to "AzureServices" (got ${show(acls.bypass)}); otherwise the database service cannot reach the key.`,
      );
    }
  },
};
