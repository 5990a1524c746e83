/**
 * The frames we write, recorded at a plain TCP socket, against the golden frames Ruby wrote (wire-legacy 02, 08, 09),
 * and golden broker frames replayed to us. Differences the library makes, all harmless to brokers, are named here:
 * - ruby-stomp adds `content-type` to every frame and `content-length:0` to frames without a body; we do not;
 * - SUBSCRIBE carries a `receipt` (flush waits for it) and, on STOMP 1.0, the `id` that legacy sends only on 1.1;
 * - a 1.0 CONNECT carries `heart-beat:0,0`; UNSUBSCRIBE names the `id` rather than the destination;
 * - SEND puts `destination` first instead of after the legacy headers.
 */
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { connectStomp, type StompTransport } from "../../src/transport/stomp/index.js";
import { stompSettings } from "../helpers/stomp-broker.js";
import { FrameRecorder, goldenFrames, type Frame, type GoldenFrame } from "../helpers/stomp-recorder.js";
import { Deliveries } from "../helpers/deliveries.js";

const GEM_ONLY = new Set(["content-type"]);

/** A golden frame's headers without what only ruby-stomp adds. */
function legacyHeaders(frame: Frame): Array<[string, string]> {
  return frame.headers.filter(([k, v]) => !GEM_ONLY.has(k) && !(k === "content-length" && v === "0" && frame.body.length === 0));
}

/** Our frame's headers without what only the library adds (see the file comment). */
function ourHeaders(frame: Frame, version: "1.0" | "1.1"): Array<[string, string]> {
  return frame.headers.filter(
    ([k, v]) =>
      !(frame.command === "SUBSCRIBE" && k === "receipt") &&
      !(version === "1.0" && frame.command === "SUBSCRIBE" && k === "id") &&
      !(version === "1.0" && frame.command === "CONNECT" && k === "heart-beat" && v === "0,0"),
  );
}

/** SEND headers with `destination` moved to where ruby-stomp puts it (after the connector's own headers). */
function destinationLast(headers: Array<[string, string]>): Array<[string, string]> {
  const dest = headers.filter(([k]) => k === "destination");
  const rest = headers.filter(([k]) => k !== "destination");
  const at = rest.findIndex(([k]) => k === "content-length");
  return at < 0 ? [...rest, ...dest] : [...rest.slice(0, at), ...dest, ...rest.slice(at)];
}

/** Answers CONNECT with the golden CONNECTED and DISCONNECT with a RECEIPT. */
function brokerLike(connected: GoldenFrame) {
  return (frame: Frame, socket: Socket) => {
    if (frame.command === "CONNECT") socket.write(Buffer.concat([connected.raw, Buffer.from("\n")]));
    const receipt = frame.headers.find(([k]) => k === "receipt")?.[1];
    if (frame.command === "DISCONNECT" && receipt) socket.write(`RECEIPT\nreceipt-id:${receipt}\n\n\0\n`);
  };
}

const AGENTS = ["discovery", "rpcutil", "package", "puppet", "service"];

