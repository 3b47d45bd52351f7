/**
 * The emulator's default world: stable ids that the examples, tests, demo and benchmark name.
 * Two regions, each with its own project id (as in the real cloud); a DWS cluster with automated
 * snapshots; EVS volumes available and in-use; a server backup vault with available backups in the
 * first region and a replication vault in the second.
 *
 * The credentials are documented demo keys for the emulator only; they open nothing anywhere else.
 */

export const DEMO_ACCESS_KEY = "EMULATORDEMOACCESSKEY1";
export const DEMO_SECRET_KEY = "emulator-demo-secret-key-not-a-real-secret-0001";

export const REGIONS = {
  primary: { name: "cn-north-4", projectId: "0a1b2c3d4e5f40718293a4b5c6d7e8f9" },
  secondary: { name: "ap-southeast-1", projectId: "9f8e7d6c5b4a40392817f6e5d4c3b2a1" },
} as const;

export const DEFAULT_IDS = {
  /** DWS cluster in the primary region, status ACTIVE. */
  dwsClusterId: "44b277eb-39be-4921-be31-3d61b43651d7",
  dwsClusterName: "dws-demo",
  /** A second cluster, for parallel snapshots. */
  dwsClusterId2: "5c1a9e0d-2b7f-4c3e-9a8d-1f6e2d3c4b5a",
  /** Automated snapshots of the first cluster (linked-copyable). */
  dwsAutomatedSnapshotIds: [
    "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90",
    "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba91",
    "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba92",
  ],
  /** EVS volumes in the primary region. */
  evsVolumeAvailableId: "5aa119a8-d25b-45a7-8d1b-88e127885635",
  evsVolumeInUseId: "6bb22ab9-e36c-46b8-9e2c-99f238996746",
  /** CBR server backup vault (primary) with available backups. */
  cbrSourceVaultId: "3b5816b5-f29c-4172-9d9a-76c719a659ce",
  cbrSourceBackupIds: ["7558e1a3-0bd6-4bb4-9a1f-5c3e2b7d9f01", "7558e1a3-0bd6-4bb4-9a1f-5c3e2b7d9f02"],
  /** CBR replication vault (secondary region). */
  cbrDestinationVaultId: "0ca3eb86-8800-46da-9c37-9d657a825274",
} as const;

/** IAM user for the password-token flow (`POST /v3/auth/tokens`). Emulator only. */
export const DEMO_USER = {
  name: "emulator-demo-user",
  password: "emulator-demo-password-0001",
  domainName: "emulator-demo-account",
  domainId: "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
  userId: "u0u1u2u3u4u5u6u7u8u9uaubucudueuf",
} as const;

/**
 * Temporary credentials (AK/SK plus X-Security-Token), as IAM's securitytokens call would issue.
 * The second pair has expired: requests signed with it are rejected with APIGW.0301.
 */
export const DEMO_TEMPORARY_CREDENTIALS = [
  {
    accessKey: "EMULATORTEMPACCESSKEY1",
    secretKey: "emulator-demo-temporary-secret-0001",
    securityToken: "emulator-demo-security-token-0001",
    expiresAt: "2099-12-31T23:59:59Z",
  },
  {
    accessKey: "EMULATOREXPIREDACCESSKEY",
    secretKey: "emulator-demo-expired-secret-0001",
    securityToken: "emulator-demo-security-token-expired",
    expiresAt: "2020-01-01T00:00:00Z",
  },
] as const;

/**
 * The stack config that points a stack at an emulator (the lines `npm run emulator` prints), as a
 * map of full key names; `extra` adds or overrides keys.
 */
export function emulatorStackConfig(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "huaweicloud:endpoint": url,
    "huaweicloud:region": REGIONS.primary.name,
    "huaweicloud:accessKey": DEMO_ACCESS_KEY,
    "huaweicloud:secretKey": DEMO_SECRET_KEY,
    ...extra,
  };
}
