# @summary The `mcompat` systemd unit and service, refreshed when agents or plugin folders change.
#
# @api private
class mcompat::service {

  file { $mcompat::unit_file:
    ensure  => file,
    owner   => $mcompat::config_owner,
    group   => $mcompat::config_group,
    mode    => '0644',
    content => epp('mcompat/mcompat.service.epp', {
      'mcompat'     => "${mcompat::install_prefix}/bin/mcompat",
      'config_file' => $mcompat::_server_config_file,
    }),
  }

  if $mcompat::manage_service {
    exec { 'mcompat systemd daemon-reload':
      command     => 'systemctl daemon-reload',
      path        => ['/usr/bin', '/bin'],
      refreshonly => true,
      subscribe   => File[$mcompat::unit_file],
    }

    service { $mcompat::service_name:
      ensure    => running,
      enable    => $mcompat::service_enable,
      subscribe => [File[$mcompat::unit_file], Exec['mcompat systemd daemon-reload']],
    }

    if $mcompat::mcollective_module {
      # An agent added, changed or removed (or its plugin.d config or policy) takes effect with a restart, as choria-server's.
      Mcollective::Module_plugin <| |> ~> Service[$mcompat::service_name]
    }
    File <| tag == 'mcollective::plugin_dirs' |> ~> Service[$mcompat::service_name]
  }
}
