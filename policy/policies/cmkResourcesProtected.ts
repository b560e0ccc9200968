import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

import { StackIndex, label } from "../lib/stack";

export const cmkResourcesProtected: StackValidationPolicy = {
  name: "cmk-resources-protected",
  description:
    "Checks that key vaults, the keys servers use and the servers themselves are protected from deletion by Pulumi.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const stack = new StackIndex(args.resources);
    const servers = stack.ofKind("server");
    const keys = new Set<PolicyResource>();
    for (const server of servers) {
      for (const assignment of stack.encryption(server).assignments) {
        for (const key of [assignment.primaryKey?.key, assignment.geoKey?.key]) {
          if (key) {
            keys.add(key);
          }
        }
      }
    }

    const why: [PolicyResource[], string, string][] = [
      [
        stack.ofKind("vault"),
        "Key vault",
        "deleting it makes every server using its keys inaccessible",
      ],
      [[...keys], "Key", "deleting it makes its server and the backups it protects unreadable"],
      [servers, "Server", "it holds the data"],
    ];
    for (const [resources, kind, reason] of why) {
      for (const resource of resources.filter((r) => r.opts.protect !== true)) {
        reportViolation(
          `${kind} ${label(resource)} must be protected: set the resource option protect: true; ${reason}.`,
          resource.urn,
        );
      }
    }
  },
};
