# The CTP SDK headers, fetched at configure time by tools/vtcore_sdk.py from the artifacts pinned in
# sdk/manifest.toml (verified by sha256, cached in $VTCORE_SDK_CACHE or ~/.cache/vtcore/sdk, offline on a hit).
#
# Defines:
#   vtcore_ctp_headers              INTERFACE target: include dir of the fetched headers (+ VTCORE_CTP_API_VERSION)
#   VTCORE_CTP_FOUND                ON when the headers are there
#   VTCORE_CTP_API_VERSION          e.g. "6.7.11"
#   VTCORE_CTP_SDK_DIR              <build>/ctp-sdk/<version> (include/, lib/, sdk-info.json)
#   VTCORE_CTP_UNAVAILABLE_REASON   why not, with the fix ("" when found)
# and writes <build>/ctp_build_info.json, installed as vtcore/gateways/ctp/_build_info.json, which
# `vtcore info` and CtpGateway.connect show. A build without the SDK succeeds; it only lacks vtcore._ctp.
set(VTCORE_CTP_VERSION "6.7.11" CACHE STRING "CTP API version whose headers vtcore._ctp is built from (see sdk/manifest.toml)")

set(VTCORE_CTP_FOUND OFF)
set(VTCORE_CTP_API_VERSION "${VTCORE_CTP_VERSION}")
set(VTCORE_CTP_UNAVAILABLE_REASON "")
set(VTCORE_CTP_SDK_DIR "${CMAKE_BINARY_DIR}/ctp-sdk/${VTCORE_CTP_VERSION}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/../sdk/manifest.toml")

if(NOT VTCORE_WITH_CTP)
  set(VTCORE_CTP_UNAVAILABLE_REASON "vtcore was built with -DVTCORE_WITH_CTP=OFF; rebuild with it ON to get CTP")
elseif(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(VTCORE_CTP_UNAVAILABLE_REASON "CTP support is built on Linux only (the pinned libraries are Linux x86-64)")
else()
  message(STATUS "CTP SDK ${VTCORE_CTP_VERSION}: fetching (sdk/manifest.toml)")
  execute_process(
    COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_LIST_DIR}/../tools/vtcore_sdk.py" fetch
            --sdk ctp --api-version "${VTCORE_CTP_VERSION}" --dest "${VTCORE_CTP_SDK_DIR}"
    RESULT_VARIABLE _ctp_fetch_result
    OUTPUT_VARIABLE _ctp_fetch_output
    ERROR_VARIABLE _ctp_fetch_error)
  if(_ctp_fetch_result EQUAL 0 AND EXISTS "${VTCORE_CTP_SDK_DIR}/include/ThostFtdcTraderApi.h")
    set(VTCORE_CTP_FOUND ON)
    add_library(vtcore_ctp_headers INTERFACE)
    target_include_directories(vtcore_ctp_headers SYSTEM INTERFACE "${VTCORE_CTP_SDK_DIR}/include")
    target_compile_definitions(vtcore_ctp_headers INTERFACE VTCORE_CTP_API_VERSION="${VTCORE_CTP_VERSION}")
    message(STATUS "CTP SDK ${VTCORE_CTP_VERSION}: headers in ${VTCORE_CTP_SDK_DIR}/include")
  else()
    string(REGEX MATCH "REASON: [^\n]*" _ctp_reason "${_ctp_fetch_error}")
    string(REPLACE "REASON: " "" _ctp_reason "${_ctp_reason}")
    if(NOT _ctp_reason)
      set(_ctp_reason "the SDK fetch step failed (exit ${_ctp_fetch_result}): ${_ctp_fetch_error}")
    endif()
    set(VTCORE_CTP_UNAVAILABLE_REASON "CTP SDK ${VTCORE_CTP_VERSION} unavailable at build time: ${_ctp_reason}; then reinstall vtcore")
    message(WARNING "${VTCORE_CTP_UNAVAILABLE_REASON}. vtcore is built without vtcore._ctp.")
  endif()
endif()

function(_vtcore_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

if(VTCORE_CTP_FOUND)
  set(_ctp_found_json "true")
else()
  set(_ctp_found_json "false")
endif()
_vtcore_json_string(_ctp_version_json "${VTCORE_CTP_API_VERSION}")
_vtcore_json_string(_ctp_reason_json "${VTCORE_CTP_UNAVAILABLE_REASON}")
file(WRITE "${CMAKE_BINARY_DIR}/ctp_build_info.json"
  "{\n  \"ctp_found\": ${_ctp_found_json},\n  \"ctp_api_version\": ${_ctp_version_json},\n"
  "  \"ctp_unavailable_reason\": ${_ctp_reason_json}\n}\n")
install(FILES "${CMAKE_BINARY_DIR}/ctp_build_info.json" DESTINATION vtcore/gateways/ctp RENAME _build_info.json)
