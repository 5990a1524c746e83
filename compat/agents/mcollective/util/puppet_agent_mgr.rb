module MCollective
  module Util
    # Reads and changes the Puppet agent's state through Puppet's own settings and state files:
    # the disable lock, the catalog run lock, the daemon pid file, last_run_summary.yaml and friends.
    class PuppetAgentMgr
      RUNONCE_OPTIONS = [:noop, :signal_daemon, :foreground_run, :tags, :skip_tags, :environment, :server, :splay,
                         :splaylimit, :options_only, :ignoreschedules, :use_cached_catalog].freeze

      @managers = {}

      # One manager per Puppet config file per process (Puppet's settings are global).
      def self.manager(configfile = nil, service = "puppet")
        @managers[configfile] ||= begin
          require "puppet"
          major = ::Puppet.version.split(".").first.to_i
          raise("Cannot manage Puppet version #{major}") unless (3..8).cover?(major)

          new(configfile, service)
        end
      end

      attr_reader :service

      def initialize(configfile = nil, service = "puppet")
        @service = service
        return if ::Puppet.settings.app_defaults_initialized?

        ::Puppet.settings.preferred_run_mode = :agent
        ::Puppet.settings.initialize_global_settings(configfile ? ["--config=#{configfile}"] : [])
        ::Puppet.settings.initialize_app_defaults(::Puppet::Settings.app_defaults_for_run_mode(::Puppet.run_mode))
        ::Puppet.push_context(::Puppet.base_context(::Puppet.settings))
      end

      def setting(name)
        ::Puppet.settings[name]
      end

      def environment
        setting(:environment)
      end

      def disabled?
        File.exist?(setting(:agent_disabled_lockfile))
      end

      def enabled?
        !disabled?
      end

      def lock_message
        return "" unless disabled?

        JSON.parse(File.read(setting(:agent_disabled_lockfile))).fetch("disabled_message", "")
      rescue JSON::ParserError
        ""
      end

      def enable!
        raise("Already enabled") unless disabled?

        File.unlink(setting(:agent_disabled_lockfile))
      end

      def disable!(msg = nil)
        raise("Already disabled") if disabled?

        msg ||= "Disabled using the Ruby API at #{Time.now.strftime('%c')}"
        atomic_file(setting(:agent_disabled_lockfile)) { |f| f.print(JSON.dump("disabled_message" => msg)) }
        msg
      end

      def applying?
        pid = File.read(setting(:agent_catalog_run_lockfile)).strip
        !pid.empty? && process_alive?(Integer(pid))
      rescue Errno::ENOENT, ArgumentError
        false
      end

      def daemon_pid
        pid = Integer(File.read(setting(:pidfile)).strip)
        process_alive?(pid) ? pid : nil
      rescue Errno::ENOENT, ArgumentError
        nil
      end

      def daemon_present?
        !daemon_pid.nil?
      end

      def idling?
        daemon_present? && !applying?
      end

      # Each state file is read once: status is asked for often (`mco puppet status`, every -S puppet() filter).
      def status
        enabled = enabled?
        applying = applying?
        daemon_present = daemon_present?
        idling = daemon_present && !applying
        lastrun = self.lastrun
        since_lastrun = Time.now.to_i - lastrun
        word = status_word(enabled, applying, idling)
        { applying: applying, enabled: enabled, daemon_present: daemon_present, lastrun: lastrun, idling: idling,
          disable_message: enabled ? "" : lock_message, since_lastrun: since_lastrun, status: word,
          message: "Currently #{word}; last completed run #{seconds_to_human(since_lastrun)} ago" }
      end

      def status_word(enabled, applying, idling)
        return "disabled" unless enabled
        return "applying a catalog" if applying
        return "idling" if idling

        "stopped"
      end

      def lastrun
        Integer(load_summary.dig("time", "last_run") || 0)
      end

      # last_run_summary.yaml with every section and counter present.
      def load_summary
        file = setting(:lastrunfile)
        summary = File.exist?(file) ? (YAML.safe_load(File.read(file)) || {}) : {}
        ["changes", "time", "resources", "version", "events"].each { |key| summary[key] ||= {} }
        ["failed", "changed", "corrective_change", "total", "restarted", "out_of_sync"].each { |key| summary["resources"][key] ||= 0 }
        summary
      end

      # The counters both the agent and the resource data plugin report from last_run_summary.yaml.
      def summary_counters(summary = load_summary)
        resources = summary["resources"]
        lastrun = Integer(summary["time"].fetch("last_run", 0))
        { out_of_sync_resources: resources.fetch("out_of_sync", 0), failed_resources: resources.fetch("failed", 0),
          corrected_resources: resources.fetch("corrective_change", 0), changed_resources: resources.fetch("changed", 0),
          total_resources: resources.fetch("total", 0), total_time: summary["time"].fetch("total", 0),
          config_retrieval_time: summary["time"].fetch("config_retrieval", 0), lastrun: lastrun,
          since_lastrun: Time.now.to_i - lastrun, config_version: summary["version"].fetch("config", "unknown") }
      end

      # The last run's log lines from last_run_report.yaml.
      def last_run_logs
        file = setting(:lastrunreport)
        return [] unless File.exist?(file)

        report = YAML.safe_load(File.read(file), permitted_classes: [::Puppet::Transaction::Report, ::Puppet::Util::Log, Symbol, Time],
                                                 aliases: true)
        Array(report.respond_to?(:logs) ? report.logs : []).map do |log|
          { "time_utc" => log.time.utc.to_i, "time" => log.time.to_i, "level" => log.level.to_s, "source" => log.source,
            "msg" => log.message.to_s.chomp }
        end
      rescue StandardError => e
        Log.warn("Could not read the last run report #{file}: #{e}")
        []
      end

      def managed_resources
        file = setting(:resourcefile)
        File.exist?(file) ? File.readlines(file).map { |line| line.strip.downcase }.reject(&:empty?) : []
      end

      def managing_resource?(resource)
        managed_resources.include?(resource.downcase)
      end

      def managed_resource_type_distribution
        managed_resources.each_with_object(Hash.new(0)) do |resource, counts|
          next unless resource =~ /^(.+?)\[/

          counts[Regexp.last_match(1).split("::").map(&:capitalize).join("::")] += 1
        end
      end

      # How to do a run: [:run_in_foreground, cli options] or [:signal_running_daemon, nil].
      def runonce!(options = {})
        options.each_key { |key| raise("Unknown option #{key} specified") unless RUNONCE_OPTIONS.include?(key) }
        raise("Puppet is currently applying a catalog, cannot run now") if applying?
        raise("Puppet is disabled, cannot run now") if disabled?

        signal_daemon = options.fetch(:signal_daemon, Util.str_to_bool(Config.instance.pluginconf.fetch("puppet.signal_daemon", "true")))
        cli = puppet_cli_options(options)
        if idling? && signal_daemon
          raise("Cannot specify any custom puppet options when the daemon is running") unless cli.empty?

          return [:signal_running_daemon, nil]
        end
        [:run_in_foreground, ["--onetime", "--no-daemonize", "--color=false", "--show_diff", "--verbose"] + cli]
      end

      def signal_running_daemon
        pid = daemon_pid
        raise("Puppet daemon is not running") unless pid

        ::Process.kill("USR1", pid)
      end

      def valid_name?(name)
        name = name.to_s
        name.size == 1 ? name =~ /\A[a-zA-Z]\z/ : name =~ /\A[a-zA-Z0-9_]+\z/
      end

      def seconds_to_human(seconds)
        days = seconds / 86_400
        hours = (seconds % 86_400) / 3600
        minutes = (seconds % 3600) / 60
        secs = seconds % 60
        return format("%d days %d hours %d minutes %02d seconds", days, hours, minutes, secs) if days.positive?
        return format("%d hours %d minutes %02d seconds", hours, minutes, secs) if hours.positive?
        return format("%d minutes %02d seconds", minutes, secs) if minutes.positive?

        format("%02d seconds", secs)
      end

      private

      def puppet_cli_options(options)
        cli = []
        cli << "--tags" << Array(options[:tags]).join(",") if options[:tags] && !Array(options[:tags]).empty?
        cli << "--skip_tags" << Array(options[:skip_tags]).join(",") if options[:skip_tags] && !Array(options[:skip_tags]).empty?
        cli << (options[:splay] ? "--splay" : "--no-splay") if options.include?(:splay)
        if options[:splaylimit]
          raise("Invalid splaylimit '#{options[:splaylimit]}' specified") unless options[:splaylimit].is_a?(Integer)

          cli << "--splaylimit" << options[:splaylimit].to_s
        end
        cli << (options[:noop] ? "--noop" : "--no-noop") if options.include?(:noop)
        if options[:environment]
          raise("Invalid environment '#{options[:environment]}' specified") unless valid_name?(options[:environment])

          cli << "--environment" << options[:environment]
        end
        cli << "--server" << options[:server] if options[:server]
        cli << "--ignoreschedules" if options[:ignoreschedules]
        cli << (options[:use_cached_catalog] ? "--use_cached_catalog" : "--no-use_cached_catalog") if options.include?(:use_cached_catalog)
        cli
      end

      def process_alive?(pid)
        ::Process.kill(0, pid)
        true
      rescue Errno::ESRCH
        false
      rescue Errno::EPERM
        true
      end

      # Written to a temporary file and renamed, so readers never see half a lock file.
      def atomic_file(file)
        FileUtils.mkdir_p(File.dirname(file))
        temp = Tempfile.new(File.basename(file), File.dirname(file))
        yield(temp)
        temp.close
        File.rename(temp.path, file)
      end
    end
  end
end
