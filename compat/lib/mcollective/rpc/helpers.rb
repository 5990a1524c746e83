module MCollective
  module RPC
    # Helpers of SimpleRPC clients: the RPC option section, host lists, and result texts (laid out by the host,
    # which prints them as `mco rpc` does).
    class Helpers
      def self.extract_hosts_from_json(json)
        hosts = JSON.parse(json)
        raise("JSON hosts list is not an array") unless hosts.is_a?(Array)

        hosts.map do |host|
          raise("JSON host list is not an array of Hashes") unless host.is_a?(Hash)
          raise("JSON host list does not have senders in it") unless host.include?("sender") || host.include?("certname")

          host["sender"] || host["certname"]
        end.uniq
      end

      def self.extract_hosts_from_array(hosts)
        [hosts].flatten.map do |host|
          raise("#{host} should be a string") unless host.is_a?(String)

          host.chomp
        end
      end

      # The text printrpc prints for one result or an Array of them.
      def self.rpcresults(result, flags = {})
        flags = { verbose: false, flatten: false, format: :console, force_display_mode: false }.merge(flags)
        results = [result].flatten.map { |r| r.respond_to?(:to_h) ? r.to_h : r }
        RPC.host.text(op: "results_text", results: results, verbose: flags[:verbose], flatten: flags[:flatten],
                         format: flags[:format], display: flags[:force_display_mode], list: result.is_a?(Array))
      end

      # The `RPC Options` section of a SimpleRPC application's command line.
      def self.add_simplerpc_options(parser, options)
        parser.separator ""
        parser.separator "RPC Options"
        parser.on("--np", "--no-progress", "Do not show the progress bar") { options[:progress_bar] = false }
        parser.on("--one", "-1", "Send request to only one discovered nodes") { options[:mcollective_limit_targets] = 1 }
        parser.on("--batch SIZE", "Do requests in batches") do |v|
          raise(OptionParser::InvalidArgument, v) unless v =~ /\A\d+\z/ || (v =~ /\A(\d+)%\z/ && Integer(Regexp.last_match(1)) != 0)

          options[:batch_size] = v
        end
        parser.on("--batch-sleep SECONDS", Float, "Sleep time between batches") { |v| options[:batch_sleep_time] = v }
        parser.on("--limit-seed NUMBER", Integer, "Seed value for deterministic random batching") { |v| options[:limit_seed] = v }
        parser.on("--limit-nodes COUNT", "--ln", "--limit", "Send request to only a subset of nodes, can be a percentage") do |v|
          raise("Invalid limit specified: #{v} valid limits are /^\d+%*$/") unless v =~ /\A\d+%*\z/

          options[:mcollective_limit_targets] = v =~ /\A\d+\z/ ? v.to_i : v
        end
        parser.on("--json", "-j", "Produce JSON output") do
          options[:progress_bar] = false
          options[:output_format] = :json
        end
        parser.on("--display MODE", "Influence how results are displayed. One of ok, all or failed") do |v|
          options[:force_display_mode] = v == "all" ? :always : v.to_sym
          raise("--display has to be one of 'ok', 'all' or 'failed'") unless %i[ok failed always].include?(options[:force_display_mode])
        end
      end
    end
  end
end
