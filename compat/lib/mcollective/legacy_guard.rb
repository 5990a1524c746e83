module MCollective
  # Refuses `require "mcollective/..."` files of another MCollective library on $LOAD_PATH (Debian's
  # mcollective-common lives in vendor_ruby next to Puppet): mixing its classes with ours breaks both.
  module LegacyGuard
    def require(feature)
      if feature.is_a?(String) && feature.start_with?("mcollective")
        found = $LOAD_PATH.resolve_feature_path(feature)
        if found && MCollective.foreign_file?(found[1])
          raise(LoadError, "#{feature} resolves to another MCollective library (#{found[1]}); mcompat provides its own")
        end
      end
      super
    end
  end
end

Kernel.prepend(MCollective::LegacyGuard)
