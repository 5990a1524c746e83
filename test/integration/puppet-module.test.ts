import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { agentDirs, findAgentFiles } from "../../src/server/registry.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mcoProcess } from "../helpers/mco.js";
import { testCa, testCert } from "../helpers/pki.js";
import { puppetApply, puppetBinary } from "../helpers/puppet.js";
import { FIXTURES, REPO, spawnServer, type ServerNode } from "../helpers/server.js";

const MODULE_DIR = join(REPO, "puppet");
const STAND_IN = join(FIXTURES, "puppet", "modules");
const MCOMPAT = join(REPO, "bin", "mcompat");
// Owned by whoever runs the tests, so the apply needs no root.
const OWNER = { "mcompat::config_owner": userInfo().username, "mcompat::config_group": groupName() };
// Never installs packages or touches systemd in a test: the classes' switches for that are off.
const NO_SYSTEM = { "mcompat::manage_packages": false, "mcompat::manage_service": false };

function groupName(): string {
  const gid = userInfo().gid;
  const line = readFileSync("/etc/group", "utf8").split("\n").find((l) => l.split(":")[2] === String(gid));
  return line?.split(":")[0] ?? String(gid);
}

function manifests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith(".pp")).map((e) => join(e.parentPath, e.name));
}

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length + 1), readFileSync(join(entry.parentPath, entry.name), "utf8"));
  }
  return out;
}

/** A config file's `key = value` lines, comments left out. */
function settings(file: string): Record<string, string> {
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  return Object.fromEntries(lines.map((l) => l.split(" = ", 2) as [string, string]));
}

