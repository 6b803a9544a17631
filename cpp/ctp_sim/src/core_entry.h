/* The C entry points of libvtcore_ctpsim.so (the shared core). The vendor-named libraries call these; nothing
   else should. Plain C types, so the factories need no simulator headers. */
#ifndef VTCORE_CTPSIM_CORE_ENTRY_H
#define VTCORE_CTPSIM_CORE_ENTRY_H

#define CTPSIM_CORE_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

CTPSIM_CORE_EXPORT void* vtcore_ctpsim_create_md_api(const char* flow_path, bool udp, bool multicast, bool production);
CTPSIM_CORE_EXPORT void* vtcore_ctpsim_create_trader_api(const char* flow_path, bool production);
CTPSIM_CORE_EXPORT const char* vtcore_ctpsim_version(void);

#ifdef __cplusplus
}
#endif

#endif
