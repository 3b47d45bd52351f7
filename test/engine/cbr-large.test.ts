/**
 * Issue 10 item 10 through the real provider host: a CbrReplication of a vault with 2,000 backups
 * that fails part-way. The host sends the partial failure's properties back in a gRPC trailer; with
 * a list per backup it overflowed at about 170 backups and the host never answered. Bounded state
 * makes the answer arrive, with the id, so destroy can clean up.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { REGIONS } from "../../emulator/defaults";
import type { RunningEmulator } from "../../emulator/index";
import { type CapturedResource, ProviderCallError, type ProviderHost } from "../../scripts/engine";
import { startExampleHost } from "./example";

let emu: RunningEmulator;
let host: ProviderHost;
let cbr: CapturedResource;

beforeAll(async () => {
  let resources: CapturedResource[];
  ({ emu, resources, host } = await startExampleHost());
  cbr = resources.find((x) => x.type.endsWith(":CbrReplication"))!;
});

afterAll(async () => {
  await host?.close();
  await emu?.close();
});

it("a replication of 2,000 backups that fails part-way answers with its id and small properties; destroy cleans up", async () => {
  const [sourceVaultId, destinationVaultId] = emu.backend.seed({
    cbrVaults: [
      { region: REGIONS.primary.name },
      { region: REGIONS.secondary.name, protectType: "replication" },
    ],
  }).cbrVaults as [string, string];
  emu.backend.seed({ cbrBackups: Array.from({ length: 2000 }, () => ({ vaultId: sourceVaultId })) });
  const inputs = { ...cbr.inputs, sourceVaultId, destinationVaultId, timeouts: { create: "60s" } };
  const checked = await host.check(cbr.urn, {}, inputs);
  expect(checked.failures).toEqual([]);

  emu.setFaults({ fail: { cbrReplication: 0.5 } });
  const err = await host.create(cbr.urn, checked.inputs).catch((e) => e);
  emu.setFaults({ fail: { cbrReplication: 0 } });
  expect(err).toBeInstanceOf(ProviderCallError);
  const init = (err as ProviderCallError).initFailure!;
  expect(init.id).toBe(`${sourceVaultId}:${REGIONS.secondary.name}`);
  expect(init.properties).toMatchObject({ status: "fail", backups: 2000 });
  const replicas = () =>
    emu.world().cbr.backups.filter((b: { vault_id: string }) => b.vault_id === destinationVaultId);
  expect(replicas().length).toBe(2000 - (init.properties.failed as number));

  await host.delete(cbr.urn, init.id, init.properties);
  expect(replicas()).toHaveLength(0);
}, 180_000);
