/** Says once per `vitest run` whether the real-CLI suite (test/cli) runs, and against which `pulumi`. */
import { findPulumi } from "../../scripts/pulumi-cli";

export default function setup(): void {
  const cli = findPulumi();
  console.log(
    cli
      ? `real-CLI suite (test/cli): using ${cli.bin} (${cli.source === "built" ? "built by npm run pulumi:install" : "from the PATH"})`
      : "real-CLI suite (test/cli) SKIPPED: no Pulumi CLI; run `npm run pulumi:install` (needs Go) or put `pulumi` on the PATH to enable it",
  );
}
