/** `mcompat`: the server-side command (broker, server, quickstart, operator tools). */
import { Command } from "commander";
import { registerBroker } from "./commands/broker.js";
import { registerDdl } from "./commands/ddl.js";
import { registerUp } from "./commands/up.js";
import { runProgram } from "./run.js";

const program = new Command("mcompat").description("MCollective-compatible server and tools speaking the Choria protocol over NATS");
registerBroker(program);
registerUp(program);
registerDdl(program);

await runProgram(program);
