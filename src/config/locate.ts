/** Where MCollective and Choria look for their config files, first readable one wins. */
import { homedir } from "node:os";

export type ConfigRole = "server" | "client";

/** Candidate config paths for a role, in MCollective's order with Choria's locations after. */
export function configCandidates(role: ConfigRole, home = homedir()): string[] {
  if (role === "server") {
    return [
      "/etc/puppetlabs/mcollective/server.cfg",
      "/etc/mcollective/server.cfg",
      "/etc/choria/server.conf",
    ];
  }
  return [
    `${home}/.mcollective`,
    `${home}/.choriarc`,
    "/etc/puppetlabs/mcollective/client.cfg",
    "/etc/mcollective/client.cfg",
    "/etc/choria/client.conf",
  ];
}
