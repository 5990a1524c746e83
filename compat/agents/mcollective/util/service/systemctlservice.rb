module MCollective
  module Util
    module Service
      # Services through systemd's systemctl.
      class SystemctlService < CommandService
        private

        def command_line(command)
          [@options[:systemctl] || "/bin/systemctl", command, @service].shelljoin
        end
      end
    end
  end
end
