module MCollective
  module Util
    module Service
      # Services through `service <name> <command>` (plugin.service.service.servicecmd picks the program).
      class ServiceService < CommandService
        private

        def command_line(command)
          [@options[:servicecmd] || "/usr/sbin/service", @service, command].shelljoin
        end
      end
    end
  end
end
