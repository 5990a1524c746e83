module MCollective
  module Validator
    # Comma separated Puppet tags, each part of a class::name a valid variable name.
    class Puppet_tagsValidator
      def self.validate(tags)
        Validator.typecheck(tags, :string) || raise(ValidatorError, "Tags should be a string")
        Validator.validate(tags, :shellsafe)
        tags.split(",").each do |tag|
          tag.strip.split("::").each { |part| Validator.validate(part, :puppet_variable) }
        end
      end
    end
  end
end
