# The puppet agent, deployed by choria/mcollective's module_plugin.
class mcollective_agent_puppet (
  String $config_name,
  Array[String] $common_files = [],
  Array[String] $server_files = [],
  Array[String] $common_directories = [],
  Hash $config = {},
  Boolean $server = true,
  Boolean $client = true,
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
