# Defines vtcore_core: the Python-free C++ core as a static, position-independent library.
# Included by cpp/CMakeLists.txt (the wheel build) and by tests/cpp (the standalone C++ tests), so
# both build exactly the same sources.
find_package(Threads REQUIRED)

add_library(vtcore_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/event_hub.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/test_producer.cpp
)
target_include_directories(vtcore_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_compile_features(vtcore_core PUBLIC cxx_std_20)
set_target_properties(vtcore_core PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(vtcore_core PUBLIC Threads::Threads)
if(COMMAND vtcore_target_warnings)
  vtcore_target_warnings(vtcore_core)
endif()
