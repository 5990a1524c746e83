require "ipaddr"

module MCollective
  module Validator
    # IPv6 addresses.
    class Ipv6addressValidator
      def self.validate(validator)
        raise(ValidatorError, "value should be an ipv6 address") unless IPAddr.new(validator.to_s).ipv6?
      rescue IPAddr::Error
        raise(ValidatorError, "value should be an ipv6 address")
      end
    end
  end
end
