module MCollective
  module RPC
    # Base of audit plugins (`rpcaudit = 1`, `rpcauditprovider = <name>`: MCollective::RPC::<Name> in audit/<name>.rb).
    # The server calls #audit_request once for every request it authorized, before the action runs.
    class Audit
      def self.inherited(klass)
        super
        PluginManager.delete("rpcaudit_plugin")
        PluginManager << { type: "rpcaudit_plugin", class: klass.to_s }
      end

      def audit_request(_request, _connection)
        Log.error("audit_request is not implemented in #{self.class}")
      end
    end
  end
end
