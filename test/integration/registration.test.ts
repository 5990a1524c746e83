import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Config } from "../../src/config/index.js";
import { decodeRequest, type DecodedRequest } from "../../src/protocol/index.js";
import { loadSigner, RequestVerifier, type Signer } from "../../src/security/index.js";
import { startRegistration, type RegistrationOptions } from "../../src/server/registration/index.js";
import { connectBroker, natsSubject, type RunningBroker } from "../../src/transport/index.js";
import { ChoriaCodec } from "../../src/wire/index.js";
import { testBroker } from "../helpers/broker.js";
import { testCert } from "../helpers/pki.js";

const IDENTITY = "node1.example.net";
const INVENTORY = { agents: ["rpcutil", "package"], classes: ["role::web"], facts: { country: "uk" }, collectives: ["mcollective"] };

/** Collects published messages until `count` arrive (bounded generously, never timed as an assertion). */
function collector(count: number) {
  const messages: Array<{ subject: string; decoded: DecodedRequest }> = [];
  let resolve: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const publish = (subject: string, payload: string) => {
    messages.push({ subject, decoded: decodeRequest(payload, Math.floor(Date.now() / 1000)) });
    if (messages.length === count) resolve();
  };
  return { messages, publish, done };
}

describe("registration", function () {
  this.timeout(20000);
  let signer: Signer;
  let dir: string;
  const stops: Array<{ stop(): void }> = [];

  before(async () => {
    const files = await testCert(IDENTITY);
    signer = loadSigner({ certname: IDENTITY, ...files });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mcompat-registration-"))));
  afterEach(() => {
    stops.splice(0).forEach((s) => s.stop());
    rmSync(dir, { recursive: true, force: true });
  });

  function start(configText: string, publish: (subject: string, payload: string) => void, log?: RegistrationOptions["log"]) {
    const codec = new ChoriaCodec({ signer });
    const handle = startRegistration({
      config: Config.fromText(configText),
      publish: (dest, payload) => publish(natsSubject(dest), String(payload)),
      encode: (request) => codec.encodeRequest(request),
      identity: IDENTITY,
      inventory: () => INVENTORY,
      log,
    });
    stops.push(handle);
    return handle;
  }

  describe("publishing", () => {
    it("sends the legacy agent list every registerinterval as a signed request to agent registration", async () => {
      const c = collector(2);
      start("registerinterval = 1\n", c.publish);
      await c.done;
      for (const { subject, decoded } of c.messages) {
        assert.equal(subject, "mcollective.broadcast.agent.registration");
        assert.equal(decoded.headers["reply-to"], "dev.null");
        assert.equal(decoded.envelope.agent, "registration");
        assert.equal(decoded.envelope.senderid, IDENTITY);
        assert.equal(decoded.envelope.callerid, "choria=node1.example.net");
        assert.deepEqual(decoded.envelope.filter.agent, ["registration"]);
        assert.deepEqual(JSON.parse(decoded.message), ["rpcutil", "package"]);
      }
      assert.notEqual(c.messages[0].decoded.envelope.requestid, c.messages[1].decoded.envelope.requestid);
    });

    it("publishes nothing when registerinterval is 0", async () => {
      const published: string[] = [];
      start("registration = inventory_content\n", (subject) => published.push(subject));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(published, []);
    });

    it("sends inventory_content gzipped, or plain when compression is off", async () => {
      const zipped = collector(1);
      start("registerinterval = 60\nregistration = inventory_content\n", zipped.publish);
      await zipped.done;
      const body = JSON.parse(zipped.messages[0].decoded.message);
      assert.equal(body.protocol, "choria:registration:inventorycontent:1");
      assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(body.zcontent, "base64")).toString()), INVENTORY);

      const plain = collector(1);
      start("registerinterval = 60\nregistration = inventory_content\nplugin.choria.registration.inventory_content.compression = false\n", plain.publish);
      await plain.done;
      assert.deepEqual(JSON.parse(plain.messages[0].decoded.message), { protocol: "choria:registration:inventorycontent:1", content: INVENTORY });
    });

    it("sends file_content to its custom target, flagging a file changed since the last poll", async () => {
      const file = join(dir, "registration.json");
      writeFileSync(file, '{"role":"web"}');
      const c = collector(2);
      start(
        `registerinterval = 1\nregistration = file_content\nplugin.choria.registration.file_content.data = ${file}\n` +
          "plugin.choria.registration.file_content.target = myco.cmdb\nplugin.choria.registration.file_content.compression = no\n",
        c.publish,
      );
      await c.done;
      const [first, second] = c.messages.map((m) => ({ subject: m.subject, body: JSON.parse(m.decoded.message) }));
      assert.equal(first.subject, "myco.cmdb");
      assert.deepEqual(
        { ...first.body, mtime: undefined },
        { protocol: "choria:registration:filecontent:1", file, mtime: undefined, updated: true, content: Buffer.from('{"role":"web"}').toString("base64") },
      );
      assert.equal(second.body.updated, false);
    });

    it("logs a failing provider and keeps the others going", async () => {
      const logs: string[] = [];
      const c = collector(1);
      start("registerinterval = 60\nregistration = file_content, agentlist, bogus\n", c.publish, (level, msg) => logs.push(`${level}: ${msg}`));
      await c.done;
      assert.deepEqual(JSON.parse(c.messages[0].decoded.message), ["rpcutil", "package"]);
      assert.ok(logs.some((l) => l.startsWith("warn: Unknown registration plugin 'bogus'")));
      assert.ok(logs.some((l) => l.startsWith("error: Sending file_content registration message failed: file_content registration needs")));
    });

    it("sends to registration_collective, or the main collective when that is not one of ours", async () => {
      const sub = collector(1);
      start("registerinterval = 60\ncollectives = mcollective,uk\nregistration_collective = uk\n", sub.publish);
      await sub.done;
      assert.equal(sub.messages[0].subject, "uk.broadcast.agent.registration");
      assert.equal(sub.messages[0].decoded.envelope.collective, "uk");

      const logs: string[] = [];
      const main = collector(1);
      start("registerinterval = 60\nregistration_collective = elsewhere\n", main.publish, (level, msg) => logs.push(`${level}: ${msg}`));
      await main.done;
      assert.equal(main.messages[0].subject, "mcollective.broadcast.agent.registration");
      assert.ok(logs.includes("warn: Sending registration to mcollective: elsewhere is not a valid collective"));
    });
  });

  describe("over a real TLS broker", () => {
    let broker: RunningBroker;
    before(async () => (broker = await testBroker()));
    after(async () => broker?.stop());

    it("delivers signed registration requests that a subscriber can verify", async () => {
      const connect = async (name: string) =>
        connectBroker({ brokers: [{ host: "127.0.0.1", port: broker.port }], tls: await testCert(name), name, mode: "client" });
      const listener = await connect("registry.mcollective");
      const node = await connect(IDENTITY);
      try {
        const sub = listener.subscribe("mcollective.broadcast.agent.registration", { max: 2 });
        await listener.flush();
        start("registerinterval = 1\nregistration = inventory_content\n", (subject, payload) => node.publish(subject, payload));
        const files = await testCert(IDENTITY);
        const verifier = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8"), allowlist: [/\.example\.net$/] });
        let received = 0;
        for await (const msg of sub) {
          const decoded = decodeRequest(msg.data, Math.floor(Date.now() / 1000));
          assert.equal(verifier.verify(decoded).callerid, "choria=node1.example.net");
          assert.equal(JSON.parse(decoded.message).protocol, "choria:registration:inventorycontent:1");
          received++;
        }
        assert.equal(received, 2);
      } finally {
        await node.close();
        await listener.close();
      }
    });
  });
});
