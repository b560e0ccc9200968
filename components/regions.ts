// The region table is shared with the policy pack and kept in its folder, which is what
// `pulumi policy publish` packages.
export {
  KNOWN_REGIONS,
  geoBackupRegion,
  isKnownRegion,
  normalizeRegion,
  sameRegion,
} from "../policy/lib/regions";
