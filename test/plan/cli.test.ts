/**
 * Rotation days of the example BackupPlan through the real Pulumi CLI and engine (local backend, the
 * emulator), where a CLI is available: day 1 creates, a second run in the period changes nothing, a
 * preview of day 3 shows exactly the creates and deletes its `up` then does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDS, type RunningEmulator } from "../../emulator/index";
import { periodStamp } from "../../provider/plan/period";
import { CLI, CliStack, eventSteps, previewSteps } from "../cli/stack";
import { startTestEmulator } from "../engine/example";
import { REPO_ROOT } from "../engine/helpers";
import { PLAN_PROGRAM } from "./engine";

const DAY = 86_400_000;
const DAY1 = Math.floor(Date.now() / DAY) * DAY + 3 * 3_600_000;
const dayAt = (n: number) => new Date(DAY1 + (n - 1) * DAY).toISOString();
const stampOf = (n: number) => periodStamp(Math.floor((DAY1 + (n - 1) * DAY) / DAY) * DAY);
const evsChild = (n: number) => `warehouse-evs-${DEFAULT_IDS.evsVolumeAvailableId}-${stampOf(n)}`;
const dwsChild = (n: number) => `warehouse-dws-${DEFAULT_IDS.dwsClusterId}-${stampOf(n)}`;

let emu: RunningEmulator;
let stack: CliStack;

async function setDay(n: number): Promise<void> {
  await stack.ok(["config", "set", "now", dayAt(n)]);
}

async function up(label: string): Promise<Array<[string, string]>> {
  const log = path.join(stack.dir, `${label}.events.jsonl`);
  await stack.ok(["up", "--yes", "--skip-preview", "--event-log", log], 300_000);
  return eventSteps(log).filter(([op]) => op !== "same");
}

/**
 * The preview as the CLI prints it, less the non-interactive progress lines and what only this test
 * set-up causes (the plugin found on $PATH, reported as warnings).
 */
function readable(stdout: string): string {
  return stdout
    .split("\n")
    .filter(
      (l) =>
        !/^@ previewing|pulumi-resource-pulumi-nodejs from \$PATH|^Diagnostics:|^\s+pulumi:pulumi:Stack \(/.test(
          l,
        ),
    )
    .map((l) => l.replace(/\s+\d+ warnings?$/, "").replace(/\s+$/, ""))
    .filter((l, i, all) => !(l === "" && all[i - 1] === ""))
    .join("\n")
    .trim();
}

/** `WRITE_PLAN_PREVIEW=1`: the README shows this day's preview as the CLI prints it. */
async function writeReadmePreview(): Promise<void> {
  const { stdout } = await stack.ok(["preview"], 300_000);
  const readme = path.join(REPO_ROOT, "README.md");
  const text = fs.readFileSync(readme, "utf8");
  const block = [
    "<!-- plan-preview:start -->",
    `A rotation day (keep: { last: 2 }, day 3 of a plan run daily; progress lines left out; \`WRITE_PLAN_PREVIEW=1 npx vitest run test/plan/cli.test.ts\`, ${new Date().toISOString().slice(0, 10)}):`,
    "",
    "```",
    "$ pulumi preview",
    readable(stdout),
    "```",
    "<!-- plan-preview:end -->",
  ].join("\n");
  fs.writeFileSync(
    readme,
    text.replace(/<!-- plan-preview:start -->[\s\S]*<!-- plan-preview:end -->/, block),
  );
}

describe.skipIf(!CLI)("BackupPlan rotation days through the real Pulumi CLI", () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    stack = await CliStack.create(CLI!, "plan", emu);
    fs.writeFileSync(
      path.join(stack.projectDir, "index.js"),
      `module.exports = require(${JSON.stringify(PLAN_PROGRAM)});\n`,
    );
    await stack.ok(["config", "set", "keepLast", "2"]);
    await stack.ok(["config", "set", "replicate", "false"]);
  }, 120_000);

  afterAll(async () => {
    await stack?.destroyAndClose();
    await emu?.close();
  }, 360_000);

  it("day 1 creates; a second run in the period has nothing to do", async () => {
    await setDay(1);
    const steps = await up("day1");
    expect(steps).toEqual(
      expect.arrayContaining([
        ["create", evsChild(1)],
        ["create", dwsChild(1)],
      ]),
    );
    expect(steps.filter(([op]) => op !== "create")).toEqual([]);
    await stack.ok(["config", "set", "now", new Date(Date.parse(dayAt(1)) + 6 * 3_600_000).toISOString()]);
    await stack.ok(["preview", "--expect-no-changes"], 300_000);
  }, 600_000);

  it("day 3 after day 2 (keep last 2): the preview shows exactly the creates and deletes the up does", async () => {
    await setDay(2);
    await up("day2");
    await setDay(3);
    if (process.env.WRITE_PLAN_PREVIEW === "1") await writeReadmePreview();
    const preview = await stack.ok(["preview", "--json"], 300_000);
    const previewed = previewSteps(preview.stdout)
      .filter(([op]) => op !== "same")
      .sort();
    expect(previewed).toEqual(
      [
        ["create", evsChild(3)],
        ["create", dwsChild(3)],
        ["delete", evsChild(1)],
        ["delete", dwsChild(1)],
      ].sort(),
    );
    const done = (await up("day3")).sort();
    expect(done).toEqual(previewed);
    const names = emu.world().evs.snapshots.map((s) => s.name);
    expect(names).not.toContain(`warehouse-${stampOf(1)}`);
    expect(names).toEqual(expect.arrayContaining([`warehouse-${stampOf(2)}`, `warehouse-${stampOf(3)}`]));
  }, 900_000);
});
