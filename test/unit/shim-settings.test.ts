import assert from "node:assert/strict";
import { poolSettings } from "../../src/shim/settings.js";

describe("shim pool settings", () => {
  it("defaults to two workers per core, at least four, one kept for other agents while they wait, Puppet preloaded", () => {
    assert.deepEqual(poolSettings({ config: {} }, 8), { size: 16, maxQueue: 100, recycleAfter: 10000, maxMemoryMb: 256, perAgent: 15, startTimeoutSec: 60, ruby: "ruby", preload: ["puppet", "puppet_settings"], idleTimeoutSec: 10 });
    assert.equal(poolSettings({ config: {} }, 1).size, 4);
    assert.equal(poolSettings({ config: {} }, 1).perAgent, 3);
  });

  it("reads plugin.mcompat.ruby.* keys, and explicit options win over them", () => {
    const config = { "plugin.mcompat.ruby.workers": "4", "plugin.mcompat.ruby.max_queue": "10", "plugin.mcompat.ruby.per_agent": "2",
      "plugin.mcompat.ruby.recycle_after": "50", "plugin.mcompat.ruby.max_memory": "64", "plugin.mcompat.ruby.start_timeout": "5", "plugin.mcompat.ruby.command": "/opt/ruby/bin/ruby" };
    assert.deepEqual(poolSettings({ config }, 2), { size: 4, maxQueue: 10, recycleAfter: 50, maxMemoryMb: 64, perAgent: 2, startTimeoutSec: 5, ruby: "/opt/ruby/bin/ruby", preload: ["puppet", "puppet_settings"], idleTimeoutSec: 10 });
    assert.equal(poolSettings({ config, size: 6, perAgent: 3 }, 2).size, 6);
    assert.equal(poolSettings({ config, size: 6, perAgent: 3 }, 2).perAgent, 3);
  });

  it("reads the parent's preload list, and an empty value preloads nothing", () => {
    assert.deepEqual(poolSettings({ config: { "plugin.mcompat.ruby.preload": "puppet, json ,," } }, 2).preload, ["puppet", "json"]);
    assert.deepEqual(poolSettings({ config: { "plugin.mcompat.ruby.preload": "" } }, 2).preload, []);
  });

  it("names the key when a value is not a whole number", () => {
    assert.throws(() => poolSettings({ config: { "plugin.mcompat.ruby.workers": "many" } }, 2),
      /plugin\.mcompat\.ruby\.workers must be a whole number of at least 1, not 'many'/);
    assert.throws(() => poolSettings({ config: { "plugin.mcompat.ruby.max_queue": "0" } }, 2), /max_queue/);
  });
});