async function mcompat(args: string[]): Promise<string> {
  const r = await execa(MCOMPAT, args, { reject: false });
  assert.equal(r.exitCode, 0, `mcompat ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe("puppet/mcompat, applied with Debian's puppet into a temporary root", function () {
  this.timeout(120_000);
  // Packaged once for both parts: the fixture agent and the bundled package agent, as a site would.
  const modules = mkdtempSync(join(tmpdir(), "mcompat-agent-modules-"));

  before(async () => {
    puppetBinary();
    await mcompat(["plugin", "package", join(FIXTURES, "puppet", "agents", "greeter"), "--output", modules]);
    const forge = mkdtempSync(join(tmpdir(), "mcompat-forge-"));
    await mcompat(["forge", "--quiet", forge]);
    await mcompat(["plugin", "package", join(forge, "mcollective_agent_package", "files", "mcollective"), "--output", modules]);
    assert.deepEqual(files(join(modules, "mcollective_agent_package")), files(join(forge, "mcollective_agent_package")), "plugin package rebuilds the bundled module as mcompat forge ships it");
  });

  it("passes puppet parser validate on every manifest: the module's, the stand-in's and the packaged agents'", async () => {
    const all = [...manifests(MODULE_DIR), ...manifests(STAND_IN), ...manifests(modules)];
    assert.ok(all.length >= 8, all.join("\n"));
    const r = await execa(puppetBinary(), ["parser", "validate", ...all], { reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
  });

  it("builds a release of an agent folder that puppet module install takes, with its .plugin.yaml keys and puppet/ files", async () => {
    const work = mkdtempSync(join(tmpdir(), "mcompat-release-"));
    const agent = join(work, "greeter");
    cpSync(join(FIXTURES, "puppet", "agents", "greeter"), agent, { recursive: true });
    writeFileSync(join(agent, ".plugin.yaml"), "mcollective_agent_greeter::policy_default: allow\n");
    mkdirSync(join(agent, "puppet", "tasks"), { recursive: true });
    writeFileSync(join(agent, "puppet", "tasks", "hello.json"), '{"description": "Says hello"}\n');
    const out = await mcompat(["plugin", "package", agent, "--output", work, "--vendor", "acme"]);
    const release = join(work, "acme-mcollective_agent_greeter-1.2.0.tar.gz");
    assert.ok(out.includes(`wrote ${release}`), out);
    const installed = join(work, "installed");
    const r = await execa(puppetBinary(), ["module", "install", "--target-dir", installed, "--ignore-dependencies", release], { reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
    const module = files(join(installed, "mcollective_agent_greeter"));
    assert.deepEqual(module, files(join(work, "mcollective_agent_greeter")), "the release holds the module folder, file for file");
    assert.match(module.get("data/plugin.yaml")!, /^mcollective_agent_greeter::policy_default: allow$/m);
    assert.equal(module.get("tasks/hello.json"), '{"description": "Says hello"}\n');
  });

  describe("on its own, as a broker", () => {
    const root = mkdtempSync(join(tmpdir(), "mcompat-puppet-root-"));
    const path = (p: string) => join(root, p);
    let ssldir: string;

    before(async () => {
      mkdirSync(path("etc"));
      await testCert("broker1.example.net", ["localhost"]);
      ssldir = (await testCa()).ssldir;
      const applied = await puppetApply({
        modulepath: [MODULE_DIR],
        certname: "broker1.example.net",
        manifest: "include mcompat",
        hiera: {
          ...OWNER,
          ...NO_SYSTEM,
          "mcompat::mcollective_module": false,
          "mcompat::broker": true,
          "mcompat::configdir": path("etc/choria"),
          "mcompat::libdir": path("plugins"),
          "mcompat::unit_file": path("mcompat.service"),
          "mcompat::install_prefix": path("usr"),
          "mcompat::logfile": path("mcompat.log"),
          "mcompat::ssldir": ssldir,
          "mcompat::broker_config_file": path("nats-server.conf"),
          "mcompat::broker_tls_dir": path("nats-tls"),
          "mcompat::broker_user": userInfo().username,
          "mcompat::middleware_hosts": ["broker1.example.net:4222", "broker2.example.net:4222"],
          "mcollective::collectives": ["mcollective", "uk"],
          "mcollective::common_config": { securityprovider: "choria", connector: "nats" },
          "mcollective::server_config": { rpcauthorization: 1, rpcaudit: 0, factsource: "yaml" },
          "mcollective::client_config": { loglevel: "warn" },
          "choria::server_config": { rpcaudit: 1, "plugin.yaml": "/etc/choria/generated-facts.yaml" },
          "choria::log_level": "debug",
          "choria::broker::cluster_peer_port": 4223,
          "choria::broker::network_peers": ["nats://broker2.example.net:4223"],
        },
      });
      assert.equal(applied.code, 2, applied.output);
    });

    it("writes the daemon's config from the mcollective and choria keys (choria's win), with the node's identity and libdir", () => {
      assert.deepEqual(settings(path("etc/choria/server.conf")), {
        collectives: "mcollective,uk",
        connector: "nats",
        factsource: "yaml",
        identity: "broker1.example.net",
        libdir: path("plugins"),
        logfile: path("mcompat.log"),
        loglevel: "debug",
        main_collective: "uk",
        "plugin.choria.middleware_hosts": "broker1.example.net:4222,broker2.example.net:4222",
        "plugin.choria.ssldir": ssldir,
        "plugin.yaml": "/etc/choria/generated-facts.yaml",
        rpcaudit: "1",
        rpcauthorization: "1",
        securityprovider: "choria",
      });
    });

    it("writes the client's config, and the folders the mcollective module would otherwise make", () => {
      assert.deepEqual(settings(path("etc/choria/client.conf")), {
        collectives: "mcollective,uk",
        connector: "nats",
        libdir: path("plugins"),
        loglevel: "warn",
        main_collective: "uk",
        "plugin.choria.middleware_hosts": "broker1.example.net:4222,broker2.example.net:4222",
        "plugin.choria.ssldir": ssldir,
        securityprovider: "choria",
      });
      for (const dir of ["etc/choria/plugin.d", "etc/choria/policies", "plugins/mcollective"]) assert.ok(existsSync(path(dir)), dir);
    });

    it("ships a systemd unit that starts mcompat server on that config, restarts it on failure and reloads it with SIGHUP", () => {
      const unit = readFileSync(path("mcompat.service"), "utf8");
      assert.match(unit, new RegExp(`^ExecStart=${path("usr/bin/mcompat")} server --config ${path("etc/choria/server.conf")}$`, "m"));
      assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
      assert.match(unit, /^Restart=on-failure$/m);
      assert.match(unit, /^WantedBy=multi-user.target$/m);
    });

    it("configures nats-server with the node's certificate, mutual TLS and the cluster peers, in a config nats-server accepts", async () => {
      const conf = readFileSync(path("nats-server.conf"), "utf8");
      assert.match(conf, /^listen: "\[::\]:4222"$/m);
      assert.match(conf, /^  verify: true$/m);
      assert.match(conf, /^  routes: \["nats-route:\/\/broker2.example.net:4223"\]$/m);
      assert.equal(readFileSync(path("nats-tls/cert.pem"), "utf8"), readFileSync(join(ssldir, "certs", "broker1.example.net.pem"), "utf8"));
      const check = await execa("nats-server", ["-c", path("nats-server.conf"), "-t"], { reject: false, all: true });
      assert.equal(check.exitCode, 0, check.all);
    });
  });

  describe("beside the mcollective module, serving the agent modules module_plugin laid", () => {
    const NODE = "puppet1.example.net";
    const root = mkdtempSync(join(tmpdir(), "mcompat-puppet-root-"));
    const path = (p: string) => join(root, p);
    const libdir = path("plugins");
    const configdir = path("etc/choria");
    // The apt provider reports the architecture; Puppet's, the agent's default where Puppet loads, leaves it out.
    const aptBash = execFileSync("dpkg-query", ["-W", "-f", "bash-${Version}.${Architecture}", "bash"], { encoding: "utf8" });
    let broker: RunningBroker;
    let node: ServerNode;
    let clientCfg: string;
    const mco = async (argv: string[], code = 0) => {
      const r = await mcoProcess([...argv, "--config", clientCfg]);
      assert.equal(r.code, code, r.stderr + r.stdout);
      return r.stdout;
    };

    const modulepath = [modules, STAND_IN, MODULE_DIR];
    /** The site's Hiera: the mcollective module's keys, the agent modules' config and policies, and paths into the root. */
    const hiera = async () => ({
      ...OWNER,
      ...NO_SYSTEM,
      "mcollective::plugin_owner": OWNER["mcompat::config_owner"],
      "mcollective::plugin_group": OWNER["mcompat::config_group"],
      "mcollective::libdir": libdir,
      "mcollective::configdir": configdir,
      "mcollective::plugin_classes": ["mcollective_agent_package", "mcollective_agent_greeter", "mcompat"],
      "mcollective::server_config": {
        rpcauthorization: 1,
        rpcauthprovider: "action_policy",
        factsource: "yaml",
        "plugin.yaml": path("facts.yaml"),
        classesfile: path("classes.txt"),
      },
      "mcompat::unit_file": path("mcompat.service"),
      "mcompat::install_prefix": path("usr"),
      "mcompat::logfile": path("mcompat.log"),
      "mcompat::ssldir": (await testCa()).ssldir,
      "mcompat::middleware_hosts": [`127.0.0.1:${broker.port}`],
      "mcollective_agent_package::config": { provider: "apt" },
      "mcollective_agent_package::policies": [{ action: "allow", callers: "choria=tester.mcollective", actions: "status", facts: "*", classes: "*" }],
      "mcollective_agent_greeter::config": { greeting: "hello from plugin.d" },
      "mcollective_agent_greeter::policies": [{ action: "allow", callers: "*", actions: "hello", facts: "*", classes: "*" }],
    });

    before(async () => {
      broker = await testBroker();
      await testCert(NODE);
      // The folders the real module's required_directories makes (it creates none of them itself).
      for (const dir of ["etc/choria/plugin.d", "etc/choria/policies"]) mkdirSync(path(dir), { recursive: true });
      copyFileSync(join(FIXTURES, "facts", "node1.yaml"), path("facts.yaml"));
      writeFileSync(path("classes.txt"), "");
      const applied = await puppetApply({ modulepath, certname: NODE, manifest: "include mcollective", hiera: await hiera() });
      assert.equal(applied.code, 2, applied.output);
      node = await spawnServer(NODE, { dir: root, configFile: join(configdir, "server.conf"), factsFile: path("facts.yaml"), logFile: path("mcompat.log") });
      clientCfg = await writeClientConfig(broker.port, "tester", [`libdir = ${libdir}`]);
    });

    after(async () => {
      await node?.stop();
      await broker?.stop();
    });

    it("lays each agent module's server and common files, plugin.d config and policy once, where the daemon reads them", () => {
      for (const file of ["agent/package.rb", "agent/package.ddl", "agent/package.json", "util/package/base.rb", "agent/greeter.rb", "agent/greeter.json", "util/greeter/phrases.rb"]) {
        assert.ok(existsSync(join(libdir, "mcollective", file)), file);
      }
      assert.ok(!existsSync(join(libdir, "mcollective", "application", "greeter.rb")), "client files stay off a server-only node");
      assert.equal(readFileSync(join(configdir, "plugin.d", "greeter.cfg"), "utf8"), "greeting = hello from plugin.d\n");
      assert.equal(readFileSync(join(configdir, "policies", "package.policy"), "utf8"), "policy default deny\nallow\tchoria=tester.mcollective\tstatus\t*\t*\n");
      assert.equal(settings(join(configdir, "server.conf")).libdir, libdir);
      // The daemon takes the libdir's copy of an agent it also bundles: what the site deployed is what runs.
      assert.equal(findAgentFiles(agentDirs([libdir])).get("package")?.rb, join(libdir, "mcollective", "agent", "package.rb"));
    });

    it("refreshes the service when an agent module or a plugin folder changes (the catalog's edges, compiled with --noop)", async () => {
      const graphs = mkdtempSync(join(tmpdir(), "mcompat-puppet-graphs-"));
      const noop = await puppetApply({ modulepath, certname: NODE, manifest: "include mcollective", hiera: { ...(await hiera()), "mcompat::manage_service": true },
        args: ["--noop", "--graph", "--graphdir", graphs] });
      assert.ok([0, 2].includes(noop.code), noop.output);
      const edges = readFileSync(join(graphs, "relationships.dot"), "utf8");
      for (const from of ["Mcollective::Module_plugin[mcollective_agent_package]", "Mcollective::Module_plugin[mcollective_agent_greeter]", `File[${libdir}/mcollective/agent]`]) {
        assert.ok(edges.includes(`"${from}" -> "Service[mcompat]"`), `${from} -> Service[mcompat]`);
      }
      assert.ok(edges.includes(`"Class[Mcompat::Config]" -> "Class[Mcompat::Service]"`), "a config change restarts the daemon");
    });

    it("answers mco ping", async () => {
      assert.match(await mco(["ping"]), new RegExp(`^${NODE.replace(/\./g, "\\.")} +time=`, "m"));
    });

    it("answers mco package status through the agent module's files, with plugin.d/package.cfg's provider", async () => {
      const out = await mco(["package", "status", "bash", "-I", NODE]);
      assert.ok(out.includes(`${NODE}: ${aptBash}\n`), out);
    });

    it("enforces the policy the agent module laid: an action it does not allow is refused", async () => {
      const [reply] = JSON.parse(await mco(["rpc", "package", "count", "-I", NODE, "--json"], 2)) as { statuscode: number; statusmsg: string }[];
      assert.deepEqual([reply.statuscode, reply.statusmsg], [1, "You are not authorized to call this agent or action."]);
    });

    it("serves a site's own agent packaged by mcompat plugin package, its util/ library and its plugin.d setting", async () => {
      const [reply] = JSON.parse(await mco(["rpc", "greeter", "hello", "-I", NODE, "--json"])) as { statuscode: number; data: { greeting: string } }[];
      assert.deepEqual([reply.statuscode, reply.data.greeting], [0, "hello from plugin.d"]);
    });
  });
});
