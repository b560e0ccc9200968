import { describe, expect, it } from "vitest";

import { DeploymentResource } from "../../tools/lib/deployment";
import { IDS, UNKNOWN, URNS, change, goodStack, urn, violationsOf, without } from "./stack";

/** The stack as a first preview sees it: key URIs, identity IDs and principals unknown. */
function firstPreview(stack: DeploymentResource[]): DeploymentResource[] {
  for (const r of stack) {
    const outputs = r.outputs as Record<string, any>;
    if (r.type === "azure-native:keyvault:Key") {
      Object.assign(outputs, { keyUri: UNKNOWN, keyUriWithVersion: UNKNOWN, name: UNKNOWN });
    }
    if (r.type === "azure-native:managedidentity:UserAssignedIdentity") {
      Object.assign(outputs, { principalId: UNKNOWN, clientId: UNKNOWN });
    }
    if (r.type === "azure-native:keyvault:AccessPolicy") {
      outputs.policy.objectId = UNKNOWN;
    }
    if (r.type === "azure-native:dbforpostgresql:Server") {
      Object.assign(outputs.dataEncryption, {
        primaryKeyURI: UNKNOWN,
        primaryUserAssignedIdentityId: UNKNOWN,
        geoBackupKeyURI: UNKNOWN,
        geoBackupUserAssignedIdentityId: UNKNOWN,
      });
      outputs.identity.userAssignedIdentities = UNKNOWN;
    }
  }
  return stack;
}

const movedPrimary =
  'Key vault "db-vault" holds the primary key of server "db" and must be in the server\'s region, westeurope (it is in eastus): create the vault and key in westeurope.';

