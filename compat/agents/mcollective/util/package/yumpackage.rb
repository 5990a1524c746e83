module MCollective
  module Util
    module Package
      Base.load_provider("NativePackage")

      # RPM packages with rpm and dnf (or yum), no Puppet needed; plugin.package.yum.rpm and .manager pick the programs.
      class YumPackage < NativePackage
        def status
          code, out = command(@options[:rpm] || "/bin/rpm", "-q", "--qf", "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n", @package)
          name, epoch, version, release, arch = out.lines.first.to_s.chomp.split("\t")
          return { name: @package, ensure: "purged", provider: "yum", status: "missing" } unless code.zero?

          { name: name, ensure: "#{version}-#{release}", epoch: epoch == "(none)" ? "0" : epoch, version: version,
            release: release, arch: arch, provider: "yum", status: "installed" }
        end

        def search
          _code, out = command(manager, "-q", "list", "available", @package)
          names = out.lines.map { |line| line.split.first.to_s }.reject { |n| n.empty? || n.start_with?("Available") }
          { package_count: names.size, available_packages: names }
        end

        private

        def manager
          @options[:manager] || (File.executable?("/usr/bin/dnf") ? "/usr/bin/dnf" : "/usr/bin/yum")
        end

        def install_command
          [manager, "-y", "-q", "install", @options[:ensure] ? "#{@package}-#{@options[:ensure]}" : @package]
        end

        def update_command
          [manager, "-y", "-q", "update", @package]
        end

        def uninstall_command
          [manager, "-y", "-q", "remove", @package]
        end

        alias purge_command uninstall_command
      end
    end
  end
end
