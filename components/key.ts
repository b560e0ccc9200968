import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

import { KeyType } from "./settings";

/** Days before a rotated version expires that Key Vault sends its near-expiry event. */
export const EXPIRY_NOTICE_DAYS = 30;

export interface EncryptionKeyArgs {
  /** Resource group of the vault. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Name of the vault that holds the key. */
  readonly vaultName: pulumi.Input<string>;
  /** Key name, 1-127 letters, digits and hyphens. */
  readonly keyName: string;
  /** "RSA" or "RSA-HSM". Defaults to "RSA". */
  readonly keyType?: KeyType;
  /** Size in bits: 2048, 3072 or 4096. Defaults to 3072. */
  readonly keySize?: number;
  /** Days between automatic rotations; 0 leaves rotation to operators. Defaults to 0. */
  readonly rotationDays?: number;
  /** Days after creation that a rotated version expires; needs rotationDays. Defaults to rotationDays + 90. */
  readonly expiryDays?: number;
  /** Protect the key from deletion. Defaults to true. */
  readonly protect?: boolean;
  /**
   * A key the server no longer uses, kept for its backups: its properties stay as they were
   * created, whatever the settings for new keys become. Defaults to false.
   */
  readonly retired?: boolean;
}

/**
 * The key encryption key that wraps the server's data encryption key.
 *
 * Its inputs are all fixed values, never computed from the clock, so that a later run does not
 * see a change: ARM cannot update a key, and any changed property means a new key. For the same
 * reason it takes no tags: ARM returns an existing key untouched, so new tags would never land. It is kept in
 * Azure when removed from the program (`retainOnDelete`), because destroying a key destroys every
 * backup it protects.
 */
export class EncryptionKey extends pulumi.ComponentResource {
  readonly key: keyvault.Key;
  /** ARM resource ID of the key, the scope of key-level role assignments. */
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** Versionless key URI: the server follows new versions without a change here. */
  readonly keyUri: pulumi.Output<string>;
  /** URI of the version current when the key was last read. */
  readonly keyUriWithVersion: pulumi.Output<string>;

  constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("postgres-cmk:keyvault:EncryptionKey", name, {}, opts);

    const rotationDays = args.rotationDays ?? 0;
    const rotationPolicy =
      rotationDays > 0
        ? {
            attributes: { expiryTime: `P${args.expiryDays ?? rotationDays + 90}D` },
            lifetimeActions: [
              {
                trigger: { timeAfterCreate: `P${rotationDays}D` },
                action: { type: "rotate" as const },
              },
              {
                trigger: { timeBeforeExpiry: `P${EXPIRY_NOTICE_DAYS}D` },
                action: { type: "notify" as const },
              },
            ],
          }
        : undefined;

    this.key = new keyvault.Key(
      name,
      {
        keyName: args.keyName,
        vaultName: args.vaultName,
        resourceGroupName: args.resourceGroupName,
        properties: {
          kty: args.keyType ?? "RSA",
          keySize: args.keySize ?? 3072,
          keyOps: ["wrapKey", "unwrapKey"],
          attributes: { enabled: true },
          rotationPolicy,
        },
      },
      {
        parent: this,
        protect: args.protect ?? true,
        retainOnDelete: true,
        ...(args.retired ? { ignoreChanges: ["properties"] } : {}),
      },
    );

    this.id = this.key.id;
    this.name = this.key.name;
    this.keyUri = this.key.keyUri;
    this.keyUriWithVersion = this.key.keyUriWithVersion;
    this.registerOutputs({ id: this.id, keyUri: this.keyUri });
  }
}