describe("cmk-key-vault-same-region", () => {
  const policy = "cmk-key-vault-same-region";

  it("passes vaults in the server's region and its pair, with region names written either way", () => {
    const stack = change(goodStack(), URNS.geoVault, (r) => (r.outputs.location = "North Europe"));
    expect(violationsOf(policy, stack)).toEqual([]);
  });

  it("fails a primary vault in another region", () => {
    const stack = change(goodStack(), URNS.primaryVault, (r) => (r.outputs.location = "eastus"));
    expect(violationsOf(policy, stack)).toEqual([
      { policy, enforcementLevel: "mandatory", urn: URNS.primaryVault, message: movedPrimary },
    ]);
  });

  it("fails a geo-backup vault outside the paired region", () => {
    const stack = change(goodStack(), URNS.geoVault, (r) => (r.outputs.location = "westeurope"));
    expect(violationsOf(policy, stack).map((v) => [v.urn, v.message])).toEqual([
      [
        URNS.geoVault,
        'Key vault "db-geo-vault" holds the geo-backup key of server "db" and must be in northeurope, the paired region of westeurope (it is in westeurope): create the vault and key in northeurope.',
      ],
    ]);
  });

  it("follows a versioned key URI to its vault", () => {
    const stack = change(goodStack(), URNS.server, (r) => {
      r.outputs.dataEncryption.primaryKeyURI = `${IDS.primaryKeyUri}/0123456789abcdef0123456789abcdef`;
    });
    change(stack, URNS.primaryVault, (r) => (r.outputs.location = "eastus"));
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([movedPrimary]);
  });

  it("finds the vault of a key referenced only by URI, with no key resource in the stack", () => {
    const stack = change(
      without(without(goodStack(), URNS.primaryKey), URNS.geoKey),
      URNS.primaryVault,
      (r) => {
        r.outputs.location = "eastus";
      },
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([movedPrimary]);
  });

  it("reaches a verdict on a first preview by following dependencies and locations", () => {
    expect(violationsOf(policy, firstPreview(goodStack()))).toEqual([]);
    const moved = change(
      firstPreview(goodStack()),
      URNS.primaryVault,
      (r) => (r.outputs.location = "eastus"),
    );
    expect(violationsOf(policy, moved).map((v) => v.message)).toEqual([movedPrimary]);
  });
});

describe("cmk-key-type-and-size", () => {
  const policy = "cmk-key-type-and-size";
  const subject = 'Key "db-key" (used by server "db")';
  const inYears = (years: number) => Math.floor(Date.now() / 1000) + years * 365 * 24 * 3600;

  it("passes RSA 3072 keys that wrap and unwrap", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("fails a key of another type", () => {
    const stack = change(goodStack(), URNS.primaryKey, (r) => (r.outputs.kty = "EC"));
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.primaryKey,
        message: `${subject} must have kty "RSA" or "RSA-HSM" (got "EC"); Azure Database for PostgreSQL accepts only RSA keys.`,
      },
    ]);
  });

  it("fails a key below the configured minimum size", () => {
    const stack = change(goodStack(), URNS.geoKey, (r) => (r.outputs.keySize = 2048));
    expect(violationsOf(policy, stack)).toEqual([]);
    const messages = violationsOf(policy, stack, { [policy]: { minimumKeySize: 3072 } }).map(
      (v) => v.message,
    );
    expect(messages).toEqual([
      'Key "db-geo-key" (used by server "db") must have keySize 3072, 4096 (got 2048); a key\'s size is fixed, so create a new key.',
    ]);
  });

  it("fails a key whose operations leave out unwrapKey", () => {
    const stack = change(
      goodStack(),
      URNS.primaryKey,
      (r) => (r.outputs.keyOps = ["wrapKey", "sign"]),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${subject} must list unwrapKey in keyOps (got ["wrapKey","sign"]); the server wraps its data key with them.`,
    ]);
  });

  it("fails a disabled key", () => {
    const stack = change(
      goodStack(),
      URNS.primaryKey,
      (r) => (r.outputs.attributes = { enabled: false }),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${subject} must be enabled: set attributes.enabled to true; a disabled key makes the server inaccessible.`,
    ]);
  });

  it("fails a key that expires within the window, and not one that expires later", () => {
    const soon = Math.floor(Date.now() / 1000) + 10 * 24 * 3600;
    const stack = change(
      goodStack(),
      URNS.primaryKey,
      (r) => (r.outputs.attributes = { enabled: true, expires: soon }),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${subject} must not expire within 30 days (attributes.expires is ${new Date(soon * 1000).toISOString()}): set a later expiry or rotate to a new version first.`,
    ]);
    const later = change(
      goodStack(),
      URNS.primaryKey,
      (r) => (r.outputs.attributes = { expires: inYears(1) }),
    );
    expect(violationsOf(policy, later)).toEqual([]);
  });

  it("fails a key that is not active yet", () => {
    const from = inYears(1);
    const stack = change(
      goodStack(),
      URNS.primaryKey,
      (r) => (r.outputs.attributes = { notBefore: from }),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${subject} must already be active (attributes.notBefore is ${new Date(from * 1000).toISOString()}, in the future): remove notBefore or set it in the past.`,
    ]);
  });

  it("reads the key's inputs on a first preview, where its flat outputs are unknown", () => {
    const stack = change(firstPreview(goodStack()), URNS.primaryKey, (r) => {
      r.outputs = {
        ...r.outputs,
        kty: UNKNOWN,
        keySize: UNKNOWN,
        properties: { ...r.inputs.properties, keySize: 1024 },
      };
    });
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      'Key "db-key" (used by server "db") must have keySize 2048, 3072, 4096 (got 1024); a key\'s size is fixed, so create a new key.',
    ]);
  });

  it("reports a key it cannot read during a preview as the SDK does, not as a pass", () => {
    const stack = change(goodStack(), URNS.primaryKey, (r) => (r.outputs.kty = UNKNOWN));
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "advisory",
        urn: "",
        message:
          "can't run policy 'cmk-key-type-and-size' from policy pack 'postgres-cmk@v0.1.0' during preview: string value at .kty can't be known during preview",
      },
    ]);
  });
});

