import { PolicyResource } from "@pulumi/policy";

import { Kind, isKind, parseKeyUri } from "./azure";
import { armIdPart, isSet, isUnknown, knownString, objectAt, sameArmId, sameName } from "./values";

/** A key a server refers to: its URI when known, and the key and vault resources when found. */
export interface KeyTarget {
  readonly uri?: string;
  readonly key?: PolicyResource;
  readonly vault?: PolicyResource;
}

/** An identity a server refers to: its ARM ID when known, and the identity resource when found. */
export interface IdentityTarget {
  readonly id?: string;
  readonly identity?: PolicyResource;
}

/** One way the server's references can resolve; see `ServerEncryption.assignments`. */
export interface Assignment {
  readonly primaryKey?: KeyTarget;
  readonly primaryIdentity?: IdentityTarget;
  readonly geoKey?: KeyTarget;
  readonly geoIdentity?: IdentityTarget;
}

/** The keys and identities one Flexible Server encrypts with. */
export interface ServerEncryption {
  readonly server: PolicyResource;
  /** Whether the server names a geo-backup key (known or still unknown). */
  readonly usesGeoKey: boolean;
  /**
   * Every consistent reading of the server's references. Usually one; during a first preview,
   * when both key URIs are unknown and the server depends on two keys, the dependencies do not
   * say which key is primary, and both readings are offered.
   */
  readonly assignments: Assignment[];
}

/** A resource's name for messages: the Pulumi name from its URN. */
export function label(resource: PolicyResource): string {
  return `"${resource.name}"`;
}

/**
 * Lookups across the resources of one stack. Stack policies see outputs, which for azure-native
 * omit path inputs such as `vaultName`; links are found from URIs and IDs where known, then from
 * names, then from the dependencies the engine records, which are known even on a first preview.
 */
export class StackIndex {
  constructor(readonly resources: readonly PolicyResource[]) {}

  ofKind(kind: Kind): PolicyResource[] {
    return this.resources.filter((r) => isKind(r.type, kind));
  }

  /** Resources of `kind` that `resource`'s `property` was computed from. */
  linked(resource: PolicyResource, property: string, kind: Kind): PolicyResource[] {
    const fromProperty = resource.propertyDependencies[property];
    const sources = fromProperty ?? resource.dependencies;
    return unique(sources.filter((r) => isKind(r.type, kind)));
  }

  /** The name Azure knows a vault by, when known. */
  vaultName(vault: PolicyResource): string | undefined {
    const direct = knownString(vault.props, "name") ?? knownString(vault.props, "vaultName");
    if (direct || isUnknown(vault.props, "properties")) {
      return direct;
    }
    const uri = knownString(objectAt(vault.props, "properties"), "vaultUri");
    return uri?.match(/^https:\/\/([^./]+)\./i)?.[1];
  }

  vaultNamed(name: string): PolicyResource | undefined {
    return this.ofKind("vault").find((v) => sameName(this.vaultName(v), name));
  }

  keyName(key: PolicyResource): string | undefined {
    return knownString(key.props, "name") ?? knownString(key.props, "keyName");
  }

  /** The vault that holds `key`: from its URI, its `vaultName`, or what `vaultName` came from. */
  vaultOfKey(key: PolicyResource): PolicyResource | undefined {
    const uri = knownString(key.props, "keyUri");
    const fromUri = uri ? parseKeyUri(uri)?.vaultName : undefined;
    const name = fromUri ?? knownString(key.props, "vaultName");
    if (name) {
      return this.vaultNamed(name);
    }
    const linked = this.linked(key, "vaultName", "vault");
    return linked.length === 1 ? linked[0] : undefined;
  }

  /** The key resource a (versioned or versionless) key URI points at, if the stack holds it. */
  keyAt(uri: string): PolicyResource | undefined {
    const parsed = parseKeyUri(uri);
    return this.ofKind("key").find((key) => {
      const keyUri = knownString(key.props, "keyUri");
      if (keyUri) {
        return sameName(versionless(keyUri), versionless(uri));
      }
      const vault = this.vaultOfKey(key);
      return (
        parsed !== undefined &&
        sameName(this.keyName(key), parsed.keyName) &&
        vault !== undefined &&
        sameName(this.vaultName(vault), parsed.vaultName)
      );
    });
  }

  /** The user-assigned identity with ARM ID `id`, if the stack holds it. */
  identityWithId(id: string): PolicyResource | undefined {
    const name = armIdPart(id, "userAssignedIdentities");
    const group = armIdPart(id, "resourceGroups");
    return this.ofKind("identity").find((identity) => {
      const ownId = knownString(identity.props, "id");
      if (ownId) {
        return sameArmId(ownId, id);
      }
      const ownName =
        knownString(identity.props, "name") ?? knownString(identity.props, "resourceName");
      const ownGroup = knownString(identity.props, "resourceGroupName");
      return sameName(ownName, name) && (ownGroup === undefined || sameName(ownGroup, group));
    });
  }

