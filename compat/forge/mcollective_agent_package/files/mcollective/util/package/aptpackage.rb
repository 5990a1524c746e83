module MCollective
  module Util
    module Package
      Base.load_provider("NativePackage")

      # Debian packages with dpkg-query and apt-get, no Puppet needed.
      class AptPackage < NativePackage
        APT_GET = ["/usr/bin/apt-get", "-q", "-y", "-o", "DPkg::Options::=--force-confold"].freeze

        def status
          code, out = command("/usr/bin/dpkg-query", "-W", "-f", "${Status}\\t${Version}\\t${Architecture}\\n", @package)
          state, version, arch = out.lines.first.to_s.chomp.split("\t")
          installed = code.zero? && state.to_s.end_with?(" installed")
          ensure_value = if installed then version
                         elsif code.zero? && state.to_s.include?("config-files") then "absent"
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
