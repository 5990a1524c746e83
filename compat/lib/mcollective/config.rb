module MCollective
  # The daemon configuration agents read: pluginconf (string -> string), identity, libdir and friends.
  # The worker fills it from the key = value pairs Node already parsed (plugin.d included);
  # loadconfig(file) reads a file itself for agents or tools that call it directly.
  class Config
    include Singleton

    attr_accessor :mode
    attr_reader :pluginconf, :identity, :configfile, :configdir, :classesfile, :activate_agents,
                :rpcauthorization, :rpcauthprovider, :rpcaudit, :color, :fact_cache_time, :collectives,
                :main_collective, :logfile, :loglevel, :keeplogs, :factsource, :settings, :ttl,
                :direct_addressing, :registration, :securityprovider, :connector, :rpclimitmethod,
                :default_discovery_method, :soft_shutdown, :daemonize, :max_log_size, :logfacility,
                :registerinterval, :rpcauditprovider, :logger_type, :ssl_cipher, :registration_collective,
                :direct_addressing_threshold, :default_discovery_options, :publish_timeout, :threaded,
                :registration_splay, :discovery_timeout, :soft_shutdown_timeout, :connection_timeout,
                :default_batch_size, :default_batch_sleep_time

    def initialize
      @configured = false
      @mode = :server
      apply({})
    end

    def configured
      @configured
    end

    # Every $LOAD_PATH entry, as mcollectived reported it (agents join it with "mcollective/...").
    def libdir
      $LOAD_PATH
    end

    # Reads a key = value file plus its plugin.d/*.cfg, as mcollectived did.
    def loadconfig(configfile)
      raise("Cannot find config file '#{configfile}'") unless File.exist?(configfile)

      pairs = self.class.parse_file(configfile)
      plugin_d = File.join(File.dirname(configfile), "plugin.d")
      Dir.glob(File.join(plugin_d, "*.cfg")).sort.each do |file|
        name = File.basename(file, ".cfg")
        self.class.parse_file(file).each { |key, value| pairs["plugin.#{name}.#{key}"] = value }
      end
      load_pairs(pairs, configfile)
    end

    # Configures from already parsed key = value pairs (plugin.X keys become pluginconf X).
    def load_pairs(pairs, configfile = nil)
      @configfile = configfile
      @configdir = configfile ? File.dirname(configfile) : nil
      apply(pairs)
      dirs = pairs.fetch("libdir", "").split(File::PATH_SEPARATOR).map(&:strip).reject(&:empty?)
      dirs.reverse_each { |dir| $LOAD_PATH.unshift(dir) unless $LOAD_PATH.include?(dir) }
      @configured = true
      self
    end

    # Parses key = value lines, ignoring comments and blank lines.
    def self.parse_file(file)
      File.readlines(file).each_with_object({}) do |line, acc|
        next if line =~ /^\s*(#|$)/
        next unless line =~ /^\s*(.+?)\s*=\s*(.*?)\s*$/

        acc[Regexp.last_match(1)] = Regexp.last_match(2)
      end
    end

    private

    def apply(pairs)
      @raw = pairs
      @pluginconf = {}
      pairs.each { |key, value| @pluginconf[key.sub(/^plugin\./, "")] = value.to_s if key.start_with?("plugin.") }
      @identity = pairs["identity"] || Socket.gethostname
      raise("Identity has to match /^[\\w\\.\\-]+$/") unless @identity =~ /\A[\w.\-]+\z/

      @collectives = pairs.fetch("collectives", "mcollective").split(",").map(&:strip)
      @main_collective = pairs["main_collective"] || @collectives.first
      @classesfile = pairs["classesfile"] || "/var/lib/puppet/state/classes.txt"
      @activate_agents = bool(pairs, "activate_agents", true)
      @rpcauthorization = bool(pairs, "rpcauthorization", false)
      @rpcauthprovider = pairs["rpcauthprovider"] || ""
      @rpcaudit = bool(pairs, "rpcaudit", false)
      @color = bool(pairs, "color", false)
      @fact_cache_time = Integer(pairs.fetch("fact_cache_time", "300"))
      @logfile = pairs["logfile"]
      @loglevel = pairs.fetch("loglevel", "info")
      @keeplogs = Integer(pairs.fetch("keeplogs", "5"))
      @factsource = pairs.fetch("factsource", "yaml")
      @ttl = Integer(pairs.fetch("ttl", "60"))
      @registration = pairs.fetch("registration", "Agentlist")
      @securityprovider = pairs.fetch("securityprovider", "choria")
      @connector = pairs.fetch("connector", "nats")
      @rpclimitmethod = pairs.fetch("rpclimitmethod", "first").to_sym
      @default_discovery_method = pairs.fetch("default_discovery_method", "mc")
      @soft_shutdown = bool(pairs, "soft_shutdown", false)
      @settings = pairs
      apply_tuning(pairs)
    end

    # The daemon, logging, registration and client tuning keys, with MCollective 2.12's defaults.
    def apply_tuning(pairs)
      @daemonize = bool(pairs, "daemonize", false)
      @max_log_size = Integer(pairs.fetch("max_log_size", "2097152"))
      @logfacility = pairs.fetch("logfacility", "user")
      @logger_type = pairs.fetch("logger_type", "file")
      @registerinterval = Integer(pairs.fetch("registerinterval", "0"))
      @registration_collective = pairs["registration_collective"]
      @registration_splay = bool(pairs, "registration_splay", false)
      @rpcauditprovider = pairs.fetch("rpcauditprovider", "")
      @ssl_cipher = pairs.fetch("ssl_cipher", "aes-256-cbc")
      @direct_addressing = bool(pairs, "direct_addressing", true)
      @direct_addressing_threshold = Integer(pairs.fetch("direct_addressing_threshold", "10"))
      @default_discovery_options = pairs.key?("default_discovery_options") ? [pairs["default_discovery_options"]] : []
      @publish_timeout = Integer(pairs.fetch("publish_timeout", "2"))
      @threaded = bool(pairs, "threaded", false)
      @discovery_timeout = pairs.key?("discovery_timeout") ? Integer(pairs["discovery_timeout"]) : nil
      @soft_shutdown_timeout = pairs.key?("soft_shutdown_timeout") ? Integer(pairs["soft_shutdown_timeout"]) : nil
      @connection_timeout = pairs.key?("connection_timeout") ? Integer(pairs["connection_timeout"]) : nil
      @default_batch_size = Integer(pairs.fetch("default_batch_size", "0"))
      @default_batch_sleep_time = Float(pairs.fetch("default_batch_sleep_time", "1"))
    end

    def bool(pairs, key, default)
      pairs.key?(key) ? Util.str_to_bool(pairs[key]) : default
    end
  end
end
