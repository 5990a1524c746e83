/**
 * Our STOMP transport and Debian's ruby-stomp (the gem legacy MCollective runs on) on one real ActiveMQ: a Ruby node
 * on STOMP 1.0 (SUBSCRIBE without id, selector) gets our direct request byte for byte and answers our inbox.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { RunningActiveMq } from "../../src/transport/activemq-broker.js";
import { connectStomp, type StompTransport } from "../../src/transport/stomp/index.js";
import { STOMP_PASSWORD, STOMP_USER, stompSettings, testActiveMq } from "../helpers/stomp-broker.js";

const BINARY = Uint8Array.from([0x04, 0x08, 0x7b, 0x00, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, 0x0a, 0x0d, 0x00]);

/** A Ruby node: subscribes as mcollectived does on 1.0, prints what it got, answers to the reply-to. */
const RUBY_NODE = `
require "stomp"
c = Stomp::Connection.new(hosts: [{ login: ARGV[1], passcode: ARGV[2], host: "127.0.0.1", port: Integer(ARGV[0]) }],
                          reliable: false, connect_headers: { "accept-version" => "1.0", "host" => "mcollective" })
c.subscribe("/queue/mcollective.nodes", { "selector" => "mc_identity = 'ruby.example.net'" })
$stdout.puts "subscribed"; $stdout.flush
msg = c.receive
$stdout.puts [msg.body.unpack1("H*"), msg.headers["mc_identity"], msg.headers["mc_sender"], msg.headers["reply-to"]].join(" ")
c.publish(msg.headers["reply-to"], "\\x00\\xffruby\\x00".b, { "mc_sender" => "ruby.example.net" })
c.disconnect
$stdout.puts "done"; $stdout.flush
`;

describe("STOMP transport and Ruby's stomp gem on a real ActiveMQ", function () {
  this.timeout(60_000);
  let broker: RunningActiveMq;
  let mco: StompTransport | undefined;

  before(async () => {
    broker = await testActiveMq();
  });

  after(async () => {
    await mco?.close();
    await broker?.stop();
  });

  it("a Ruby 1.0 node receives our direct request byte for byte and its reply reaches our inbox", async () => {
    const ruby = spawn("ruby", ["-e", RUBY_NODE, String(broker.port), STOMP_USER, STOMP_PASSWORD], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    ruby.stderr.on("data", (d) => (stderr += d));
    const lines = createInterface({ input: ruby.stdout })[Symbol.asyncIterator]();
    const line = async () => {
      const next = await Promise.race([lines.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`ruby said nothing: ${stderr}`)), 15_000))]);
      assert.ok(!next.done, `ruby ended early: ${stderr}`);
      return next.value as string;
    };
    try {
      assert.equal(await line(), "subscribed");
      mco = await connectStomp(stompSettings("activemq", [`127.0.0.1:${broker.port}`]), { identity: "mco-client.example.net", mode: "client" });
      const inbox = mco.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 1 });
      mco.publish({ kind: "node", collective: "mcollective", identity: "ruby.example.net" }, BINARY, { replyTo: inbox.replyTo, ttl: 60 });

      const [hex, identity, sender, replyTo] = (await line()).split(" ");
      assert.equal(hex, Buffer.from(BINARY).toString("hex"), "Ruby read the body by content-length, NULs and all");
      assert.deepEqual([identity, sender, replyTo], ["ruby.example.net", "mco-client.example.net", inbox.replyTo]);
      const reply = await inbox.next(Date.now() + 10_000);
      assert.ok(reply, "Ruby's reply reached the inbox");
      assert.equal(Buffer.from(reply.body).toString("hex"), Buffer.from("\x00\xffruby\x00", "latin1").toString("hex"));
      assert.equal(reply.headers.mc_sender, "ruby.example.net");
      assert.equal(await line(), "done");
      inbox.close();
    } finally {
      ruby.kill();
    }
  });
});
