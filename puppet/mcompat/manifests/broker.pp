# @summary nats-server as the collective's broker: mutual TLS with this node's Puppet certificate, optional cluster.
#
# @api private
class mcompat::broker {

  $ssldir = $mcompat::ssldir.lest || { '/etc/puppetlabs/puppet/ssl' }
  $certname = $trusted['certname']
  # Copies owned by the broker's user: Puppet's own key is readable by root only.
  $tls = {
    'cert' => "${mcompat::broker_tls_dir}/cert.pem",
    'key'  => "${mcompat::broker_tls_dir}/key.pem",
    'ca'   => "${mcompat::broker_tls_dir}/ca.pem",
  }
  $sources = {
    'cert' => "${ssldir}/certs/${certname}.pem",
    'key'  => "${ssldir}/private_keys/${certname}.pem",
    'ca'   => "${ssldir}/certs/ca.pem",
  }

  file { $mcompat::broker_tls_dir:
    ensure => directory,
    owner  => $mcompat::broker_user,
    group  => $mcompat::config_group,
    mode   => '0750',
  }
  ['cert', 'key', 'ca'].each |$kind| {
    file { $tls[$kind]:
      ensure => file,
      source => $sources[$kind],
      owner  => $mcompat::broker_user,
      group  => $mcompat::config_group,
      mode   => '0640',
    }
  }

  file { $mcompat::broker_config_file:
    ensure  => file,
    owner   => $mcompat::config_owner,
    group   => $mcompat::config_group,
    mode    => '0644',
    content => epp('mcompat/nats-server.conf.epp', {
      'listen'  => $mcompat::broker_listen_address,
      'port'    => $mcompat::broker_client_port,
      'cluster' => $mcompat::broker_cluster_port,
      'peers'   => $mcompat::broker_network_peers,
      'tls'     => $tls,
    }),
  }

  if $mcompat::manage_service {
    service { $mcompat::broker_service_name:
      ensure    => running,
      enable    => true,
      subscribe => [File[$mcompat::broker_config_file], File[$tls.values]],
    }
  }
}
