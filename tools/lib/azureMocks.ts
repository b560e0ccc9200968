import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

import { UNKNOWN } from "./deployment";

/** The subscription and tenant the mocks pretend to deploy into. */
export const MOCK_CLIENT = {
  subscriptionId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  objectId: "3b5a4f1e-2c6d-4e7f-9a8b-1c2d3e4f5a6b",
};

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** A GUID derived from `seed`, the same on every run. */
export function guid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface Computed {
  id: string;
  /** Outputs Azure computes; unknown during a preview of a create. */
  outputs: Record<string, unknown>;
}

type Inputs = Record<string, any>;

function groupId(inputs: Inputs): string {
  return `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/${inputs.resourceGroupName}`;
}

function provider(inputs: Inputs, namespace: string): string {
  return `${groupId(inputs)}/providers/${namespace}`;
}

/** What Azure would return for each resource type the program creates, keyed by type token. */
const AZURE: Record<string, (name: string, inputs: Inputs) => Computed> = {
  "azure-native:resources:ResourceGroup": (_name, inputs) => ({
    id: groupId(inputs),
    outputs: { name: inputs.resourceGroupName },
  }),
  "azure-native:managedidentity:UserAssignedIdentity": (name, inputs) => ({
    id: `${provider(inputs, "Microsoft.ManagedIdentity")}/userAssignedIdentities/${inputs.resourceName}`,
    outputs: {
      name: inputs.resourceName,
      principalId: guid(`${name}/principal`),
      clientId: guid(`${name}/client`),
      tenantId: MOCK_CLIENT.tenantId,
    },
  }),
  "azure-native:keyvault:Vault": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.KeyVault")}/vaults/${inputs.vaultName}`,
    outputs: {
      name: inputs.vaultName,
      properties: {
        ...inputs.properties,
        vaultUri: `https://${inputs.vaultName}.vault.azure.net/`,
      },
    },
  }),
  "azure-native:keyvault:Key": (name, inputs) => {
    const uri = `https://${inputs.vaultName}.vault.azure.net/keys/${inputs.keyName}`;
    return {
      id: `${provider(inputs, "Microsoft.KeyVault")}/vaults/${inputs.vaultName}/keys/${inputs.keyName}`,
      outputs: {
        name: inputs.keyName,
        keyUri: uri,
        keyUriWithVersion: `${uri}/${hex(`${name}/version`, 32)}`,
        kty: inputs.properties?.kty,
        keySize: inputs.properties?.keySize,
        keyOps: inputs.properties?.keyOps,
        attributes: inputs.properties?.attributes,
        rotationPolicy: inputs.properties?.rotationPolicy,
      },
    };
  },
  "azure-native:keyvault:AccessPolicy": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.KeyVault")}/vaults/${inputs.vaultName}/accessPolicies/${inputs.policy?.objectId}`,
    outputs: {},
  }),
  "azure-native:authorization:RoleAssignment": (name, inputs) => {
    const assignment = guid(`${name}/assignment`);
    return {
      id: `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment}`,
      outputs: { name: assignment },
    };
  },
  "azure-native:dbforpostgresql:Server": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.DBforPostgreSQL")}/flexibleServers/${inputs.serverName}`,
    outputs: {
      name: inputs.serverName,
      fullyQualifiedDomainName: `${inputs.serverName}.postgres.database.azure.com`,
      state: "Ready",
      dataEncryption: {
        ...inputs.dataEncryption,
        primaryEncryptionKeyStatus: "Valid",
        ...(inputs.dataEncryption?.geoBackupKeyURI
          ? { geoBackupEncryptionKeyStatus: "Valid" }
          : {}),
      },
    },
  }),
  "azure-native:dbforpostgresql:Configuration": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.DBforPostgreSQL")}/flexibleServers/${inputs.serverName}/configurations/${inputs.configurationName}`,
    outputs: { name: inputs.configurationName },
  }),
  "azure-native:dbforpostgresql:FirewallRule": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.DBforPostgreSQL")}/flexibleServers/${inputs.serverName}/firewallRules/${inputs.firewallRuleName}`,
    outputs: { name: inputs.firewallRuleName },
  }),
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": (_name, inputs) => ({
    id: `${provider(inputs, "Microsoft.DBforPostgreSQL")}/flexibleServers/${inputs.serverName}/administrators/${inputs.objectId}`,
    outputs: { name: inputs.objectId },
  }),
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({
    id: "none",
    outputs: {
      result: `Mock-${hex(`${name}/password`, Math.max(8, (inputs.length ?? 32) - 7))}-#1`,
    },
  }),
};

/**
 * The state a first preview shows for a create: azure-native carries every input into the output
 * of the same name, nested ones too, so only values Azure alone computes are unknown.
 */
function previewState(inputs: Inputs, computed: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = { ...inputs };
  for (const [key, value] of Object.entries(computed)) {
    const given = inputs[key];
    const nested = typeof value === "object" && value !== null && !Array.isArray(value);
    if (given === undefined) {
      state[key] = UNKNOWN;
    } else if (nested && typeof given === "object" && given !== null && !Array.isArray(given)) {
      state[key] = previewState(given, value as Record<string, unknown>);
    } else {
      state[key] = given;
    }
  }
  return state;
}

/** Resource types the mocks know how to answer for. */
export const MOCKED_TYPES = Object.keys(AZURE);

/**
 * Pulumi mocks that answer like Azure: ARM resource IDs, vault URIs, versioned key URIs and GUID
 * principal IDs, all derived from the resource's name so that two runs agree.
 *
 * They are strict: a resource type or invoke they do not know fails the run instead of returning
 * an empty answer that a test would read as success. With `preview`, Azure's computed outputs
 * are unknown, as they are on a first `pulumi preview`.
 */
export class AzureMocks implements pulumi.runtime.Mocks {
  constructor(private readonly preview = false) {}

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    if (!args.custom) {
      return { id: undefined, state: args.inputs };
    }
    const answer = AZURE[args.type];
    if (!answer) {
      throw new Error(
        `the Azure mocks know no resource type ${args.type}; add it to tools/lib/azureMocks.ts`,
      );
    }
    const computed = answer(args.name, args.inputs);
    if (this.preview) {
      return { id: undefined, state: previewState(args.inputs, computed.outputs) };
    }
    return { id: computed.id, state: { ...args.inputs, ...computed.outputs } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    if (args.token === "azure-native:authorization:getClientConfig") {
      return { ...MOCK_CLIENT };
    }
    throw new Error(
      `the Azure mocks know no invoke ${args.token}; add it to tools/lib/azureMocks.ts`,
    );
  }
}
