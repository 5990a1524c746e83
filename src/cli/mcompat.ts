/** `mcompat`: the server-side command (broker, server, quickstart, operator tools). */
import { Command } from "commander";
import { registerAdapter } from "./commands/adapter.js";
import { registerBroker } from "./commands/broker.js";
import { registerDdl } from "./commands/ddl.js";
import { registerEmulate } from "./commands/emulate.js";
import { registerFederation } from "./commands/federation.js";
import { registerForge } from "./commands/forge.js";
import { registerPlugin } from "./commands/plugin.js";
import { registerServer } from "./commands/server.js";
import { registerUp } from "./commands/up.js";
import { registerWire } from "./commands/wire.js";
import { runProgram } from "./run.js";

const program = new Command("mcompat").description("MCollective-compatible server and tools speaking Choria over NATS and legacy MCollective over STOMP");
registerBroker(program);
registerServer(program);
registerEmulate(program);
registerFederation(program);
registerAdapter(program);
registerUp(program);
registerWire(program);
registerDdl(program);
registerForge(program);
registerPlugin(program);

await runProgram(program);
