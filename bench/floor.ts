/**
 * The floor responder (bench/floor-responder.ts) in a process of its own, as a daemon runs:
 * `node dist/bench/floor.js <identity> <activemq|rabbitmq> <port>` prints "ready" once subscribed and stops when its
 * stdin closes.
 */
import type { LegacyWire } from "../test/helpers/legacy.js";
import { startFloorResponder } from "./floor-responder.js";

const [identity, connector, port] = process.argv.slice(2);
const responder = await startFloorResponder(identity, { connector: connector as LegacyWire["connector"], port: Number(port), security: "psk" });
process.stdout.write("ready\n");
process.stdin.resume();
process.stdin.on("end", () => void responder.stop().then(() => process.exit(0)));
