// libesssl.so.1.1 of the TAP simulator: stands in for Esunny's renamed OpenSSL 1.1 SSL library. Like the real
// one it needs libescrypto.so.1.1 and carries no RUNPATH, so libescrypto must be loaded first.
extern "C" unsigned long OpenSSL_version_num();

extern "C" __attribute__((visibility("default"))) int OPENSSL_init_ssl(unsigned long long, const void*) {
  return OpenSSL_version_num() != 0 ? 1 : 0;
}
