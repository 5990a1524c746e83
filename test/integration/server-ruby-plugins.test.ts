import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "../../src/config/index.js";
import { RubyPluginHost } from "../../src/shim/plugins.js";
import { startRegistration } from "../../src/server/registration/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco } from "../helpers/mco.js";
import { FIXTURES, NATIVE_ONLY, startServer, waitFor, type ServerNode } from "../helpers/server.js";

const PLUGINS = join(FIXTURES, "ruby-plugins");

describe("a site's Ruby audit, fact source and registration plugins, run by the server", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let cfg: string;
  const auditFile = join(mkdtempSync(join(tmpdir(), "mcompat-sitelog-")), "audit.log");

  before(async () => {
    broker = await testBroker();
    const node = (identity: string, role: string, audit: boolean) =>
      startServer(
        {
          identity,
          factsFile: join(FIXTURES, "facts", "node1.yaml"),
          libdir: PLUGINS,
          extra: {
            ...NATIVE_ONLY,
            factsource: "site",
            "plugin.site.role": role,
            ...(audit ? { rpcaudit: "1", rpcauditprovider: "sitelog", "plugin.sitelog.file": auditFile } : {}),
          },
        },
        broker.port,
      );
    nodes = await Promise.all([node("edge1.example.net", "edge", true), node("core1.example.net", "core", false)]);
    cfg = await writeClientConfig(broker.port, "plugins", ["plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("the custom fact source feeds -F, -S and dotted-path filters", async () => {
    const find = async (...args: string[]) => (await mco(["find", ...args, "-c", cfg])).stdout.trim().split("\n").filter((l) => l !== "").sort();
    assert.deepEqual(await find("-F", "site_role=edge"), ["edge1.example.net"]);
    assert.deepEqual(await find("-S", "site_tier>1"), ["core1.example.net"]);
    assert.deepEqual(await find("-F", "site.rack=r4"), ["core1.example.net", "edge1.example.net"]);
    assert.deepEqual(await find("-F", "country=uk"), [], "the fact source replaces the YAML file's facts");
  });

  it("the Ruby audit plugin writes its line for each authorized request", async () => {
    const r = await mco(["rpc", "rpcutil", "get_fact", "fact=site_role", "-I", "edge1.example.net", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, "utf8").includes("get_fact"), () => false, async () => `no audit line in ${auditFile}:\n${nodes[0].log()}`);
    const lines = readFileSync(auditFile, "utf8").trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^[0-9a-f]{32} choria=plugins\.mcollective plugins\.mcollective rpcutil#get_fact \{:fact=>"site_role"(, :process_results=>true)?\}$/);
  });

  it("a Ruby registration plugin's body goes out as the registration request", async () => {
    const config = Config.fromText(`identity = edge1.example.net\nlibdir = ${PLUGINS}\nregistration = sitereg\nregisterinterval = 1\nplugin.site.role = edge\n`);
    const logs: string[] = [];
    const ruby = new RubyPluginHost(config.entries(), undefined, (level, msg) => logs.push(`${level} ${msg}`));
    const bodies: unknown[] = [];
    const handle = startRegistration({
      config,
      publish: () => undefined,
      encode: (request) => (bodies.push(request.message), "x"),
      identity: "edge1.example.net",
      inventory: () => ({}),
      ruby,
    });
    try {
      await waitFor(() => bodies.length > 0, () => false, async () => `no registration body was sent:\n${logs.join("\n")}`);
    } finally {
      handle.stop();
    }
    assert.deepEqual(bodies[0], { identity: "edge1.example.net", collective: "mcollective", interval: 1, filter: ["registration"], site: "edge" }, logs.join("\n"));
  });
});
