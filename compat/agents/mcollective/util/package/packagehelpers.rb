module MCollective
  module Util
    module Package
      # Package-manager-wide actions (count, md5, update checks, cache refreshes); each returns {:exitcode, :output, ...}.
      class PackageHelpers
        MANAGERS = [["/usr/bin/yum", :yum], ["/usr/bin/apt-get", :apt], ["/usr/bin/zypper", :zypper], ["/usr/sbin/pkg", :pkg]].freeze
        YUM_CLEAN_MODES = ["all", "headers", "packages", "metadata", "dbcache", "plugins", "expire-cache"].freeze

        class << self
          def packagemanager
            MANAGERS.each { |path, name| return name if File.exist?(path) }
            nil
          end

          def count
            case packagemanager
            when :yum then { exitcode: 0, output: installed_rpms.size.to_s }
            when :apt then { exitcode: 0, output: installed_debs.size.to_s }
            when :pkg then { exitcode: 0, output: run!("/usr/sbin/pkg query '%n'").lines.size.to_s }
            else raise("Cannot find a compatible package system to count packages")
            end
          end

          def md5
            case packagemanager
            when :yum then { exitcode: 0, output: Digest::MD5.hexdigest(run!("/bin/rpm -qa")) }
            when :apt then { exitcode: 0, output: Digest::MD5.hexdigest(installed_debs.join("\n")) }
            when :pkg then { exitcode: 0, output: Digest::MD5.hexdigest(run!("/usr/sbin/pkg query '%n'").chomp) }
            else raise("Cannot find a compatible package system to get a md5 of the package list")
            end
          end

          def yum_clean(mode = "all")
            raise("Cannot find yum at /usr/bin/yum") unless File.exist?("/usr/bin/yum")
            raise("Unsupported yum clean mode: #{mode}") unless YUM_CLEAN_MODES.include?(mode)

            { exitcode: 0, output: run!("/usr/bin/yum clean #{mode}") }
          end

          def apt_update
            raise("Cannot find apt-get at /usr/bin/apt-get") unless File.exist?("/usr/bin/apt-get")

            run!("/usr/bin/apt-get update")
            apt_checkupdates
          end

          def refresh
            case packagemanager
            when :apt then apt_update
            when :yum then yum_clean("metadata").merge(yum_checkupdates)
            when :pkg then { exitcode: 0, output: run!("/usr/sbin/pkg update") }
            when :zypper then { exitcode: 0, output: run!("/usr/bin/zypper refresh") }
            else raise("Cannot find a compatible package system to refresh")
            end
          end

          def checkupdates
            manager = packagemanager
            result = case manager
                     when :yum then yum_checkupdates
                     when :apt then apt_checkupdates
                     when :zypper then zypper_checkupdates
                     else raise("Cannot find a compatible package system to check updates for")
                     end
            result.merge(package_manager: manager.to_s)
          end

          def yum_checkupdates
            raise("Cannot find yum at /usr/bin/yum") unless File.exist?("/usr/bin/yum")

            out = +""
            status = Shell.new("/usr/bin/yum -q check-update", stdout: out).runcommand
            raise("Yum check-update failed, exit code was #{status.exitstatus}") unless [0, 100].include?(status.exitstatus)

            packages = []
            out.each_line do |line|
              break if line =~ /^Obsoleting\s+Packages/i

              fields = line.split
              packages << { package: fields[0], version: fields[1], repo: fields[2] } if fields.size == 3
            end
            { exitcode: status.exitstatus, output: out, outdated_packages: packages }
          end

          def apt_checkupdates
            raise("Cannot find apt-get at /usr/bin/apt-get") unless File.exist?("/usr/bin/apt-get")

            out = run!("/usr/bin/apt-get --simulate dist-upgrade")
            packages = out.lines.grep(/^Inst /).map do |line|
              next unless line =~ /^Inst (\S+)(?: \[[^\]]*\])? \((\S+) (.+?)\)?$/

              { package: Regexp.last_match(1), version: Regexp.last_match(2), repo: Regexp.last_match(3).sub(/\)\s*$/, "") }
            end.compact
            { exitcode: 0, output: out, outdated_packages: packages }
          end

          def zypper_checkupdates
            out = run!("/usr/bin/zypper -q list-updates")
            packages = out.lines.map { |l| l.split("|").map(&:strip) }.select { |f| f.size >= 5 && f[0] == "v" }
                          .map { |f| { package: f[2], version: f[4], repo: f[1] } }
            { exitcode: 0, output: out, outdated_packages: packages }
          end

          private

          # Output of a command; raises with its exit code when it fails.
          def run!(command)
            out = +""
            status = Shell.new(command, stdout: out).runcommand
            raise("#{command} failed, exit code was #{status.exitstatus}") unless status.exitstatus.zero?

            out
          end

          def installed_rpms
            run!("/bin/rpm -qa").lines.map(&:strip).reject(&:empty?)
          end

          def installed_debs
            run!("/usr/bin/dpkg --list").lines.map(&:chomp).grep(/^ii/)
          end
        end
      end
    end
  end
end
