# @summary Runs `mcompat server` (and, on broker nodes, nats-server) in place of the choria module's daemon.
#
# Swap `choria` for `mcompat` in `mcollective::plugin_classes`; the daemon's config is built from the Hiera keys
# the mcollective and choria modules already read, and it serves what `mcollective::module_plugin` lays down.
#
# @param server Run the daemon on this node.
# @param broker Run nats-server on this node, configured from the `choria::broker::*` keys.
# @param mcollective_module The choria/mcollective module manages this node's libdir, plugin.d/, policies/ and
#   client.conf (and its agent modules restart the daemon); false makes this class create the folders and the client config.
# @param manage_packages Install Node.js, npm, Ruby, mcompat (and nats-server on a broker); false leaves installing to others.
# @param manage_service Run and refresh the services; the unit file is written either way.
# @param os_packages Debian packages the daemon needs.
# @param broker_packages Debian packages a broker needs.
# @param package_source What `npm install --global` installs: `mcompat`, `mcompat@<version>`, or a release tarball's path or URL.
# @param install_prefix npm's global prefix: the programs land in `<prefix>/bin`.
# @param service_name Name of the systemd service (and unit file).
# @param service_enable Start the daemon at boot.
# @param unit_file Where the systemd unit is written.
# @param configdir The mcollective config folder: the daemon reads plugin.d/ and policies/ beside its config file.
# @param libdir The plugin folder `mcollective::module_plugin` lays agents into; the daemon serves it.
# @param server_config_file The daemon's config file (default `<configdir>/server.conf`, choria-server's file).
# @param client_config_file The client's config file, written when `mcollective_module` is false (default `<configdir>/client.conf`).
# @param collectives Sub-collectives the daemon joins.
# @param main_collective The main collective (default: the last of `collectives`, as the mcollective module does).
# @param client_collectives Sub-collectives the client knows.
# @param common_config Settings for daemon and client (`mcollective::common_config`).
# @param mcollective_server_config The daemon's settings from `mcollective::server_config`.
# @param client_config The client's settings (`mcollective::client_config`).
# @param choria_server_config The daemon's settings from `choria::server_config`; they win over the mcollective module's.
# @param server_config mcompat's own daemon settings; they win over everything.
# @param middleware_hosts Brokers (`host:port`), written as `plugin.choria.middleware_hosts` when given.
# @param ssldir Puppet's ssldir holding this node's certificate, written as `plugin.choria.ssldir` when given.
# @param identity The node's identity (`choria::identity`).
# @param srvdomain Domain for SRV lookups of the brokers (`choria::srvdomain`).
# @param logfile The daemon's log file.
# @param log_level The daemon's log level (`choria::server_log_level`, else `choria::log_level`).
# @param config_owner Owner of the config files.
# @param config_group Group of the config files.
# @param broker_config_file nats-server's config file (Debian's unit reads /etc/nats-server.conf).
# @param broker_tls_dir Where the broker's copies of this node's certificate and key go (readable by `broker_user`).
# @param broker_service_name nats-server's service.
# @param broker_user The user nats-server runs as.
# @param broker_listen_address Address the broker listens on (`choria::broker::listen_address`).
# @param broker_client_port Client port (`choria::broker::client_port`).
# @param broker_cluster_port Cluster port, 0 for none (`choria::broker::cluster_peer_port`).
# @param broker_network_peers Other cluster members, `nats://host:port` (`choria::broker::network_peers`).
class mcompat (
  Boolean $server,
  Boolean $broker,
  Boolean $mcollective_module,
  Boolean $manage_packages,
  Boolean $manage_service,
  Array[String[1]] $os_packages,
  Array[String[1]] $broker_packages,
  String[1] $package_source,
  String[1] $install_prefix,
  String[1] $service_name,
  Boolean $service_enable,
  String[1] $unit_file,
  String[1] $logfile,
  Optional[String[1]] $config_owner,
  Optional[String[1]] $config_group,
  Hash $server_config,
  String[1] $broker_config_file,
  String[1] $broker_tls_dir,
  String[1] $broker_service_name,
  String[1] $broker_user,
  String[1] $configdir = lookup('mcollective::configdir', String[1], 'first', '/etc/choria'),
  String[1] $libdir = lookup('mcollective::libdir', String[1], 'first', '/opt/puppetlabs/mcollective/plugins'),
  Optional[String[1]] $server_config_file = undef,
  Optional[String[1]] $client_config_file = undef,
  Array[String[1]] $collectives = lookup('mcollective::collectives', Array[String[1]], 'unique', ['mcollective']),
  Optional[String[1]] $main_collective = lookup('mcollective::main_collective', Optional[String[1]], 'first', undef),
  Array[String[1]] $client_collectives = lookup('mcollective::client_collectives', Array[String[1]], 'unique', $collectives),
  Hash $common_config = lookup('mcollective::common_config', Hash, 'deep', {}),
  Hash $mcollective_server_config = lookup('mcollective::server_config', Hash, 'deep', {}),
  Hash $client_config = lookup('mcollective::client_config', Hash, 'deep', {}),
  Hash $choria_server_config = lookup('choria::server_config', Hash, 'deep', {}),
  Optional[Array[String[1]]] $middleware_hosts = undef,
  Optional[String[1]] $ssldir = undef,
  String[1] $identity = lookup('choria::identity', String[1], 'first', $trusted['certname']),
  Optional[String] $srvdomain = lookup('choria::srvdomain', Optional[String], 'first', undef),
  Enum['debug', 'info', 'warn', 'error', 'fatal'] $log_level = lookup('choria::server_log_level', Optional[String], 'first',
    lookup('choria::log_level', String, 'first', 'info')),
  String[1] $broker_listen_address = lookup('choria::broker::listen_address', String[1], 'first', '::'),
  Integer[1, 65535] $broker_client_port = lookup('choria::broker::client_port', Integer, 'first', 4222),
  Integer[0, 65535] $broker_cluster_port = lookup('choria::broker::cluster_peer_port', Integer, 'first', 0),
  Array[String[1]] $broker_network_peers = lookup('choria::broker::network_peers', Array[String[1]], 'unique', []),
) {
  $_server_config_file = $server_config_file.lest || { "${configdir}/server.conf" }
  $_client_config_file = $client_config_file.lest || { "${configdir}/client.conf" }

  contain mcompat::install
  contain mcompat::config
  Class['mcompat::install'] -> Class['mcompat::config']
  if $server {
    contain mcompat::service
    Class['mcompat::install'] ~> Class['mcompat::service']
    Class['mcompat::config'] ~> Class['mcompat::service']
  }
  if $broker {
    contain mcompat::broker
    Class['mcompat::install'] -> Class['mcompat::broker']
  }
}
