# Vendor C++ SDKs: headers fetched at configure time by tools/vtcore_sdk.py from the artifacts pinned in
# sdk/manifest.toml (verified by sha256, cached in $VTCORE_SDK_CACHE or ~/.cache/vtcore/sdk, offline on a hit),
# the generated binding sources (tools/sdkgen) and the binding module. Every SDK is built when its headers can
# be had; when they cannot, the build goes on without it and records why (`vtcore info` shows it per SDK).
#
#   vtcore_vendor_sdk(<ID> VERSION <api version> TITLE <name> HEADERS <file>...)
#   vtcore_vendor_sdk(<ID> VERSION <api version> TITLE <name> DECLARED <spec>)
#     DECLARED: an SDK that ships no usable headers (OES): nothing is fetched; vtcore's own declarations are
#     generated at configure time from the layout spec (`python -m sdkgen declared`, tools/sdkgen/declared.py)
#     into the include dir: `<id>_declared.h`, `_<id>_types.py`/.pyi, `<id>_exports.map`. VTCORE_<ID>_DECLARED
#     is then ON.
#     option   VTCORE_WITH_<ID>        (ON; OFF skips the SDK and says so)
#     cache    VTCORE_<ID>_VERSION     the API version to build against (an api_version of the manifest)
#     target   vtcore_<id>_headers     INTERFACE: the fetched include dir, and the compile definitions
#              VTCORE_SDK_API_VERSION="<version>" and VTCORE_SDK_LIBRARY_VERSION_<ROLE>="<version>" for every
#              role the manifest's `library_versions` names (e.g. CTP-Mini's market-data library reports 1.7.5)
#     vars     VTCORE_<ID>_FOUND, VTCORE_<ID>_API_VERSION, VTCORE_<ID>_SDK_DIR (include/, lib/, sdk-info.json),
#              VTCORE_<ID>_UNAVAILABLE_REASON ("" when found)
#     writes   <build>/sdk_build_info/<id>.json, installed as vtcore/gateways/_sdk/build_info/<id>.json
#
#   vtcore_sdk_binding(<ID> MODULE <_name> SOURCES <file>... [UNITS <unit>...])
#     runs `python -m sdkgen binding` (tools/sdkgen) and builds the pybind11 module vtcore.<_name> from SOURCES
#     plus the generated request table and layout checks; installs it and the generated `_<id>_types.py`/.pyi
#     into vtcore/gateways/<id>/. Nothing happens when the SDK was not found. An SDK whose APIs come as
#     independent header sets (TORA: stock trader, XMd market data, each in its own namespace with the same
#     struct names) names its sdkgen units (`UNITS tora toraxmd`, default: the SDK's id): each unit is generated
#     on its own (`<unit>_spi.hpp`, `_<unit>_types.py`, ...) and the module is built from all of them.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/../sdk/manifest.toml")
set(VTCORE_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")

function(_vtcore_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

function(vtcore_vendor_sdk id)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "VERSION;TITLE;DECLARED" "HEADERS")
  string(TOLOWER "${id}" lower)
  set(declared OFF)
  option(VTCORE_WITH_${id} "Fetch the ${arg_TITLE} SDK headers and build its binding and simulator" ON)
  set(VTCORE_${id}_VERSION "${arg_VERSION}" CACHE STRING "${arg_TITLE} API version to build against (sdk/manifest.toml)")
  set(version "${VTCORE_${id}_VERSION}")
  set(sdk_dir "${CMAKE_BINARY_DIR}/sdk/${lower}/${version}")
  set(found OFF)
  set(reason "")
  set(library_versions "")

  if(NOT VTCORE_WITH_${id})
    set(reason "vtcore was built with -DVTCORE_WITH_${id}=OFF; rebuild with it ON to get ${arg_TITLE}")
  elseif(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    set(reason "${arg_TITLE} support is built on Linux only (the pinned libraries are Linux x86-64)")
  elseif(arg_DECLARED)
    set(declared ON)
    set(spec "${VTCORE_SOURCE_ROOT}/${arg_DECLARED}")
    file(GLOB generator "${VTCORE_SOURCE_ROOT}/tools/sdkgen/*.py")
    set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${spec}" ${generator})
    execute_process(
      COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${VTCORE_SOURCE_ROOT}/tools"
              "${Python_EXECUTABLE}" -m sdkgen declared --spec "${spec}" --out "${sdk_dir}/include"
      RESULT_VARIABLE generate_result
      ERROR_VARIABLE generate_error)
    if(generate_result EQUAL 0)
      set(found ON)
      set(library_versions "{}")
      set(library_sources "[]")  # the user supplies the library
      message(STATUS "${arg_TITLE} ${version}: vtcore's declarations from ${arg_DECLARED}")
    else()
      set(reason "vtcore's ${arg_TITLE} ${version} declarations could not be generated from ${arg_DECLARED}: "
                 "${generate_error}")
      message(WARNING "${reason}. vtcore is built without ${arg_TITLE}.")
    endif()
  else()
    message(STATUS "${arg_TITLE} SDK ${version}: fetching (sdk/manifest.toml)")
    execute_process(
      COMMAND "${Python_EXECUTABLE}" "${VTCORE_SOURCE_ROOT}/tools/vtcore_sdk.py" fetch
              --sdk ${lower} --api-version "${version}" --dest "${sdk_dir}"
      RESULT_VARIABLE fetch_result
      OUTPUT_VARIABLE fetch_output
      ERROR_VARIABLE fetch_error)
    set(missing "")
    foreach(header IN LISTS arg_HEADERS)
      if(NOT EXISTS "${sdk_dir}/include/${header}")
        list(APPEND missing "${header}")
      endif()
    endforeach()
    if(fetch_result EQUAL 0 AND NOT missing)
      set(found ON)
      file(READ "${sdk_dir}/sdk-info.json" info)
      string(JSON library_versions ERROR_VARIABLE no_versions GET "${info}" library_versions)
      if(no_versions)
        set(library_versions "{}")
      endif()
      # where each vendor library sits in the download cache: a gateway can extract it from there at run time
      string(JSON library_sources ERROR_VARIABLE no_sources GET "${info}" library_sources)
      if(no_sources)
        set(library_sources "[]")
      endif()
    else()
      string(REGEX MATCH "REASON: [^\n]*" fetch_reason "${fetch_error}")
      string(REPLACE "REASON: " "" fetch_reason "${fetch_reason}")
      if(missing AND fetch_result EQUAL 0)
        set(fetch_reason "the fetched artifacts lack ${missing}; fix sdk/manifest.toml")
      elseif(NOT fetch_reason)
        set(fetch_reason "the SDK fetch step failed (exit ${fetch_result}): ${fetch_error}")
      endif()
      set(reason "${arg_TITLE} SDK ${version} unavailable at build time: ${fetch_reason}; then reinstall vtcore")
      message(WARNING "${reason}. vtcore is built without ${arg_TITLE}.")
    endif()
  endif()

  if(found)
    add_library(vtcore_${lower}_headers INTERFACE)
    target_include_directories(vtcore_${lower}_headers SYSTEM INTERFACE "${sdk_dir}/include")
    target_compile_definitions(vtcore_${lower}_headers INTERFACE VTCORE_SDK_API_VERSION="${version}")
    string(JSON count LENGTH "${library_versions}")
    if(count GREATER 0)
      math(EXPR last "${count} - 1")
      foreach(index RANGE ${last})
        string(JSON role MEMBER "${library_versions}" ${index})
        string(JSON role_version GET "${library_versions}" "${role}")
        string(TOUPPER "${role}" role)
        target_compile_definitions(vtcore_${lower}_headers INTERFACE VTCORE_SDK_LIBRARY_VERSION_${role}="${role_version}")
      endforeach()
    endif()
    message(STATUS "${arg_TITLE} SDK ${version}: headers in ${sdk_dir}/include")
  else()
    message(STATUS "${arg_TITLE}: not built: ${reason}")
  endif()

  if(found)
    set(found_json "true")
  else()
    set(found_json "false")
    set(library_versions "{}")
    set(library_sources "[]")
  endif()
  _vtcore_json_string(version_json "${version}")
  _vtcore_json_string(reason_json "${reason}")
  _vtcore_json_string(title_json "${arg_TITLE}")
  if(declared)  # vtcore's own declarations: the user supplies the library (vtcore info says whether they did)
    set(declared_json "true")
  else()
    set(declared_json "false")
  endif()
  file(WRITE "${CMAKE_BINARY_DIR}/sdk_build_info/${lower}.json"
    "{\n  \"sdk\": \"${lower}\",\n  \"title\": ${title_json},\n  \"found\": ${found_json},\n"
    "  \"api_version\": ${version_json},\n  \"library_versions\": ${library_versions},\n"
    "  \"declared\": ${declared_json},\n"
    "  \"library_sources\": ${library_sources},\n"
    "  \"unavailable_reason\": ${reason_json}\n}\n")
  install(FILES "${CMAKE_BINARY_DIR}/sdk_build_info/${lower}.json" DESTINATION vtcore/gateways/_sdk/build_info)

  set(VTCORE_${id}_FOUND ${found} PARENT_SCOPE)
  set(VTCORE_${id}_API_VERSION "${version}" PARENT_SCOPE)
  set(VTCORE_${id}_SDK_DIR "${sdk_dir}" PARENT_SCOPE)
  set(VTCORE_${id}_UNAVAILABLE_REASON "${reason}" PARENT_SCOPE)
  set(VTCORE_${id}_TITLE "${arg_TITLE}" PARENT_SCOPE)
  set(VTCORE_${id}_DECLARED ${declared} PARENT_SCOPE)
  set_property(GLOBAL APPEND PROPERTY VTCORE_VENDOR_SDKS ${id})
endfunction()

# `python -m sdkgen <command> --sdk <id> --include <headers> <ARGS>` producing OUTPUTS, rerun when the generator
# or the SDK's headers change.
function(_vtcore_sdkgen id command)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "COMMENT;UNIT" "OUTPUTS;ARGS")
  string(TOLOWER "${id}" lower)
  if(arg_UNIT)
    set(lower "${arg_UNIT}")
  endif()
  file(GLOB generator CONFIGURE_DEPENDS "${VTCORE_SOURCE_ROOT}/tools/sdkgen/*.py")
  file(GLOB headers "${VTCORE_${id}_SDK_DIR}/include/*.h")
  add_custom_command(
    OUTPUT ${arg_OUTPUTS}
    COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${VTCORE_SOURCE_ROOT}/tools"
            "${Python_EXECUTABLE}" -m sdkgen ${command} --sdk ${lower} --include "${VTCORE_${id}_SDK_DIR}/include"
            ${arg_ARGS}
    DEPENDS ${generator} ${headers}
    COMMENT "sdkgen: ${arg_COMMENT}"
    VERBATIM)
endfunction()

# The generated sources of one sdkgen unit of an SDK (the binding's and the Python module), once per build tree.
# `unit` defaults to the SDK's id.
function(vtcore_sdkgen_binding id out_var)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "UNIT" "")
  string(TOLOWER "${id}" lower)
  set(unit "${arg_UNIT}")
  if(NOT unit)
    set(unit "${lower}")
  endif()
  set(out "${CMAKE_BINARY_DIR}/sdkgen/${unit}")
  set(outputs "${out}/${unit}_spi.hpp" "${out}/${unit}_requests.hpp" "${out}/${unit}_requests.cpp"
              "${out}/${unit}_layout.cpp" "${out}/_${unit}_types.py" "${out}/_${unit}_types.pyi")
  if(NOT TARGET vtcore_${unit}_sdkgen)
    _vtcore_sdkgen(${id} binding UNIT ${unit} OUTPUTS ${outputs}
      ARGS --api-version "${VTCORE_${id}_API_VERSION}" --out "${out}"
      COMMENT "the ${VTCORE_${id}_TITLE} ${VTCORE_${id}_API_VERSION} binding sources (${unit})")
    add_custom_target(vtcore_${unit}_sdkgen DEPENDS ${outputs})
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(vtcore_sdk_binding id)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MODULE" "SOURCES;UNITS")
  string(TOLOWER "${id}" lower)
  if(NOT VTCORE_${id}_FOUND)
    message(STATUS "vtcore.${arg_MODULE}: not built: ${VTCORE_${id}_UNAVAILABLE_REASON}")
    return()
  endif()
  pybind11_add_module(${arg_MODULE} ${arg_SOURCES})
  target_include_directories(${arg_MODULE} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  if(VTCORE_${id}_DECLARED)  # vtcore's own declarations and types (in the SDK's include dir): nothing to generate
    set(types "${VTCORE_${id}_SDK_DIR}/include")
    install(FILES "${types}/_${lower}_types.py" "${types}/_${lower}_types.pyi" DESTINATION vtcore/gateways/${lower})
  else()
    set(units ${arg_UNITS})
    if(NOT units)
      set(units ${lower})
    endif()
    foreach(unit IN LISTS units)
      vtcore_sdkgen_binding(${id} generated UNIT ${unit})
      target_sources(${arg_MODULE} PRIVATE "${generated}/${unit}_requests.cpp" "${generated}/${unit}_layout.cpp")
      add_dependencies(${arg_MODULE} vtcore_${unit}_sdkgen)
      target_include_directories(${arg_MODULE} PRIVATE "${generated}")
      install(FILES "${generated}/_${unit}_types.py" "${generated}/_${unit}_types.pyi" DESTINATION vtcore/gateways/${lower})
    endforeach()
  endif()
  target_link_libraries(${arg_MODULE} PRIVATE vtcore_sdk_kit vtcore_${lower}_headers)
  vtcore_target_warnings(${arg_MODULE})
  install(TARGETS ${arg_MODULE} DESTINATION vtcore)
endfunction()

# vtcore_sim_front_end(<ID> LIBRARY <name> API <ApiClass> STUBS <ClassName> FRONT_NAME <name> MAP <version script>
#                      SOURCES <file>... [DEFINITIONS <macro>...] [UNIT <sdkgen unit>])
#   One library of an SDK's simulator front-end, named lib<name>.so like the vendor's: SOURCES compiled against the
#   SDK's headers plus the request stubs `sdkgen sim-stubs` generates for API (<STUBS> in `<md|td>_stubs.hpp`),
#   linked to the simulator core, exporting exactly what MAP lists (hidden visibility, version script), with
#   RUNPATH $ORIGIN/.. to find the core. Built into <build>/sim_lib/<id>/ and installed as vtcore/sim_lib/<id>/
#   with build_info.json. UNIT names the sdkgen unit of API's header set (TORA's toraxmd); default the SDK's id.
#   Without API/STUBS (a C API: OES) no stubs are generated; MAP may be an absolute path (a declared SDK's
#   generated `<id>_exports.map`). Nothing happens when the SDK was not found.
function(vtcore_sim_front_end id)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LIBRARY;API;STUBS;MAP;FRONT_NAME;UNIT" "SOURCES;DEFINITIONS")
  string(TOLOWER "${id}" lower)
  if(NOT VTCORE_${id}_FOUND)
    message(STATUS "simulator lib${arg_LIBRARY}.so: not built: ${VTCORE_${id}_UNAVAILABLE_REASON}")
    return()
  endif()
  set(target vtcore_sim_${lower}_${arg_LIBRARY})
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/generated/${arg_LIBRARY}")
  set(stubs "")
  if(arg_STUBS AND arg_API MATCHES "Md|Quote")
    set(stubs "${generated}/md_stubs.hpp")
  elseif(arg_STUBS)
    set(stubs "${generated}/td_stubs.hpp")
  endif()
  set(unit "${arg_UNIT}")
  if(NOT unit)
    set(unit "${lower}")
  endif()
  if(stubs)
    _vtcore_sdkgen(${id} sim-stubs UNIT ${unit} OUTPUTS "${stubs}"
      ARGS --api ${arg_API} --class-name ${arg_STUBS} --output "${stubs}"
      COMMENT "${VTCORE_${id}_TITLE} simulator stubs for ${arg_API}")
  endif()
  get_filename_component(map "${arg_MAP}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  add_library(${target} SHARED ${arg_SOURCES} ${stubs})
  target_include_directories(${target} PRIVATE "${generated}" "${CMAKE_CURRENT_SOURCE_DIR}"
                             "${VTCORE_SOURCE_ROOT}/cpp/sim_thost")
  target_link_libraries(${target} PRIVATE vtcore_simcore vtcore_${lower}_headers)
  target_compile_definitions(${target} PRIVATE VTCORE_SIM_FRONT_NAME="${arg_FRONT_NAME}"
                             VTCORE_SIM_VERSION="${PROJECT_VERSION}" ${arg_DEFINITIONS})
  target_compile_options(${target} PRIVATE -O2)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${arg_LIBRARY}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/sim_lib/${lower}"
    BUILD_RPATH "$ORIGIN/.."
    INSTALL_RPATH "$ORIGIN/.."
    LINK_DEPENDS "${map}")
  # RUNPATH (not RPATH), as the vendor's consumers use; the version script leaves only the listed symbols.
  target_link_options(${target} PRIVATE "LINKER:--version-script=${map}"
                      "LINKER:--enable-new-dtags" "LINKER:--no-undefined")
  vtcore_target_warnings(${target})
  install(TARGETS ${target} LIBRARY DESTINATION vtcore/sim_lib/${lower})
  get_property(described GLOBAL PROPERTY VTCORE_SIM_DESCRIBED)
  if(NOT lower IN_LIST described)  # one build_info.json per front-end
    set_property(GLOBAL APPEND PROPERTY VTCORE_SIM_DESCRIBED ${lower})
    get_target_property(include_dirs vtcore_${lower}_headers INTERFACE_INCLUDE_DIRECTORIES)
    file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/sim_lib/${lower}/build_info.json" CONTENT
"{\"sdk\": \"${lower}\", \"api_version\": \"${VTCORE_${id}_API_VERSION}\", \"simulator_version\": \"${PROJECT_VERSION}\", \"include_dir\": \"${include_dirs}\"}
")
    install(FILES "${CMAKE_BINARY_DIR}/sim_lib/${lower}/build_info.json" DESTINATION vtcore/sim_lib/${lower})
  endif()
endfunction()
