import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config, ConfigError, loadConfig, middlewareHosts, parseConfigText } from "../../src/config/index.js";

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mcompat-config-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("config", () => {
  it("reads key = value lines, skipping comments and blank lines, trimming values", () => {
    const entries = parseConfigText("# a comment\n\n  identity =  node1.example.net  \ncollectives=a,b\n", "server.cfg");
    assert.deepEqual(entries.map((e) => [e.key, e.value, e.line]), [
      ["identity", "node1.example.net", 3],
      ["collectives", "a,b", 4],
    ]);
  });

  it("keeps a trailing '# ...' and quotes as part of the value, as MCollective does", () => {
    const [entry] = parseConfigText('plugin.x.y = "quoted" # not a comment\n');
    assert.equal(entry.value, '"quoted" # not a comment');
  });

  it("splits on the first '=' only", () => {
    const [entry] = parseConfigText("plugin.choria.discovery.external.command = /bin/x --a=b\n");
    assert.equal(entry.value, "/bin/x --a=b");
  });

  it("reports a malformed line with its file and line number", () => {
    assert.throws(() => parseConfigText("identity = a\nthis line has no equals\n", "/etc/x/server.cfg"), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^\/etc\/x\/server\.cfg:2: cannot parse 'this line has no equals'/);
      return true;
    });
  });

  it("merges plugin.d files as plugin.<file>.<key>, the main file's keys kept", () => {
    const dir = configDir({
      "server.cfg": "identity = n1\nplugin.puppet.splay = true\n",
      "plugin.d/puppet.cfg": "command = /opt/puppet agent --test\n# comment\n",
      "plugin.d/service.conf": "provider = systemd\n",
      "plugin.d/README": "not a config file",
    });
    const config = loadConfig(join(dir, "server.cfg"));
    assert.equal(config.get("plugin.puppet.command"), "/opt/puppet agent --test");
    assert.equal(config.get("plugin.service.provider"), "systemd");
    assert.deepEqual(config.pluginConf("puppet"), { splay: "true", command: "/opt/puppet agent --test" });
  });

  it("names the plugin.d file and line of a malformed line there", () => {
    const dir = configDir({ "server.cfg": "identity = n1\n", "plugin.d/bad.cfg": "ok = 1\n???\n" });
    assert.throws(() => loadConfig(join(dir, "server.cfg")), /plugin\.d\/bad\.cfg:2: cannot parse/);
  });

  it("says which file is missing", () => {
    assert.throws(() => loadConfig("/nonexistent/server.cfg"), /Cannot find config file '\/nonexistent\/server\.cfg'/);
  });

  it("gives MCollective's defaults for keys that are not set", () => {
    const config = Config.fromText("", "host1.example.net");
    assert.equal(config.identity, "host1.example.net");
    assert.deepEqual(config.collectives, ["mcollective"]);
    assert.equal(config.mainCollective, "mcollective");
    assert.equal(config.ttl, 60);
    assert.equal(config.int("direct_addressing_threshold"), 10);
    assert.equal(config.bool("direct_addressing"), true);
    assert.equal(config.bool("rpcaudit"), false);
    assert.equal(config.string("default_discovery_method"), "mc");
    assert.equal(config.int("registerinterval"), 0);
  });

  it("uses the first collective as main_collective unless set", () => {
    assert.equal(Config.fromText("collectives = uk, us\n").mainCollective, "uk");
    assert.equal(Config.fromText("collectives = uk,us\nmain_collective = us\n").mainCollective, "us");
  });

  it("warns about an unknown key instead of failing", () => {
    const config = Config.fromText("identity = a\nno_such_key = 1\nplugin.anything.goes = 1\n");
    assert.equal(config.warnings.length, 1);
    assert.match(config.warnings[0], /unknown config parameter 'no_such_key'/);
    assert.equal(config.get("no_such_key"), "1");
  });

  it("reads MCollective's boolean words and rejects others", () => {
    for (const word of ["1", "yes", "TRUE", "y", "t"]) assert.equal(Config.fromText(`rpcaudit = ${word}`).bool("rpcaudit"), true);
    for (const word of ["0", "no", "False", "n", "f"]) assert.equal(Config.fromText(`rpcaudit = ${word}`).bool("rpcaudit"), false);
    assert.throws(() => Config.fromText("rpcaudit = maybe").bool("rpcaudit"), /Cannot convert string value 'maybe'/);
  });

  it("rejects an unparseable integer with MCollective's message", () => {
    assert.throws(() => Config.fromText("ttl = sixty").ttl, /Could not parse value for configuration option 'ttl' with value 'sixty'/);
  });

  it("rejects a relative libdir and an identity with bad characters", () => {
    assert.throws(() => Config.fromText("libdir = /ok:relative/dir").libdirs, /should be absolute paths but 'relative\/dir'/);
    assert.throws(() => Config.fromText("identity = bad name").identity, /Identities can only match/);
  });

  it("appends repeated default_discovery_options", () => {
    const config = Config.fromText("default_discovery_options = a=1\ndefault_discovery_options = b=2\n");
    assert.deepEqual(config.all("default_discovery_options"), ["a=1", "b=2"]);
  });

  describe("middleware hosts", () => {
    const noSrv = async () => [];

    it("uses plugin.choria.middleware_hosts when set", async () => {
      const config = Config.fromText("plugin.choria.middleware_hosts = nats1:4223, nats://nats2\n");
      assert.deepEqual(await middlewareHosts(config, noSrv), [
        { host: "nats1", port: 4223 },
        { host: "nats2", port: 4222 },
      ]);
    });

    it("looks up _mcollective-server._tcp under the identity's domain, in priority order", async () => {
      const asked: string[] = [];
      const resolver = async (name: string) => {
        asked.push(name);
        return name.startsWith("_mcollective-server")
          ? [
              { name: "b.example.net", port: 4222, priority: 20, weight: 0 },
              { name: "a.example.net", port: 4222, priority: 10, weight: 0 },
            ]
          : [];
      };
      const hosts = await middlewareHosts(Config.fromText("identity = n1.example.net\n"), resolver);
      assert.deepEqual(asked, ["_mcollective-server._tcp.example.net"]);
      assert.deepEqual(hosts.map((h) => h.host), ["a.example.net", "b.example.net"]);
    });

    it("uses plugin.choria.srv_domain and falls back to _x-puppet-mcollective._tcp", async () => {
      const asked: string[] = [];
      const resolver = async (name: string) => {
        asked.push(name);
        return name.startsWith("_x-puppet") ? [{ name: "x.other.org", port: 4333, priority: 1, weight: 1 }] : [];
      };
      const hosts = await middlewareHosts(Config.fromText("identity = n1.example.net\nplugin.choria.srv_domain = other.org\n"), resolver);
      assert.deepEqual(asked, ["_mcollective-server._tcp.other.org", "_x-puppet-mcollective._tcp.other.org"]);
      assert.deepEqual(hosts, [{ host: "x.other.org", port: 4333 }]);
    });

    it("falls back to puppet:4222 when SRV is off or finds nothing", async () => {
      assert.deepEqual(await middlewareHosts(Config.fromText("identity = n1.example.net\nplugin.choria.use_srv = false\n"), async () => {
        throw new Error("must not be asked");
      }), [{ host: "puppet", port: 4222 }]);
      assert.deepEqual(await middlewareHosts(Config.fromText("identity = n1.example.net\n"), noSrv), [{ host: "puppet", port: 4222 }]);
    });
  });
});
