/** `mco`: the drop-in MCollective client. */
import { Command } from "commander";
import { runProgram } from "./run.js";

const program = new Command("mco").description("MCollective-compatible client speaking the Choria protocol over NATS");

await runProgram(program);
