module MCollective
  module Util
    module Package
      Base.load_provider("NativePackage")

      # dpkg's database, parsed again only when it changes: dpkg-query reads the whole file on every call (~7 ms of
      # CPU), a lookup here costs microseconds. What it cannot answer exactly as dpkg-query would is left to dpkg-query.
      module DpkgDatabase
        STATUS = "/var/lib/dpkg/status".freeze
        # dpkg's journal: while it holds updates, the status file alone is out of date.
        UPDATES = "/var/lib/dpkg/updates".freeze
        # A plain package name; dpkg-query also takes globs and name:arch.
        NAME = /\A[a-z0-9][a-z0-9.+-]*\z/.freeze

        # [true, status, version, arch] of the package's one instance, [false] when dpkg has no such package,
        # nil when dpkg-query must answer (several architectures, pending updates, an unreadable database).
        def self.lookup(name)
          return nil unless name.match?(NAME) && Dir.empty?(UPDATES)

          instances = table[name]
          return [false] if instances.nil?

          instances.size == 1 ? [true, *instances.first] : nil
        rescue SystemCallError
          nil
        end

        def self.table
          stat = File.stat(STATUS)
          stamp = [stat.ino, stat.size, stat.mtime]
          @table = parse(File.read(STATUS)) unless @stamp == stamp
          @stamp = stamp
          @table
        end

        def self.parse(text)
          text.split(/\n\n+/).each_with_object({}) do |stanza, table|
            fields = stanza.scan(/^(Package|Status|Version|Architecture): (.*)$/).to_h
            (table[fields["Package"]] ||= []) << fields.values_at("Status", "Version", "Architecture") if fields["Package"]
          end
        end
      end

      # Debian packages from dpkg's database and with apt-get, no Puppet needed.
      class AptPackage < NativePackage
        APT_GET = ["/usr/bin/apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold"].freeze

        def status
          known, state, version, arch = DpkgDatabase.lookup(@package) || query
          installed = known && state.to_s.end_with?(" installed")
          ensure_value = if installed then version
                         elsif known && state.to_s.include?("config-files") then "absent"
                         else "purged"
                         end
          { name: @package, ensure: ensure_value, version: installed ? version : nil, arch: installed ? arch : nil,
            provider: "apt", status: installed ? "installed" : "missing" }.compact
        end

        def search
          _code, out = command("/usr/bin/apt-cache", "search", "--names-only", @package)
          names = out.lines.map { |line| line.split(" - ").first.to_s.strip }.reject(&:empty?)
          { package_count: names.size, available_packages: names }
        end

        private

        # [known to dpkg, Status, Version, Architecture] as dpkg-query reports the package's first instance.
        def query
          code, out = command("/usr/bin/dpkg-query", "-W", "-f", "${Status}\\t${Version}\\t${Architecture}\\n", @package)
          [code.zero?, *out.lines.first.to_s.chomp.split("\t")]
        end

        def install_command
          APT_GET + ["install", @options[:ensure] ? "#{@package}=#{@options[:ensure]}" : @package]
        end

        def update_command
          APT_GET + ["install", "--only-upgrade", @package]
        end

        def uninstall_command
          APT_GET + ["remove", @package]
        end

        def purge_command
          APT_GET + ["purge", @package]
        end

        def command_env
          { "DEBIAN_FRONTEND" => "noninteractive" }
        end
      end
    end
  end
end
