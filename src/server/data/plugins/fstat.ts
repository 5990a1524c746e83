/** `fstat`: stat information about a file, as the legacy fstat data plugin reports it. */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, lstatSync, statSync, type Stats } from "node:fs";
import { statfs } from "node:fs/promises";
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { strftime } from "../../../ruby/index.js";
import { CORE_METADATA } from "./metadata.js";

const out = (description: string, display_as: string) => ({ description, display_as });

const ddl = dataDdl({
  metadata: { ...CORE_METADATA, name: "File Stat", description: "Retrieve file stat data for a given file" },
  description: "File stat information",
  query: { prompt: "File Name", description: "Valid File Name", type: "string", validation: "(?-mix:.+)", maxlength: 120 },
  outputs: {
    name: out("File name", "Name"),
    output: out("Human readable information about the file", "Status"),
    present: out("Indicates if the file exist using 0 or 1", "Present"),
    size: out("File size", "Size"),
    mode: out("File mode", "Mode"),
    md5: out("File MD5 digest", "MD5"),
    mtime: out("File modification time", "Modification time"),
    ctime: out("File change time", "Change time"),
    atime: out("File access time", "Access time"),
    mtime_seconds: out("File modification time in seconds", "Modification time"),
    ctime_seconds: out("File change time in seconds", "Change time"),
    atime_seconds: out("File access time in seconds", "Access time"),
    mtime_age: out("File modification age in seconds", "Modification age"),
    ctime_age: out("File change age in seconds", "Change age"),
    atime_age: out("File access age in seconds", "Access age"),
    uid: out("File owner", "Owner"),
    gid: out("File group", "Group"),
    type: out("File type", "Type"),
  },
});

export const fstat: DataPluginFactory = (ctx) => ({
  name: "fstat",
  ddl,
  async query(arg, signal) {
    const file = arg ?? "";
    const result: Record<string, unknown> = {
      ...queryDefaults(ddl),
      name: file, output: "not present", type: "unknown", mode: "0000", present: 0, size: 0, md5: 0, uid: 0, gid: 0,
      mtime: 0, ctime: 0, atime: 0, mtime_seconds: 0, ctime_seconds: 0, atime_seconds: 0,
    };
    // existsSync follows links, so a dangling symlink is "not present" as in Ruby's File.exist?.
    if (file === "" || !existsSync(file)) return result;
    const link = lstatSync(file);
    const stat = link.isSymbolicLink() ? link : statSync(file);
    const nowSeconds = Math.floor((ctx.now?.() ?? Date.now()) / 1000);
    Object.assign(result, { output: "present", present: 1, size: stat.size, uid: stat.uid, gid: stat.gid });
    for (const [key, time] of [["mtime", stat.mtime], ["ctime", stat.ctime], ["atime", stat.atime]] as const) {
      const seconds = Math.floor(time.getTime() / 1000);
      result[key] = localTimestamp(time);
      result[`${key}_seconds`] = seconds;
      result[`${key}_age`] = nowSeconds - seconds;
    }
    result.mode = stat.mode.toString(8);
    if (stat.isFile() && !(await onPseudoFilesystem(file))) result.md5 = await md5Of(file, stat.size, signal);
    result.type = fileType(stat);
    return result;
  },
});

// procfs and sysfs files claim to be regular but hold no bytes of their own: /proc/self/pagemap reads as gigabytes.
const PSEUDO_FILESYSTEMS = new Set([0x9fa0, 0x62656572]);

async function onPseudoFilesystem(file: string): Promise<boolean> {
  return PSEUDO_FILESYSTEMS.has((await statfs(file)).type);
}

/** The md5 of the file's first `size` bytes (what stat reported), read in chunks so the event loop keeps turning. */
async function md5Of(file: string, size: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash("md5");
  if (size > 0) {
    for await (const chunk of createReadStream(file, { start: 0, end: size - 1, signal })) hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

function fileType(stat: Stats): string {
  if (stat.isDirectory()) return "directory";
  if (stat.isFile()) return "file";
  if (stat.isSymbolicLink()) return "symlink";
  if (stat.isSocket()) return "socket";
  if (stat.isCharacterDevice()) return "chardev";
  if (stat.isBlockDevice()) return "blockdev";
  return "unknown";
}

// Ruby's strftime("%F %T") in the server's local time zone.
function localTimestamp(t: Date): string {
  return strftime(t, "%F %T");
}
