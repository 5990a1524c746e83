MCollective::PluginManager.loadclass("MCollective::Util::Puppet_server_address_validation") unless defined?(MCollective::Util::PuppetServerAddressValidation)

module MCollective
  module Validator
    # host, host:port, IPv4, IPv6 or [IPv6]:port.
    class Puppet_server_addressValidator
      def self.validate(server)
        Validator.typecheck(server, :string) || raise(ValidatorError, "The server address should be a string")
        Validator.validate(server, :shellsafe)
        Util::PuppetServerAddressValidation.validate_server(server)
      end
    end
  end
end
