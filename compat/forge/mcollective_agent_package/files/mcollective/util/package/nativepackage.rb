module MCollective
  module Util
    module Package
      # Shared flow of the native providers: check the current state, run the package manager, report the new state.
      class NativePackage < Base
        def install
          properties = status
          return { status: properties, msg: "Package is already installed" } if !absent?(properties) && !@options[:ensure]

          change(install_command)
        end

        def update
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if absent?(properties)

          change(update_command)
        end

        def uninstall
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if absent?(properties)

          change(uninstall_command)
        end

        def purge
          properties = status
          return { status: properties, msg: "Package is not present on the system" } if properties[:ensure] == "purged"

          change(purge_command)
        end

        private

        def change(argv)
          code, output = command(*argv, env: command_env)
          result = { output: output, status: status }
          result[:msg] = "#{argv.join(' ')} failed, exit code was #{code}: #{output.strip.lines.last}" unless code.zero?
          result
        end

        def command_env
          {}
        end
      end
    end
  end
end
