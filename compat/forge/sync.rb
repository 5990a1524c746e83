#!/usr/bin/env ruby
# Regenerates the Forge-module copies of the bundled agents (compat/forge/mcollective_agent_<name>/) from
# their sources: compat/agents/mcollective/** and ddl/<name>.ddl. Copies, not symlinks, because Puppet's
# file server would deploy a symlink as a dangling link. `sync.rb --check` only reports drift (exit 1).
require "fileutils"
require "json"

ROOT = File.expand_path("../..", __dir__)
SOURCES = File.join(ROOT, "compat", "agents", "mcollective")
FORGE = __dir__

# Which plugin files each module ships (paths under mcollective/); the agent's .rb is server-only.
MODULES = {
  "package" => { version: "5.5.1", description: "Manage Operating System Packages",
                 patterns: ["agent/package.rb", "util/package/*", "validator/package_name_validator.*", "data/package_data.*"] },
  "service" => { version: "4.1.0", description: "Manages Operating System Services",
                 patterns: ["agent/service.rb", "util/service/*", "validator/service_name_validator.*", "data/service_data.*"] },
  "puppet" => { version: "2.5.0", description: "Manages the Life Cycle of the Puppet Agent",
                patterns: ["agent/puppet.rb", "util/puppet_agent_mgr.rb", "util/puppet_server_address_validation.rb",
                           "validator/puppet_*", "data/puppet_data.*", "data/resource_data.*"] }
}.freeze

def agent_ddl(name)
  [File.join(ROOT, "ddl", "#{name}.ddl"), File.join(ROOT, "fixtures", "ddl", "#{name}.ddl")].find { |f| File.exist?(f) }
end

# { "files/mcollective/agent/package.rb" => content, ... } for one module.
def module_files(name, spec)
  files = {}
  spec[:patterns].flat_map { |pattern| Dir.glob(File.join(SOURCES, pattern)) }.sort.each do |source|
    files[File.join("files", "mcollective", source.delete_prefix("#{SOURCES}/"))] = File.read(source)
  end
  files["files/mcollective/agent/#{name}.ddl"] = File.read(agent_ddl(name))
  plugin_files = files.keys.map { |f| f.delete_prefix("files/mcollective/") }
  server, common = plugin_files.partition { |f| f == "agent/#{name}.rb" }
  files["metadata.json"] = JSON.pretty_generate(
    "name" => "mcompat-mcollective_agent_#{name}", "version" => spec[:version], "author" => "mcompat",
    "summary" => spec[:description], "license" => "Apache-2.0", "source" => "mcompat compat/agents",
    "dependencies" => [{ "name" => "choria/mcollective", "version_requirement" => ">= 0.14.5 < 2.0.0" }]
  ) + "\n"
  files["data/plugin.yaml"] = "---\nmcollective_agent_#{name}::config_name: #{name}\n" \
                              "mcollective_agent_#{name}::common_files:\n#{common.map { |f| "  - #{f}\n" }.join}" \
                              "mcollective_agent_#{name}::server_files:\n#{server.map { |f| "  - #{f}\n" }.join}" \
                              "mcollective_agent_#{name}::common_directories:\n" \
                              "#{common.map { |f| File.dirname(f) }.uniq.reject { |d| %w[agent data validator util].include?(d) }.map { |d| "  - #{d}\n" }.join}"
  files["manifests/init.pp"] = <<~PP
    # The #{name} agent for mcompat / MCollective / Choria nodes.
    class mcollective_agent_#{name} (
      String $config_name, Array[String] $common_files = [], Array[String] $server_files = [],
      Array[String] $common_directories = [], Hash $config = {}, Boolean $server = true, Boolean $client = true,
    ) {
      mcollective::module_plugin { $name:
        config_name        => $config_name,
        common_files       => $common_files,
        server_files       => $server_files,
        common_directories => $common_directories,
        config             => $config,
        server             => $server,
        client             => $client,
      }
    }
  PP
  files
end

check = ARGV.include?("--check")
drift = []
MODULES.each do |name, spec|
  dir = File.join(FORGE, "mcollective_agent_#{name}")
  wanted = module_files(name, spec)
  present = Dir.glob(File.join(dir, "**", "*")).select { |f| File.file?(f) }.map { |f| f.delete_prefix("#{dir}/") }
  (present - wanted.keys).each do |stale|
    drift << File.join(dir, stale)
    File.unlink(File.join(dir, stale)) unless check
  end
  wanted.each do |path, content|
    target = File.join(dir, path)
    next if File.exist?(target) && File.read(target) == content

    drift << target
    next if check

    FileUtils.mkdir_p(File.dirname(target))
    File.write(target, content)
  end
end
if check && !drift.empty?
  warn("Forge modules are out of date with their sources (run compat/forge/sync.rb):\n  #{drift.join("\n  ")}")
  exit(1)
end
puts(drift.empty? ? "Forge modules up to date" : "Updated #{drift.size} file(s)") unless check
