require "ipaddr"

module MCollective
  module Validator
    # Dotted-quad IPv4 addresses.
    class Ipv4addressValidator
      def self.validate(validator)
        raise(ValidatorError, "value should be an ipv4 address") unless IPAddr.new(validator.to_s).ipv4?
      rescue IPAddr::Error
        raise(ValidatorError, "value should be an ipv4 address")
      end
    end
  end
end
