import { describe, expect, it } from "vitest";

import { IDS, UNKNOWN, URNS, change, goodStack, violationsOf } from "./stack";

describe("postgres-flexible-server-cmk", () => {
  const policy = "postgres-flexible-server-cmk";

  it("passes a server encrypted through listed user-assigned identities", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails a server with service-managed encryption", () => {
    const stack = change(
      goodStack(),
      URNS.server,
      (r) => (r.outputs.dataEncryption = { type: "SystemManaged" }),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.server,
        message:
          'Server "db" must set dataEncryption.type to "AzureKeyVault" (got "SystemManaged"); customer-managed keys can only be chosen when a server is created, so restore into a new server that has them.',
      },
    ]);
  });

  it("fails a server without a primary key URI", () => {
    const stack = change(
      goodStack(),
      URNS.server,
      (r) => delete r.outputs.dataEncryption.primaryKeyURI,
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Server "db" must set dataEncryption.primaryKeyURI to the URI of its key, preferably without a version.',
    ]);
  });

  it("fails a server with a system-assigned identity", () => {
    const stack = change(
      goodStack(),
      URNS.server,
      (r) => (r.outputs.identity = { type: "SystemAssigned" }),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Server "db" must set identity.type to "UserAssigned" (got "SystemAssigned"); the system-assigned identity cannot serve data encryption.',
    ]);
  });

  it("compares identity IDs without case, and fails one that is not listed", () => {
    const lowered = change(goodStack(), URNS.server, (r) => {
      r.outputs.identity.userAssignedIdentities = {
        [IDS.primaryIdentity.replace("resourceGroups", "resourcegroups")]: {},
        [IDS.geoIdentity]: {},
      };
    });
    expect(violationsOf(policy, lowered)).toEqual([]);
    const missing = change(goodStack(), URNS.server, (r) => {
      r.outputs.identity.userAssignedIdentities = { [IDS.primaryIdentity]: {} };
    });
    expect(violationsOf(policy, missing).map((v) => v.message)).toEqual([
      `Server "db" must list its geo-backup encryption identity "${IDS.geoIdentity}" under identity.userAssignedIdentities.`,
    ]);
  });

  it("checks the listing through dependencies on a first preview", () => {
    const stack = change(goodStack(), URNS.server, (r) => {
      Object.assign(r.outputs.dataEncryption, {
        primaryKeyURI: UNKNOWN,
        primaryUserAssignedIdentityId: UNKNOWN,
        geoBackupUserAssignedIdentityId: UNKNOWN,
      });
      r.outputs.identity.userAssignedIdentities = UNKNOWN;
      r.propertyDependencies = { ...r.propertyDependencies, identity: [URNS.primaryIdentity] };
    });
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Server "db" must list encryption identity "db-geo-identity" under identity.userAssignedIdentities.',
    ]);
  });
});

describe("postgres-geo-backup-cmk", () => {
  const policy = "postgres-geo-backup-cmk";

  it("passes geo-redundant backup with its own key, vault and identity", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails geo-redundant backup without a geo key", () => {
    const stack = change(
      goodStack(),
      URNS.server,
      (r) => delete r.outputs.dataEncryption.geoBackupKeyURI,
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.server,
        message:
          'Server "db" has geo-redundant backup enabled and must set dataEncryption.geoBackupKeyURI to a key in a vault in the paired region.',
      },
    ]);
  });

  it("fails a geo identity that is the primary one", () => {
    const stack = change(goodStack(), URNS.server, (r) => {
      r.outputs.dataEncryption.geoBackupUserAssignedIdentityId = IDS.primaryIdentity.toLowerCase();
    });
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `Server "db" must use a geo-backup identity (dataEncryption.geoBackupUserAssignedIdentityId) other than its primary identity "${IDS.primaryIdentity}".`,
    ]);
  });

  it("fails a geo key in the primary key's vault", () => {
    const stack = change(goodStack(), URNS.server, (r) => {
      r.outputs.dataEncryption.geoBackupKeyURI =
        "https://kv-db-primary.vault.azure.net/keys/db-geo-key";
    });
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Server "db" must keep its geo-backup key in a vault other than its primary key\'s vault "kv-db-primary", a vault in the paired region.',
    ]);
  });

  it("fails a geo key on a server without geo-redundant backup", () => {
    const stack = change(
      goodStack(),
      URNS.server,
      (r) => (r.outputs.backup.geoRedundantBackup = "Disabled"),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `Server "db" has geo-redundant backup disabled and must not set dataEncryption.geoBackupKeyURI (got "${IDS.geoKeyUri}"): remove it, or set backup.geoRedundantBackup to "Enabled" when creating the server.`,
      `Server "db" has geo-redundant backup disabled and must not set dataEncryption.geoBackupUserAssignedIdentityId (got "${IDS.geoIdentity}"): remove it, or set backup.geoRedundantBackup to "Enabled" when creating the server.`,
    ]);
  });
});

describe("postgres-secure-transport", () => {
  const policy = "postgres-secure-transport";

  it("passes TLS 1.2 as the minimum", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails a minimum below TLS 1.2", () => {
    const stack = change(goodStack(), URNS.tls, (r) => (r.inputs.value = "TLSv1.1"));
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "advisory",
        urn: URNS.tls,
        message:
          'Server configuration "db-tls" must set ssl_min_protocol_version to "TLSv1.2" or "TLSv1.3" (got "TLSv1.1").',
      },
    ]);
  });

  it("fails require_secure_transport off", () => {
    const stack = change(goodStack(), URNS.tls, (r) => {
      r.inputs.configurationName = "require_secure_transport";
      r.inputs.value = "OFF";
    });
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Server configuration "db-tls" must not turn require_secure_transport off (got "OFF"): set value to "on" so that every client connection uses TLS.',
    ]);
  });
});
