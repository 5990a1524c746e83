/**
 * The same site application under the real Ruby `mco` (Debian's MCollective 2.12.5) and under ours, against one
 * fleet of real `mcollectived` nodes on ActiveMQ with psk: the same lines on stdout and stderr, and the same exit code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { legacyMco, startMcollectived, writeLegacyClientConfig, type LegacyNode, type LegacyWire } from "../helpers/legacy.js";
import { mcoProcess } from "../helpers/mco.js";
import { FIXTURES } from "../helpers/server.js";
import { testActiveMq } from "../helpers/stomp-broker.js";

const NODES = ["legacy1.example.net", "legacy2.example.net", "legacy3.example.net"];

/** Times and the order replies came in vary from run to run; the lines themselves must match. */
const lines = (text: string) => text.replace(/\d+\.\d\d ?ms/g, "T ms").replace(/Start Time: .*/, "Start Time: T").split("\n").sort();

describe("a Ruby application plugin: the real Ruby mco and ours print the same", function () {
  this.timeout(120_000);
  let broker: { port: number; stop(): Promise<void> };
  let legacy: LegacyNode[] = [];
  let cfg: string;

  before(async () => {
    broker = await testActiveMq();
    const wire: LegacyWire = { connector: "activemq", port: broker.port, security: "psk" };
    legacy = await Promise.all(
      NODES.map((identity, i) =>
        startMcollectived(identity, join(FIXTURES, "facts", `node${i + 1}.yaml`), join(FIXTURES, "facts", `node${i + 1}.classes.txt`), wire, { loglevel: "info" }),
      ),
    );
    cfg = writeLegacyClientConfig("apps.example.net", wire, { libdir: `/usr/share/mcollective/plugins:${join(FIXTURES, "ruby-plugins")}`, color: "0" });
  });

  after(async () => {
    await Promise.all(legacy.map((n) => n.stop()));
    await broker?.stop();
  });

  // --np: piped, the Ruby mco still writes its progress counters, ours draws the bar only on a terminal
  // (docs/ARCHITECTURE.md, Client departures).
  for (const args of [
    ["role", "-F", "country=uk", "--batch", "1", "--batch-sleep", "0", "--np"],
    ["datacenter", "-S", "role=web", "-v", "--np"],
    ["role", "-F", "country=xx", "--dt", "1", "--np"],
    ["country", "-W", "virtual=true", "-C", "/web/", "--np"],
    ["role", "-I", "legacy1.example.net", "-j"],
  ]) {
    it(`mco fleetfacts ${args.join(" ")}`, async () => {
      const theirs = await legacyMco(["fleetfacts", ...args], cfg, { exact: true });
      const ours = await mcoProcess(["fleetfacts", ...args, "--config", cfg]);
      assert.equal(ours.code, theirs.code, `${ours.stderr}\n---\n${theirs.stderr}`);
      assert.deepEqual(lines(ours.stdout), lines(theirs.stdout));
      assert.deepEqual(lines(ours.stderr), lines(theirs.stderr));
      if (!args.includes("country=xx")) assert.match(ours.stdout, /legacy\d\.example\.net/, "some node answered");
    });
  }
});