  /**
   * True when the principal `property` of `grant` (an object ID, read from `holder`) is the
   * service principal of `identity`: equal when both are known, else when it was computed from
   * the identity.
   */
  grantsTo(
    grant: PolicyResource,
    holder: unknown,
    property: string,
    identity: PolicyResource,
    dependency: string,
  ): boolean {
    const principal = knownString(holder, property);
    const identityPrincipal = knownString(identity.props, "principalId");
    if (principal && identityPrincipal) {
      return sameName(principal, identityPrincipal);
    }
    return this.linked(grant, dependency, "identity").includes(identity);
  }

  /** The keys and identities of `server`, resolved as far as the stack allows. */
  encryption(server: PolicyResource): ServerEncryption {
    const props = server.props;
    const encryptionKnown = !isUnknown(props, "dataEncryption");
    const dataEncryption = encryptionKnown ? objectAt(props, "dataEncryption") : undefined;
    const usesGeoKey = encryptionKnown
      ? isSet(dataEncryption, "geoBackupKeyURI")
      : objectAt(props, "backup")?.geoRedundantBackup === "Enabled";

    const keyPool = this.linked(server, "dataEncryption", "key");
    const keyTarget = (key: PolicyResource): KeyTarget => ({ key, vault: this.vaultOfKey(key) });
    const keys = resolveRoles<KeyTarget>(
      knownString(dataEncryption, "primaryKeyURI"),
      usesGeoKey ? knownString(dataEncryption, "geoBackupKeyURI") : undefined,
      usesGeoKey,
      keyPool,
      (uri) => {
        const key = this.keyAt(uri);
        const vaultName = parseKeyUri(uri)?.vaultName;
        const vault = key
          ? this.vaultOfKey(key)
          : vaultName
            ? this.vaultNamed(vaultName)
            : undefined;
        return { uri, key, vault };
      },
      keyTarget,
      (target) => target.key,
    );

    const usesGeoIdentity = encryptionKnown
      ? isSet(dataEncryption, "geoBackupUserAssignedIdentityId")
      : usesGeoKey;
    const identities = resolveRoles<IdentityTarget>(
      knownString(dataEncryption, "primaryUserAssignedIdentityId"),
      usesGeoIdentity ? knownString(dataEncryption, "geoBackupUserAssignedIdentityId") : undefined,
      usesGeoIdentity,
      this.linked(server, "dataEncryption", "identity"),
      (id) => ({ id, identity: this.identityWithId(id) }),
      (identity) => ({ identity }),
      (target) => target.identity,
    );

    const assignments: Assignment[] = [];
    for (const [primaryKey, geoKey] of keys) {
      for (const [primaryIdentity, geoIdentity] of identities) {
        assignments.push({ primaryKey, geoKey, primaryIdentity, geoIdentity });
      }
    }
    return { server, usesGeoKey, assignments };
  }
}

/**
 * Pairs of (primary, geo) targets consistent with what is known: a known reference resolves
 * directly; unknown ones are drawn from the resources the property was computed from, each
 * resource serving one role when there are enough of them.
 */
function resolveRoles<T>(
  primaryRef: string | undefined,
  geoRef: string | undefined,
  usesGeo: boolean,
  pool: PolicyResource[],
  fromRef: (ref: string) => T,
  fromResource: (resource: PolicyResource) => T,
  resourceOf: (target: T) => PolicyResource | undefined,
): Array<[T | undefined, T | undefined]> {
  const primaryKnown = primaryRef !== undefined ? fromRef(primaryRef) : undefined;
  const geoKnown = geoRef !== undefined ? fromRef(geoRef) : undefined;
  const taken = [primaryKnown, geoKnown].map((t) => (t ? resourceOf(t) : undefined));
  const rest = pool.filter((r) => !taken.includes(r)).map(fromResource);
  const primaries = primaryKnown ? [primaryKnown] : rest;
  const geos = !usesGeo ? [undefined] : geoKnown ? [geoKnown] : rest;
  const bothDrawn = !primaryKnown && !geoKnown && usesGeo;

  const pairs: Array<[T | undefined, T | undefined]> = [];
  for (const primary of primaries.length > 0 ? primaries : [undefined]) {
    for (const geo of geos.length > 0 ? geos : [undefined]) {
      if (bothDrawn && rest.length >= 2 && primary === geo) {
        continue;
      }
      pairs.push([primary, geo]);
    }
  }
  return pairs;
}

/** A key URI without its version: the key itself, whichever version is current. */
function versionless(uri: string): string {
  const parsed = parseKeyUri(uri);
  return parsed ? `${new URL(uri).origin}/keys/${parsed.keyName}` : uri.replace(/\/+$/, "");
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/**
 * The problems of the first assignment that has none, that is none at all, or else those of the
 * first assignment: a policy passes when some consistent reading of the stack passes.
 */
export function problemsOfBestReading<P>(
  assignments: Assignment[],
  check: (a: Assignment) => P[],
): P[] {
  let first: P[] | undefined;
  for (const assignment of assignments) {
    const problems = check(assignment);
    if (problems.length === 0) {
      return [];
    }
    first ??= problems;
  }
  return first ?? [];
}
