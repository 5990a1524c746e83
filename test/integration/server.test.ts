import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { Requester, type Reply } from "../helpers/requester.js";
import { FIXTURES, NATIVE_ONLY, startServers, type ServerNode } from "../helpers/server.js";

const IDS = ["node1.example.net", "node2.example.net", "node3.example.net"];
const spec = (n: number) => ({
  identity: IDS[n - 1],
  factsFile: join(FIXTURES, "facts", `node${n}.yaml`),
  classesFile: join(FIXTURES, "facts", `node${n}.classes.txt`),
  extra: NATIVE_ONLY,
});
const senders = (replies: Reply[]) => replies.map((r) => r.sender).sort();

describe("mcompat server (three real daemons on a TLS broker)", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let client: Requester;

  before(async () => {
    broker = await testBroker();
    nodes = await startServers([spec(1), spec(2), spec(3)], broker.port);
    client = await Requester.connect(broker.port, IDS);
  });

  after(async () => {
    await client?.close();
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  const rpc = async (action: string, data: Record<string, unknown> = {}, target = IDS[0]) => {
    const [reply] = await client.request({ agent: "rpcutil", action, data, targets: [target], expect: [target] });
    return reply;
  };

  it("answers a discovery ping from every node with pong and mc_sender set", async () => {
    const replies = await client.request({ agent: "discovery", message: JSON.stringify("ping"), expect: IDS });
    assert.deepEqual(senders(replies), IDS);
    for (const r of replies) {
      assert.equal(r.decoded.message, JSON.stringify("pong"));
      assert.equal(r.decoded.headers.mc_sender, r.sender);
      assert.equal(r.decoded.envelope.agent, "discovery");
    }
  });

  it("answers rpcutil ping with the current time", async () => {
    const before = Math.floor(Date.now() / 1000);
    const reply = await rpc("ping");
    assert.equal(reply.rpc?.statuscode, 0);
    assert.equal(reply.rpc?.statusmsg, "OK");
    assert.ok((reply.rpc?.data.pong as number) >= before);
  });

  it("reports inventory: agents, facts, classes, collectives, data plugins, version", async () => {
    const { data } = (await rpc("inventory")).rpc!;
    assert.deepEqual(Object.keys(data).sort(), ["agents", "classes", "collectives", "data_plugins", "facts", "machines", "main_collective", "upgradable", "version"]);
    assert.ok((data.agents as string[]).includes("rpcutil") && (data.agents as string[]).includes("discovery"));
    assert.deepEqual(data.classes, ["role::db", "profile::base", "mcollective::service"]);
    assert.deepEqual(data.collectives, ["mcollective"]);
    assert.equal((data.facts as { os: { family: string } }).os.family, "Debian");
    assert.equal(data.main_collective, "mcollective");
    assert.ok((data.data_plugins as string[]).includes("fstat"));
  });

  it("gets one fact by dot path, null when missing", async () => {
    assert.deepEqual((await rpc("get_fact", { fact: "os.release.major" }, IDS[2])).rpc?.data, { fact: "os.release.major", value: "9" });
    assert.deepEqual((await rpc("get_fact", { fact: "no.such.fact" })).rpc?.data, { fact: "no.such.fact", value: null });
  });

  it("gets several facts", async () => {
    assert.deepEqual((await rpc("get_facts", { facts: "country, role" }, IDS[1])).rpc?.data, { values: { country: "uk", role: "web" } });
  });

  it("lists agents with their DDL metadata", async () => {
    const agents = (await rpc("agent_inventory")).rpc?.data.agents as Array<Record<string, unknown>>;
    const rpcutil = agents.find((a) => a.agent === "rpcutil")!;
    assert.equal(rpcutil.name, "rpcutil");
    for (const key of ["description", "author", "license", "version", "url", "timeout"]) assert.ok(key in rpcutil, `agent_inventory lacks ${key}`);
    assert.ok(agents.some((a) => a.agent === "discovery"));
  });

  it("counts requests in daemon_stats", async () => {
    const first = (await rpc("daemon_stats", {}, IDS[1])).rpc!.data;
    const second = (await rpc("daemon_stats", {}, IDS[1])).rpc!.data;
    assert.ok((second.total as number) > (first.total as number));
    assert.ok((second.replies as number) > (first.replies as number));
    assert.ok((second.passed as number) > (first.passed as number));
    assert.equal(second.pid, nodes[1].pid);
    assert.equal(second.configfile, nodes[1].configFile);
    for (const key of ["filtered", "ttlexpired", "unvalidated", "validated", "starttime", "threads", "times", "events", "agents", "version"]) assert.ok(key in second, `daemon_stats lacks ${key}`);
  });

  it("reports collective_info", async () => {
    assert.deepEqual((await rpc("collective_info")).rpc?.data, { main_collective: "mcollective", collectives: ["mcollective"] });
  });

  it("gets a config item, and fails an unknown one as mcollectived does", async () => {
    assert.deepEqual((await rpc("get_config_item", { item: "identity" })).rpc?.data, { item: "identity", value: IDS[0] });
    const unknown = (await rpc("get_config_item", { item: "nosuchitem" })).rpc!;
    assert.deepEqual(unknown, { statuscode: 1, statusmsg: "Unknown config property nosuchitem", data: { item: null, value: null } });
  });

  it("runs a data plugin for get_data", async () => {
    const reply = (await rpc("get_data", { source: "fstat", query: "/etc/hosts" })).rpc!;
    assert.equal(reply.statuscode, 0);
    assert.equal(reply.data.type, "file");
    assert.equal(reply.data.present, 1);
  });

  it("fails get_data for a data plugin it does not have", async () => {
    const reply = (await rpc("get_data", { source: "nosuch" })).rpc!;
    assert.equal(reply.statuscode, 1);
    assert.match(reply.statusmsg, /Unknown data plugin nosuch/);
  });

  it("replies 2 to an unknown action, and 4 to a missing or an invalid input as the legacy server does", async () => {
    assert.deepEqual((await rpc("frobnicate")).rpc, { statuscode: 2, statusmsg: "Unknown action 'frobnicate' for agent 'rpcutil'", data: {} });
    assert.equal((await rpc("get_fact", {})).rpc?.statuscode, 4);
    assert.equal((await rpc("get_facts", { facts: "not a;list" })).rpc?.statuscode, 4);
  });

  it("sends no reply when process_results is false", async () => {
    const replies = await client.request({ agent: "rpcutil", action: "ping", data: { process_results: false }, targets: [IDS[0]], expect: [] });
    assert.deepEqual(replies, []);
  });

  describe("filters", () => {
    const find = async (filter: Record<string, unknown>, expect: string[]) =>
      senders(await client.request({ agent: "discovery", message: JSON.stringify("ping"), filter, expect }));
    const fact = (f: string, operator: string, value: string) => ({ fact: [{ fact: f, operator, value }] });

    it("by fact, with every operator", async () => {
      assert.deepEqual(await find(fact("country", "==", "uk"), IDS.slice(0, 2)), IDS.slice(0, 2));
      assert.deepEqual(await find(fact("country", "!=", "uk"), [IDS[2]]), [IDS[2]]);
      assert.deepEqual(await find(fact("role", "=~", "/^w/"), IDS.slice(1)), IDS.slice(1));
      assert.deepEqual(await find(fact("memory_mb", ">=", "4096"), [IDS[0], IDS[2]]), [IDS[0], IDS[2]]);
      assert.deepEqual(await find(fact("memory_mb", ">", "4096"), [IDS[2]]), [IDS[2]]);
      assert.deepEqual(await find(fact("memory_mb", "<", "4096"), [IDS[1]]), [IDS[1]]);
      assert.deepEqual(await find(fact("memory_mb", "<=", "4096"), IDS.slice(0, 2)), IDS.slice(0, 2));
    });

    it("by nested fact", async () => {
      assert.deepEqual(await find(fact("os.family", "==", "RedHat"), [IDS[2]]), [IDS[2]]);
      assert.deepEqual(await find(fact("networking.interfaces.eth0.ip", "=~", "^10\\.0\\.1\\."), IDS.slice(0, 2)), IDS.slice(0, 2));
    });

    it("by class, plain and regex", async () => {
      assert.deepEqual(await find({ cf_class: ["role::web"] }, IDS.slice(1)), IDS.slice(1));
      assert.deepEqual(await find({ cf_class: ["/^mcollective::/"] }, IDS.slice(0, 2)), IDS.slice(0, 2));
    });

    it("by identity, plain and regex", async () => {
      assert.deepEqual(await find({ identity: [IDS[1]] }, [IDS[1]]), [IDS[1]]);
      assert.deepEqual(await find({ identity: ["/node[13]/"] }, [IDS[0], IDS[2]]), [IDS[0], IDS[2]]);
    });

    it("by agent", async () => {
      assert.deepEqual(await find({ agent: ["rpcutil"] }, IDS), IDS);
      assert.deepEqual(await find({ agent: ["no_such_agent"] }, []), []);
    });

    it("by compound token list and by expression", async () => {
      const tokens = [[{ statement: "country=uk" }, { and: "and" }, { not: "not" }, { statement: "role::web" }]];
      assert.deepEqual(await find({ compound: tokens }, [IDS[0]]), [IDS[0]]);
      const expr = [[{ expr: "with('role::web') && fact('os.family') == 'Debian'" }]];
      assert.deepEqual(await find({ compound: expr }, [IDS[1]]), [IDS[1]]);
    });

    it("by compound data-plugin calls the node answers", async () => {
      const call = (params: string, value: string, operator: string, r_compare: string) => [[{ fstatement: { name: "fact", params, value, operator, r_compare } }]];
      assert.deepEqual(await find({ compound: call("os.family", "value", "==", "RedHat") }, [IDS[2]]), [IDS[2]]);
      assert.deepEqual(await find({ compound: [[{ expr: "fstat('/etc/hosts').type == 'file' && fact('role') == 'db'" }]] }, [IDS[0]]), [IDS[0]]);
      const unknown = [[{ fstatement: { name: "nosuch", params: null, value: "x", operator: "==", r_compare: "1" } }]];
      assert.deepEqual(await find({ compound: unknown }, []), []);
    });
  });

  it("drops malformed, badly signed and expired requests, counts them, and keeps serving", async () => {
    const target = IDS[2];
    const before = (await rpc("daemon_stats", {}, target)).rpc!.data;
    client.publishRaw(`mcollective.node.${target}`, "this is not json");
    const good = client.payload({ agent: "rpcutil", collective: "mcollective", targets: [target] }, JSON.stringify({ agent: "rpcutil", action: "ping", data: {} }), "mcollective.reply.x.1.1");
    const forged = Buffer.from(JSON.parse(good).data, "base64").toString().replace(/"signature":"[^"]{8}/, '"signature":"AAAAAAAA');
    client.publishRaw(`mcollective.node.${target}`, JSON.stringify({ protocol: "choria:transport:1", data: Buffer.from(forged).toString("base64"), headers: { "reply-to": "mcollective.reply.x.1.1" } }));
    const expired = await client.request({ agent: "rpcutil", action: "ping", targets: [target], time: Math.floor(Date.now() / 1000) - 3600, expect: [] });
    assert.deepEqual(expired, []);
    const after = (await rpc("daemon_stats", {}, target)).rpc!.data;
    assert.ok((after.unvalidated as number) >= (before.unvalidated as number) + 2, "malformed and forged requests counted as unvalidated");
    assert.ok((after.ttlexpired as number) >= (before.ttlexpired as number) + 1, "expired request counted");
    assert.match(nodes[2].log(), /dropped malformed message/);
  });

  it("picks up a new fact on SIGHUP", async () => {
    appendFileSync(nodes[2].factsFile, "team: ops\n");
    await nodes[2].reload();
    const replies = await client.request({ agent: "discovery", message: JSON.stringify("ping"), filter: { fact: [{ fact: "team", operator: "==", value: "ops" }] }, expect: [IDS[2]] });
    assert.deepEqual(senders(replies), [IDS[2]]);
  });
});
