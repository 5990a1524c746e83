require "ipaddr"

module MCollective
  module Util
    # Checks a Puppet server address: host, IPv4 or IPv6, with an optional port.
    module PuppetServerAddressValidation
      HOSTNAME = /\A(?=.{1,253}\z)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?\z/.freeze

      def self.validate_server(address)
        host, port = split(address)
        raise(ValidatorError, "The hostname '#{host}' is not a valid hostname") unless valid_host?(host)
        raise(ValidatorError, "The port '#{port}' is not a valid puppet master port") if port && !valid_port?(port)

        [host, port]
      end

      def self.split(address)
        return [Regexp.last_match(1), Regexp.last_match(2)] if address =~ /\A\[(.+)\]:(.*)\z/
        return [address, nil] if address.count(":") > 1

        host, port = address.split(":", 2)
        [host, port]
      end

      def self.valid_host?(host)
        return true if host =~ HOSTNAME

        IPAddr.new(host)
        true
      rescue IPAddr::Error
        false
      end

      def self.valid_port?(port)
        port =~ /\A\d+\z/ && port.to_i.between?(1, 65_535)
      end
    end
  end
end
