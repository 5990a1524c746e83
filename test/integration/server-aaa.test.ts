import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectBroker, type NatsConnection, type RunningBroker } from "../../src/transport/index.js";
import { decodeRequest } from "../../src/protocol/index.js";
import { testBroker } from "../helpers/broker.js";
import { testCert } from "../helpers/pki.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, NATIVE_ONLY, spawnServer, waitFor, writeServerConfig, type ServerNode } from "../helpers/server.js";

const NODE = "aaa1.example.net";

describe("mcompat server with actionpolicy, audit and registration switched on in server.cfg", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;
  let watcher: NatsConnection;
  const registrations: string[] = [];

  before(async () => {
    broker = await testBroker();
    const tls = await testCert("watcher.mcollective");
    watcher = await connectBroker({ brokers: [{ host: "127.0.0.1", port: broker.port }], tls, name: "watcher", mode: "client" });
    watcher.subscribe("mcollective.broadcast.agent.registration", { callback: (_err, msg) => void registrations.push(msg.string()) });
    await watcher.flush();

    const files = await writeServerConfig(
      {
        identity: NODE,
        factsFile: join(FIXTURES, "facts", "node1.yaml"),
        extra: {
          ...NATIVE_ONLY,
          rpcauthorization: "1",
          rpcauthprovider: "action_policy",
          "plugin.actionpolicy.allow_unconfigured": "1",
          rpcaudit: "1",
          rpcauditprovider: "logfile",
          registerinterval: "1",
          registration: "Agentlist",
        },
      },
      broker.port,
    );
    // The policy lets anyone ping but keeps get_config_item for another caller (fields are TAB-separated).
    mkdirSync(join(files.dir, "policies"));
    writeFileSync(join(files.dir, "policies", "rpcutil.policy"), "policy default deny\nallow\t*\tping get_fact\t*\t*\nallow\tchoria=admin.mcollective\t*\t*\t*\n");
    writeFileSync(files.configFile, `${readFileSync(files.configFile, "utf8")}plugin.rpcaudit.logfile = ${join(files.dir, "audit.log")}\n`);
    node = await spawnServer(NODE, files);
    client = await Requester.connect(broker.port, [NODE]);
  });

  after(async () => {
    await client?.close();
    await watcher?.close();
    await node?.stop();
    await broker?.stop();
  });

  const call = async (action: string, data: Record<string, unknown> = {}) =>
    (await client.request({ agent: "rpcutil", action, data, targets: [NODE], expect: [NODE] }))[0].rpc!;

  it("answers an action the policy allows", async () => {
    assert.equal((await call("ping")).statuscode, 0);
  });

  it("denies an action the policy keeps for another caller, with the legacy statuscode and message", async () => {
    const reply = await call("get_config_item", { item: "identity" });
    assert.equal(reply.statuscode, 1);
    assert.equal(reply.statusmsg, "You are not authorized to call this agent or action.");
  });

  it("writes one legacy audit line per authorized request", async () => {
    await call("get_fact", { fact: "country" });
    const lines = readFileSync(join(node.dir, "audit.log"), "utf8").trim().split("\n");
    const facts = lines.filter((l) => / agent=rpcutil action=get_fact data=\{:fact=>"country", :process_results=>true\}$/.test(l));
    assert.equal(facts.length, 1, lines.join("\n"));
    assert.match(facts[0], /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] reqid=[0-9a-f]{32}: reqtime=\d+ caller=choria=tester\.mcollective@tester\.example\.net agent=rpcutil action=get_fact data=/);
  });

  it("publishes signed registration requests carrying its agent list", async () => {
    await waitFor(() => registrations.length >= 2, () => false, async () => `only ${registrations.length} registration messages arrived`);
    const request = decodeRequest(registrations[0], Math.floor(Date.now() / 1000));
    assert.equal(request.envelope.agent, "registration");
    assert.equal(request.envelope.senderid, NODE);
    assert.equal(request.envelope.callerid, `choria=${NODE}`);
    const agents = JSON.parse(request.message) as string[];
    assert.ok(agents.includes("rpcutil") && agents.includes("discovery"), request.message);
  });
});
