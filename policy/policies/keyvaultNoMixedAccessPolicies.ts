import { StackValidationPolicy } from "@pulumi/policy";

import { inlineAccessPolicies, standaloneAccessPolicies } from "../lib/grants";
import { StackIndex, label } from "../lib/stack";
import { knownString, objectAt, sameName } from "../lib/values";

export const keyvaultNoMixedAccessPolicies: StackValidationPolicy = {
  name: "keyvault-no-mixed-access-policies",
  description:
    "Checks that no key vault has inline access policies and standalone AccessPolicy resources at once, since every update of the vault rewrites the list.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);

    for (const vault of stack.ofKind("vault")) {
      const standalone = standaloneAccessPolicies(stack, vault);
      if (standalone.length === 0) {
        continue;
      }
      // Once Azure has applied them, standalone policies show up in the vault's own list; only
      // entries no standalone policy accounts for are inline ones.
      // Limitation: an inline entry for the same principal as a standalone policy is not told apart.
      const standaloneIds = standalone.map((policy) =>
        knownString(objectAt(policy.props, "policy"), "objectId"),
      );
      const inline = inlineAccessPolicies(vault).filter(
        (entry) => !standaloneIds.some((id) => sameName(id, knownString(entry, "objectId"))),
      );
      if (inline.length > 0) {
        reportViolation(
          `Key vault ${label(vault)} must not combine inline properties.accessPolicies (${inline.length} entries) with standalone AccessPolicy resources (${standalone.map(label).join(", ")}): each update of the vault rewrites the list and removes the standalone policies. Move the inline entries to AccessPolicy resources.`,
          vault.urn,
        );
      }
    }
  },
};
