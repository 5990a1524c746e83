import assert from "node:assert/strict";
import { parseArgv, shellSplit, UsageError } from "../../src/cli/mco/argv.js";
import { applicationOptions, helpText } from "../../src/cli/mco/app.js";
import { rpc, rpcRequestFromArgs } from "../../src/cli/mco/apps/rpc.js";
import { clientOptionsFrom, type CommonValues } from "../../src/cli/mco/options.js";

const RPC_HELP = `
Generic RPC agent client application

Usage: mco rpc [options] [filters] --agent <agent> --action <action> [--argument <key=val> --argument ...]
Usage: mco rpc [options] [filters] <agent> <action> [<key=val> <key=val> ...]

Application Options
        --no-results, --nr           Do not process results, just send request
    -a, --agent AGENT                Agent to call
        --action ACTION              Action to call
        --arg, --argument ARGUMENT   Arguments to pass to agent

RPC Options
        --np, --no-progress          Do not show the progress bar
    -1, --one                        Send request to only one discovered nodes
        --batch SIZE                 Do requests in batches
        --batch-sleep SECONDS        Sleep time between batches
        --limit-seed NUMBER          Seed value for deterministic random batching
        --limit-nodes, --ln, --limit COUNT
                                     Send request to only a subset of nodes, can be a percentage
    -j, --json                       Produce JSON output
        --display MODE               Influence how results are displayed. One of ok, all or failed
    -c, --config FILE                Load configuration from file rather than default
    -v, --verbose                    Be verbose
    -h, --help                       Display this screen

Common Options
    -T, --target COLLECTIVE          Target messages to a specific sub collective
        --dt, --discovery-timeout SECONDS
                                     Timeout for doing discovery
    -t, --timeout SECONDS            Timeout for calling remote agents
    -q, --quiet                      Do not be verbose
        --ttl TTL                    Set the message validity period
        --reply-to TARGET            Set a custom target for replies
        --dm, --disc-method METHOD   Which discovery method to use
        --do, --disc-option OPTION   Options to pass to the discovery method
        --nodes FILE                 List of nodes to address
        --publish_timeout TIMEOUT    Timeout for publishing requests to remote agents.
        --threaded                   Start publishing requests and receiving responses in threaded mode.
        --sort                       Sort the output of an RPC call before processing.
        --connection-timeout TIMEOUT Set the timeout for establishing a connection to the middleware

Host Filters
    -W, --with FILTER                Combined classes and facts filter
    -S, --select FILTER              Compound filter combining facts and classes
    -F, --wf, --with-fact fact=val   Match hosts with a certain fact
    -C, --wc, --with-class CLASS     Match hosts with a certain config management class
    -A, --wa, --with-agent AGENT     Match hosts with a certain agent
    -I, --wi, --with-identity IDENT  Match hosts with a certain configured identity

The Marionette Collective 2.12.5
`;

describe("mco argument grammar", () => {
  const specs = applicationOptions(rpc);

  it("prints `mco help rpc` as the legacy client does, plus the two mcompat options", () => {
    const ours = helpText(rpc)
      .split("\n")
      .filter((line) => !line.includes("(mcompat)"))
      .join("\n");
    assert.equal(ours, RPC_HELP);
    assert.match(helpText(rpc), /--json-stats +Produce JSON output with the request statistics/);
  });

  it("reads every alias, attached values and --opt=value, with options between positionals", () => {
    const { values, positionals } = parseArgv(specs, [
      "rpcutil", "-Fcountry=uk", "--wf", "os=debian", "ping", "--dt=3", "--discovery-timeout", "4", "-I", "n1", "--wi", "n2", "x=1",
    ]);
    assert.deepEqual(positionals, ["rpcutil", "ping", "x=1"]);
    assert.deepEqual(values.facts, ["country=uk", "os=debian"]);
    assert.deepEqual(values.identities, ["n1", "n2"]);
    assert.equal(values.discoveryTimeout, 4);
  });

  it("reports unknown options, missing and invalid arguments in OptionParser's words", () => {
    assert.throws(() => parseArgv(specs, ["--bogus"]), new UsageError("invalid option: --bogus"));
    assert.throws(() => parseArgv(specs, ["--batch"]), new UsageError("missing argument: --batch"));
    assert.throws(() => parseArgv(specs, ["--batch", "0%"]), new UsageError("invalid argument: --batch 0%"));
    assert.throws(() => parseArgv(specs, ["-t", "abc"]), new UsageError("invalid argument: -t abc"));
    assert.throws(() => parseArgv(specs, ["--display", "some"]), /--display has to be one of 'ok', 'all' or 'failed'/);
  });

  it("-q turns verbose off after -v", () => {
    assert.equal(parseArgv(specs, ["-v", "-q"]).values.verbose, false);
  });

  it("splits MCOLLECTIVE_EXTRA_OPTS like a shell", () => {
    assert.deepEqual(shellSplit(`--dt 1 -F "os=Debian GNU" -S 'a=1 and b=2' x\\ y`), ["--dt", "1", "-F", "os=Debian GNU", "-S", "a=1 and b=2", "x y"]);
  });

  describe("mco rpc's two argument forms", () => {
    it("takes agent, action and key=value words, positional values winning over --arg", () => {
      assert.deepEqual(rpcRequestFromArgs({ arguments: ["a=1", "b=2"] }, ["svc", "restart", "a=3", "msg=x=y"]), {
        agent: "svc",
        action: "restart",
        args: { a: "3", b: "2", msg: "x=y" },
      });
    });

    it("ignores positional words when --agent and --action are both given", () => {
      assert.deepEqual(rpcRequestFromArgs({ agent: "a", action: "b", arguments: ["k=v"] }, ["ignored=1"]), {
        agent: "a",
        action: "b",
        args: { k: "v" },
      });
    });

    it("refuses words without a value and a missing action", () => {
      assert.throws(() => rpcRequestFromArgs({}, ["svc", "restart", "service="]), new UsageError("Could not parse --arg service="));
      assert.throws(() => rpcRequestFromArgs({ arguments: ["x"] }, ["a", "b"]), /Could not parse --arg x should be of the form key=val/);
      assert.throws(() => rpcRequestFromArgs({}, ["svc"]), new UsageError("No agent, action and arguments specified"));
    });
  });

  describe("shared options to client options", () => {
    it("maps --nodes to flatfile discovery and -1 to a limit of one", () => {
      const o = clientOptionsFrom({ nodes: "/tmp/n", one: true } as CommonValues);
      assert.deepEqual(o.discovery?.method, "flatfile");
      assert.deepEqual(o.discovery?.options, ["/tmp/n"]);
      assert.equal(o.limit, "1");
    });

    it("refuses mco's conflicting discovery options and bad limits", () => {
      assert.throws(() => clientOptionsFrom({ discoveryMethod: ["mc", "flatfile"] }), /Discovery method is already set by a competing option/);
      assert.throws(() => clientOptionsFrom({ nodes: "x", discoveryMethod: ["flatfile"] }), /Cannot mix --disc-method, --disc-option and --nodes/);
      assert.throws(() => clientOptionsFrom({ limit: "abc" }), /Invalid limit specified: abc valid limits are \/\^d\+%\*\$\//);
    });

    it("disables batching with --batch 0", () => {
      assert.equal(clientOptionsFrom({ batch: "0" }).batch, undefined);
      assert.deepEqual(clientOptionsFrom({ batch: "2", batchSleep: 0.5 }).batch, { size: "2", sleepSec: 0.5 });
    });
  });
});
