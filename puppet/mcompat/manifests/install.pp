# @summary Installs Node.js, npm and Ruby from the OS, mcompat with npm, and nats-server on a broker.
#
# @api private
class mcompat::install {

  if $mcompat::manage_packages {
    $daemon_packages = $mcompat::server ? { true => $mcompat::os_packages, default => [] }
    $broker_packages = $mcompat::broker ? { true => $mcompat::broker_packages, default => [] }
    package { unique($daemon_packages + $broker_packages):
      ensure => installed,
    }

    if $mcompat::server {
      # npm replaces the package folder on every install, so a marker inside it says what the installed copy came from:
      # a new package_source (version or tarball) installs again, an unchanged one never does.
      $marker = "${mcompat::install_prefix}/lib/node_modules/mcompat/.installed-from"
      $source = $mcompat::package_source
      exec { 'install mcompat':
        command  => "npm install --global --prefix '${mcompat::install_prefix}' '${source}' && echo '${source}' > '${marker}'",
        unless   => "grep -qxF '${source}' '${marker}'",
        path     => ['/usr/local/bin', '/usr/bin', '/bin'],
        provider => 'shell',
        require  => Package[$daemon_packages],
      }
    }
  }
}
