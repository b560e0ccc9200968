import { PolicyPack } from "@pulumi/policy";

import { PACK_NAME, policies } from "./policies";

// Building the pack starts the analyzer server the Pulumi CLI talks to, so it happens here only;
// tests and tools import the policies from ./policies.
new PolicyPack(PACK_NAME, {
  policies,
  description: "Azure's customer-managed-key prerequisites for PostgreSQL Flexible Server.",
  provider: "azure",
  tags: ["azure", "postgresql", "encryption", "customer-managed-key"],
});
