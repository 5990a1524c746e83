require "openssl"
require "base64"
require "digest/sha1"

module MCollective
  # RSA keys and AES sealing as plugins used them: a random AES key encrypts the text and RSA encrypts that key
  # ({:key, :data}, base64 by default), SHA1 signatures, base64 and md5 helpers, and name-based UUIDs (v5, DNS space).
  class SSL
    UUID_DNS_NAMESPACE = ["6ba7b8109dad11d180b400c04fd430c8"].pack("H*")

    attr_reader :public_key_file, :private_key_file, :ssl_cipher

    def initialize(pubkey = nil, privkey = nil, passphrase = nil, cipher = nil)
      @public_key_file = pubkey
      @private_key_file = privkey
      @public_key = read_key(:public, pubkey)
      @private_key = read_key(:private, privkey, passphrase)
      @ssl_cipher = cipher || Config.instance.ssl_cipher || "aes-256-cbc"
      raise("The supplied cipher '#{@ssl_cipher}' is not supported") unless OpenSSL::Cipher.ciphers.include?(@ssl_cipher)
    end

    def encrypt_with_public(plain_text, base64 = true)
      seal(plain_text, base64) { |key| rsa_encrypt_with_public(key) }
    end

    def encrypt_with_private(plain_text, base64 = true)
      seal(plain_text, base64) { |key| rsa_encrypt_with_private(key) }
    end

    def decrypt_with_private(crypted, base64 = true)
      open_sealed(crypted, base64) { |key| rsa_decrypt_with_private(key) }
    end

    def decrypt_with_public(crypted, base64 = true)
      open_sealed(crypted, base64) { |key| rsa_decrypt_with_public(key) }
    end

    def rsa_encrypt_with_public(plain_string)
      (@public_key || raise("No public key set")).public_encrypt(plain_string)
    end

    def rsa_decrypt_with_private(crypt_string)
      (@private_key || raise("No private key set")).private_decrypt(crypt_string)
    end

    def rsa_encrypt_with_private(plain_string)
      (@private_key || raise("No private key set")).private_encrypt(plain_string)
    end

    def rsa_decrypt_with_public(crypt_string)
      (@public_key || raise("No public key set")).public_decrypt(crypt_string)
    end

    # {:key, :data}: the text under a fresh random key, the IV derived from the key as MCollective did.
    def aes_encrypt(plain_string)
      cipher = OpenSSL::Cipher.new(ssl_cipher).encrypt
      key = cipher.random_key
      cipher.key = key
      cipher.pkcs5_keyivgen(key)
      { key: key, data: cipher.update(plain_string) + cipher.final }
    end

    def aes_decrypt(key, crypt_string)
      cipher = OpenSSL::Cipher.new(ssl_cipher).decrypt
      cipher.key = key
      cipher.pkcs5_keyivgen(key)
      cipher.update(crypt_string) + cipher.final
    end

    def sign(string, base64 = false)
      signature = @private_key.sign(OpenSSL::Digest.new("SHA1"), string)
      base64 ? base64_encode(signature) : signature
    end

    def verify_signature(signature, string, base64 = false)
      signature = base64_decode(signature) if base64
      @public_key.verify(OpenSSL::Digest.new("SHA1"), signature, string)
    end

    def base64_encode(string)
      SSL.base64_encode(string)
    end

    def base64_decode(string)
      SSL.base64_decode(string)
    end

    def md5(string)
      SSL.md5(string)
    end

    def self.base64_encode(string)
      Base64.encode64(string)
    end

    def self.base64_decode(string)
      raise(ArgumentError, "invalid base64") unless string =~ %r{\A[A-Za-z0-9+/=\s]+\z}

      Base64.decode64(string)
    end

    def self.md5(string)
      Digest::MD5.hexdigest(string)
    end

    # A version 5 UUID of `string` (random bytes when nil) in the DNS namespace.
    def self.uuid(string = nil)
      string ||= OpenSSL::Random.random_bytes(16).unpack1("H*")
      bytes = Digest::SHA1.digest(UUID_DNS_NAMESPACE + string)[0, 16].bytes
      bytes[6] = (bytes[6] & 0x0f) | 0x50
      bytes[8] = (bytes[8] & 0x3f) | 0x80
      hex = bytes.pack("C*").unpack1("H*")
      [hex[0, 8], hex[8, 4], hex[12, 4], hex[16, 4], hex[20, 12]].join("-")
    end

    # A key file as an OpenSSL key (a public key may also be given as a certificate); nil stays nil.
    def read_key(type, key = nil, passphrase = nil)
      return nil if key.nil?
      raise("Could not find key #{key}") unless File.exist?(key)
      raise("#{type} key file '#{key}' is empty") if File.zero?(key)

      text = File.read(key)
      return OpenSSL::PKey::RSA.new(text, passphrase) if type == :private

      begin
        OpenSSL::PKey::RSA.new(text)
      rescue OpenSSL::PKey::RSAError
        OpenSSL::X509::Certificate.new(text).public_key
      end
    end

    private

    def seal(plain_text, base64)
      sealed = aes_encrypt(plain_text)
      key = yield(sealed[:key])
      base64 ? { key: base64_encode(key), data: base64_encode(sealed[:data]) } : { key: key, data: sealed[:data] }
    end

    def open_sealed(crypted, base64)
      raise("Crypted data should include a key") unless crypted.include?(:key)
      raise("Crypted data should include data") unless crypted.include?(:data)

      key = yield(base64 ? base64_decode(crypted[:key]) : crypted[:key])
      aes_decrypt(key, base64 ? base64_decode(crypted[:data]) : crypted[:data])
    end
  end
end
