/** Runs a commander program, turning any thrown error into one line on stderr and exit code 1. */
import type { Command } from "commander";

export async function runProgram(program: Command, argv = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    console.error(`${program.name()}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
