// libescrypto.so.1.1 of the TAP simulator: stands in for Esunny's renamed OpenSSL 1.1 crypto library, which the
// real trade library needs. It holds no cryptography: it exists so that the simulator's trade library is loaded
// the way the real one is (see CMakeLists.txt here).
#include <cstdint>

extern "C" __attribute__((visibility("default"))) unsigned long OpenSSL_version_num() { return 0x1010100fUL; }
