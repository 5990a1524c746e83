/** `sysctl`: a kernel parameter's value, read from /proc/sys as `sysctl <name>` would print it. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";

const ddl = dataDdl({
  metadata: {
    name: "sysctl",
    description: "Retrieve values for a given sysctl",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "Apache-2.0",
    version: "3.0.0",
    url: "https://github.com/choria-plugins/sysctl-data",
    timeout: 1,
  },
  description: "Sysctl values",
  query: { prompt: "Variable Name", description: "Valid Variable Name", type: "string", validation: "(?-mix:\\A^[\\w\\-\\.]+$\\z)", maxlength: 120 },
  outputs: { value: { description: "Kernel Parameter Value", display_as: "Value" } },
});

const VARIABLE = /^[\w.-]+$/;

/** `procSys` is the /proc/sys root, changeable for tests. */
export function sysctlPlugin(procSys = "/proc/sys"): DataPluginFactory {
  return () => ({
    name: "sysctl",
    ddl,
    async query(arg) {
      const name = arg ?? "";
      if (!VARIABLE.test(name)) throw new Error(`Invalid sysctl variable name '${name}': expected letters, digits, '_', '-' and '.'`);
      let text: string;
      try {
        text = await readFile(join(procSys, ...name.split(".")), "utf8");
      } catch {
        // An unknown or unreadable variable: sysctl fails and the legacy plugin answers ''.
        return { ...queryDefaults(ddl), value: "" };
      }
      return { ...queryDefaults(ddl), value: typed(text.replace(/\n$/, "")) };
    },
  });
}

// Whole numbers and decimals become numbers, as the legacy plugin converts them.
function typed(value: string): string | number {
  if (/^\d+$/.test(value) || /^\d+\.\d+$/.test(value)) return Number(value);
  return value;
}

export const sysctl: DataPluginFactory = sysctlPlugin();