describe("STOMP frames against the golden legacy frames", () => {
  let recorder: FrameRecorder | undefined;
  let transport: StompTransport | undefined;
  const realNow = Date.now;

  afterEach(async () => {
    Date.now = realNow;
    await transport?.close();
    await recorder?.close();
    transport = recorder = undefined;
  });

  for (const [capture, version, extra] of [
    ["08-daemon-startup-stomp10", "1.0", []],
    ["09-daemon-startup-stomp11-heartbeats", "1.1", ["plugin.activemq.heartbeat_interval = 30"]],
  ] as const) {
    it(`a daemon's CONNECT and SUBSCRIBEs match ${capture}`, async () => {
      const golden = goldenFrames(capture);
      const connected = golden.find((f) => f.command === "CONNECTED")!;
      recorder = new FrameRecorder(brokerLike(connected));
      const port = await recorder.listen();
      transport = await connectStomp(stompSettings("activemq", [`127.0.0.1:${port}`], [...extra]), { identity: "node1.example.net", mode: "daemon" });
      assert.equal(transport.negotiated()?.version, version);
      transport.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, () => undefined);
      for (const agent of AGENTS) transport.subscribe({ kind: "agent", collective: "mcollective", agent }, () => undefined);

      const ours = await recorder.waitFor(1 + 1 + AGENTS.length);
      const theirs = golden.filter((f) => f.dir === "c2s");
      assert.deepEqual(
        ours.map((f) => [f.command, ourHeaders(f, version)]),
        theirs.map((f) => [f.command, legacyHeaders(f)]),
      );
    });
  }

  it("a client's reply SUBSCRIBE and direct SEND match 02, and a replayed 1.0 reply (no subscription header) reaches the inbox", async () => {
    const golden = goldenFrames("02-psk-rpcutil-ping-direct");
    const mco = golden.filter((f) => f.peer.startsWith("mco "));
    const legacyPid = /_(\d+)\.1$/.exec(mco.find((f) => f.command === "SUBSCRIBE")!.headers[0][1])![1];
    const ourPid = (text: string) => text.replaceAll(`_${legacyPid}.`, `_${process.pid}.`);
    recorder = new FrameRecorder(brokerLike(mco.find((f) => f.command === "CONNECTED")!));
    const port = await recorder.listen();
    transport = await connectStomp(stompSettings("activemq", [`127.0.0.1:${port}`]), { identity: "mco-client.example.net", mode: "client" });
    const inbox = transport.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 1 });
    const send = mco.find((f) => f.command === "SEND")!;
    // The capture's clock, so that timestamp and expires come out as Ruby wrote them.
    Date.now = () => Number(send.headers.find(([k]) => k === "timestamp")![1]) + 321;
    transport.publish({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, send.body, { replyTo: inbox.replyTo, ttl: 60 });
    Date.now = realNow;

    const [, subscribe, sent] = await recorder.waitFor(3);
    const expected = mco.filter((f) => f.command === "SUBSCRIBE" || f.command === "SEND");
    assert.deepEqual(ourHeaders(subscribe, "1.0"), legacyHeaders(expected[0]).map(([k, v]) => [k, ourPid(v)]));
    assert.deepEqual(destinationLast(sent.headers), legacyHeaders(expected[1]).map(([k, v]) => [k, ourPid(v)]));
    assert.deepEqual(sent.body, send.body);

    const reply = mco.find((f) => f.command === "MESSAGE")!;
    assert.equal(reply.headers.find(([k]) => k === "subscription"), undefined, "1.0 MESSAGEs name no subscription");
    recorder.send(Buffer.from(ourPid(reply.raw.toString("latin1")), "latin1"));
    const got = await inbox.next(Date.now() + 3000);
    assert.ok(got, "routed by destination to the inbox");
    assert.deepEqual(Buffer.from(got.body), reply.body);
    assert.equal(got.headers.mc_sender, "node1.example.net");

    // Then, as the capture ends: UNSUBSCRIBE the reply queue, DISCONNECT.
    inbox.close();
    await transport.close();
    transport = undefined;
    const [unsubscribe, disconnect] = (await recorder.waitFor(5)).slice(3);
    assert.equal(unsubscribe.command, "UNSUBSCRIBE");
    assert.deepEqual(unsubscribe.headers, [["id", ourPid(legacyHeaders(expected[0])[0][1])]]);
    assert.equal(disconnect.command, "DISCONNECT");
  });

  it("a daemon reads a replayed 1.0 request and its reply SEND matches 02", async () => {
    const golden = goldenFrames("02-psk-rpcutil-ping-direct");
    const node = golden.filter((f) => f.peer.startsWith("mcollectived node1"));
    const connected = goldenFrames("08-daemon-startup-stomp10").find((f) => f.command === "CONNECTED")!;
    recorder = new FrameRecorder(brokerLike(connected));
    const port = await recorder.listen();
    transport = await connectStomp(stompSettings("activemq", [`127.0.0.1:${port}`]), { identity: "node1.example.net", mode: "daemon" });
    const requests = new Deliveries();
    transport.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, requests.handler);
    await recorder.waitFor(2);

    const request = node.find((f) => f.command === "MESSAGE")!;
    recorder.send(Buffer.concat([request.raw, Buffer.from("\n")]));
    const got = await requests.nth(0, 3000, "replayed request");
    assert.deepEqual(Buffer.from(got.body), request.body);
    assert.equal(got.replyTo, request.headers.find(([k]) => k === "reply-to")![1]);

    const send = node.find((f) => f.command === "SEND")!;
    Date.now = () => Number(send.headers.find(([k]) => k === "timestamp")![1]) + 5;
    transport.publish({ kind: "reply", target: got.replyTo! }, send.body, { ttl: 60 });
    Date.now = realNow;
    const ours = (await recorder.waitFor(3))[2];
    assert.deepEqual(destinationLast(ours.headers), legacyHeaders(send));
    assert.deepEqual(ours.body, send.body);
  });
});
