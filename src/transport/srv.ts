/** The system's DNS SRV lookup, for `config/`'s broker resolution (which does no I/O of its own). */

// node:dns loads only when SRV records are looked up: start-up time is most of a direct mco call.
export const resolveSrv = async (name: string) => (await import("node:dns/promises")).resolveSrv(name);
