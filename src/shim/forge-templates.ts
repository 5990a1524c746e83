/** The fixed texts of a `mcollective_agent_<name>` Forge module: its class, its Hiera settings and its README. */
import type { Ddl } from "../ddl/index.js";

/** The class every agent module has: its Hiera data handed to mcollective::module_plugin, the 21 parameters it takes. */
export function moduleManifest(name: string): string {
  return `# The ${name} agent, laid into the mcollective libdir by choria/mcollective's module_plugin.
class ${name} (
  String $config_name,
  Array[String] $client_files = [],
  Array[String] $client_directories = [],
  Array[String] $server_files = [],
  Array[String] $server_directories = [],
  Array[String] $common_files = [],
  Array[String] $common_directories = [],
  Array[String] $executable_files = [],
  Boolean $manage_gem_dependencies = true,
  Hash $gem_dependencies = {},
  Boolean $manage_package_dependencies = true,
  Hash $package_dependencies = {},
  Boolean $manage_class_dependencies = true,
  Array[String] $class_dependencies = [],
  Mcollective::Policy_action $policy_default = $mcollective::policy_default,
  Array[Mcollective::Policy] $policies = [],
  Hash $config = {},
  Hash $client_config = {},
  Hash $server_config = {},
  Boolean $client = $mcollective::client,
  Boolean $server = $mcollective::server,
  Enum['present', 'absent'] $ensure = 'present',
) {
  mcollective::module_plugin { $name:
    config_name                 => $config_name,
    client_files                => $client_files,
    server_files                => $server_files,
    common_files                => $common_files,
    executable_files            => $executable_files,
    client_directories          => $client_directories,
    server_directories          => $server_directories,
    common_directories          => $common_directories,
    gem_dependencies            => $gem_dependencies,
    manage_gem_dependencies     => $manage_gem_dependencies,
    package_dependencies        => $package_dependencies,
    manage_package_dependencies => $manage_package_dependencies,
    class_dependencies          => $class_dependencies,
    policy_default              => $policy_default,
    policies                    => $policies,
    config                      => $config,
    client_config               => $client_config,
    server_config               => $server_config,
    client                      => $client,
    server                      => $server,
    ensure                      => $ensure,
  }
}
`;
}

/** The module's own Hiera: the generated file lists first, then the merge rules. */
export function moduleHieraYaml(): string {
  return `---
version: 5
defaults:
  datadir: "data"
  data_hash: yaml_data
hierarchy:
  - name: "files of the plugin"
    path: "plugin.yaml"
  - name: "merge rules"
    path: "defaults.yaml"
`;
}

/** Site layers add to these hashes instead of replacing them. */
export function moduleDefaultsYaml(name: string): string {
  const keys = ["gem_dependencies", "package_dependencies", "config", "client_config", "server_config"];
  return `---\nlookup_options:\n${keys.map((key) => `  ${name}::${key}:\n    merge:\n      strategy: deep\n`).join("")}`;
}

export function moduleReadme(name: string, ddl: Ddl): string {
  const actions = Object.values(ddl.actions).sort((a, b) => a.name.localeCompare(b.name));
  return `# ${name} ${ddl.metadata.version}

${ddl.metadata.description}

Built by \`mcompat plugin package\` from the \`${ddl.metadata.name}\` agent${ddl.metadata.url ? ` (${ddl.metadata.url})` : ""}.

## Actions

${actions.map((a) => `- **${a.name}**: ${a.description}`).join("\n")}

## Use

Add the class to the classes the \`mcollective\` module installs:

\`\`\`yaml
mcollective::plugin_classes:
  - ${name}
\`\`\`

\`${name}::config\` (both sides), \`::server_config\` and \`::client_config\` are deep-merged hashes written to
\`plugin.d/${ddl.metadata.name.toLowerCase()}.cfg\` in the mcollective config folder; \`${name}::policies\` and
\`::policy_default\` make \`policies/${ddl.metadata.name}.policy\`; \`::server\`, \`::client\` and \`::ensure\` choose what is laid.
`;
}