describe("cmk-identity-can-use-key", () => {
  const policy = "cmk-identity-can-use-key";
  const primary =
    'Identity "db-identity", the primary identity of server "db", must be able to use key "db-key" in key vault "db-vault"';
  const role = '"Key Vault Crypto Service Encryption User" (e147488a-f6f5-4113-8e2d-b22465e65bf6)';
  const roleAssignment = (scope: string, scopeUrn: string): DeploymentResource => ({
    urn: urn("azure-native:authorization:RoleAssignment", "db-crypto-user"),
    custom: true,
    type: "azure-native:authorization:RoleAssignment",
    inputs: {},
    outputs: {
      principalId: IDS.primaryPrincipal,
      principalType: "ServicePrincipal",
      roleDefinitionId:
        "/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6",
      scope,
    },
    dependencies: [URNS.primaryIdentity, scopeUrn],
    propertyDependencies: { principalId: [URNS.primaryIdentity], scope: [scopeUrn] },
  });
  const vaultScope =
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-db/providers/Microsoft.KeyVault/vaults/kv-db-primary";
  const rbac = (stack: DeploymentResource[]) =>
    change(without(stack, URNS.primaryGrant), URNS.primaryVault, (r) => {
      r.outputs.properties.enableRbacAuthorization = true;
    });

  it("passes identities with standalone access policies", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it("passes an identity with an inline access policy", () => {
    const stack = change(without(goodStack(), URNS.primaryGrant), URNS.primaryVault, (r) => {
      r.outputs.properties.accessPolicies = [
        {
          objectId: IDS.primaryPrincipal,
          tenantId: "t",
          permissions: { keys: ["Get", "List", "WrapKey", "UnwrapKey"] },
        },
      ];
    });
    expect(violationsOf(policy, stack)).toEqual([]);
  });

  it("fails an access policy that lacks a permission", () => {
    const stack = change(
      goodStack(),
      URNS.primaryGrant,
      (r) => (r.outputs.policy.permissions.keys = ["get", "list", "wrapKey"]),
    );
    expect(violationsOf(policy, stack)).toEqual([
      {
        policy,
        enforcementLevel: "mandatory",
        urn: URNS.primaryGrant,
        message: `${primary}: add key permissions unwrapKey to its access policy "db-grant" (it needs get, list, wrapKey, unwrapKey).`,
      },
    ]);
  });

  it("fails an identity with no grant", () => {
    expect(
      violationsOf(policy, without(goodStack(), URNS.primaryGrant)).map((v) => [v.urn, v.message]),
    ).toEqual([
      [
        URNS.primaryIdentity,
        `${primary}: Add an access policy for its principal with key permissions get, list, wrapKey, unwrapKey.`,
      ],
    ]);
  });

  it("passes the crypto role at vault scope, or at key scope, on an RBAC vault", () => {
    expect(
      violationsOf(policy, [...rbac(goodStack()), roleAssignment(vaultScope, URNS.primaryVault)]),
    ).toEqual([]);
    const keyScope = `${vaultScope}/keys/db-key`;
    expect(
      violationsOf(policy, [...rbac(goodStack()), roleAssignment(keyScope, URNS.primaryKey)]),
    ).toEqual([]);
  });

  it("fails an RBAC vault whose identity has only an access policy, saying the vault ignores it", () => {
    const stack = change(
      goodStack(),
      URNS.primaryVault,
      (r) => (r.outputs.properties.enableRbacAuthorization = true),
    );
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${primary}: It has access policy "db-grant", but the vault uses Azure RBAC (enableRbacAuthorization: true) and ignores access policies. Assign it the role ${role} at the scope of the vault or the key.`,
    ]);
  });

  it("fails an access-policy vault whose identity has only the role, saying the vault ignores it", () => {
    const stack = [
      ...without(goodStack(), URNS.primaryGrant),
      roleAssignment(vaultScope, URNS.primaryVault),
    ];
    expect(violationsOf(policy, stack).map((v) => v.message)).toEqual([
      `${primary}: It has the role ${role} ("db-crypto-user"), but the vault uses access policies (enableRbacAuthorization is not true) and ignores Azure RBAC for keys. Add an access policy for its principal with key permissions get, list, wrapKey, unwrapKey.`,
    ]);
  });

  it("reaches a verdict on a first preview by following dependencies", () => {
    expect(violationsOf(policy, firstPreview(goodStack()))).toEqual([]);
    const stack = firstPreview(without(goodStack(), URNS.geoGrant));
    expect(violationsOf(policy, stack).map((v) => v.urn)).toEqual([URNS.geoIdentity]);
  });
});

describe("cmk-resources-protected", () => {
  const policy = "cmk-resources-protected";

  it("passes protected vaults, keys and servers", () => {
    expect(violationsOf(policy, goodStack())).toEqual([]);
  });

  it.each([
    [
      URNS.primaryVault,
      'Key vault "db-vault" must be protected: set the resource option protect: true; deleting it makes every server using its keys inaccessible.',
    ],
    [
      URNS.geoKey,
      'Key "db-geo-key" must be protected: set the resource option protect: true; deleting it makes its server and the backups it protects unreadable.',
    ],
    [
      URNS.server,
      'Server "db" must be protected: set the resource option protect: true; it holds the data.',
    ],
  ])("fails %s unprotected", (target, message) => {
    const stack = change(goodStack(), target, (r) => delete r.protect);
    expect(violationsOf(policy, stack)).toEqual([
      { policy, enforcementLevel: "advisory", urn: target, message },
    ]);
  });
});
