# @summary Writes the daemon's config (and the client's, without the mcollective module) from the sites' Hiera keys.
#
# Later hashes win: common settings, the collectives, mcollective::server_config, choria::server_config, what
# choria's own class parameters set (identity, logging, SRV domain), brokers and ssldir, libdir, mcompat::server_config.
#
# @api private
class mcompat::config {

  $main_collective = $mcompat::main_collective.lest || { $mcompat::collectives[-1] }
  $collectives = {
    'collectives'     => $mcompat::collectives.join(','),
    'main_collective' => $main_collective,
  }
  $daemon = {
    'identity' => $mcompat::identity,
    'logfile'  => $mcompat::logfile,
    'loglevel' => $mcompat::log_level,
  }
  $srv = $mcompat::srvdomain ? { Undef => {}, '' => {}, default => { 'plugin.choria.srv_domain' => $mcompat::srvdomain } }
  $brokers = $mcompat::middleware_hosts ? { Undef => {}, default => { 'plugin.choria.middleware_hosts' => $mcompat::middleware_hosts.join(',') } }
  $ssl = $mcompat::ssldir ? { Undef => {}, default => { 'plugin.choria.ssldir' => $mcompat::ssldir } }
  # The plugin folder is the one module_plugin lays agents into, whatever the hashes say, as the mcollective module insists.
  $libdir = { 'libdir' => $mcompat::libdir }

  $server_settings = $mcompat::common_config + $collectives + $mcompat::mcollective_server_config + $mcompat::choria_server_config +
    $daemon + $srv + $brokers + $ssl + $libdir + $mcompat::server_config

  if $mcompat::server {
    file { $mcompat::_server_config_file:
      ensure  => file,
      owner   => $mcompat::config_owner,
      group   => $mcompat::config_group,
      mode    => '0640',
      content => epp('mcompat/config.epp', { 'settings' => $server_settings }),
    }
  }

  unless $mcompat::mcollective_module {
    $client_collectives = {
      'collectives'     => $mcompat::client_collectives.join(','),
      'main_collective' => $main_collective,
    }
    $client_settings = $mcompat::common_config + $client_collectives + $mcompat::client_config + $brokers + $ssl + $libdir

    file { [$mcompat::configdir, "${mcompat::configdir}/plugin.d", "${mcompat::configdir}/policies", $mcompat::libdir,
        "${mcompat::libdir}/mcollective"]:
      ensure => directory,
      owner  => $mcompat::config_owner,
      group  => $mcompat::config_group,
      mode   => '0755',
    }

    file { $mcompat::_client_config_file:
      ensure  => file,
      owner   => $mcompat::config_owner,
      group   => $mcompat::config_group,
      mode    => '0644',
      content => epp('mcompat/config.epp', { 'settings' => $client_settings }),
    }
  }
}
