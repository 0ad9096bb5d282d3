# Links a libwebrtc the user built from Google's sources with depot_tools/GN, found at WEBRTC_ROOT
# (the checkout's src folder). This is the Windows path of build/build-webrtc.ps1, and the way to try
# a newer upstream on Linux. UNTESTED: the project's CI has only Debian's libtgowt-dev (see README).
#
# Expected GN arguments: is_component_build=false rtc_include_tests=false, and on Linux
# use_custom_libcxx=false (so the library uses the same C++ standard library as this shim).
# The monolithic static library is then at out/<config>/obj/webrtc.lib (libwebrtc.a on Linux).

set(WEBRTC_OUT_DIR "${WEBRTC_ROOT}/out/${CMAKE_BUILD_TYPE}" CACHE PATH "GN output folder of the libwebrtc build")
find_library(DT_WEBRTC_LIBRARY NAMES webrtc libwebrtc.a PATHS "${WEBRTC_OUT_DIR}/obj" NO_DEFAULT_PATH REQUIRED)

function(dt_link_static_libwebrtc target version_script)
  target_include_directories(${target} SYSTEM PRIVATE
    "${WEBRTC_ROOT}"
    "${WEBRTC_ROOT}/third_party/abseil-cpp"
    "${WEBRTC_ROOT}/third_party/libyuv/include")
  target_link_libraries(${target} PRIVATE "${DT_WEBRTC_LIBRARY}")
  if(WIN32)
    target_compile_definitions(${target} PRIVATE WEBRTC_WIN NOMINMAX WIN32_LEAN_AND_MEAN _WINSOCKAPI_)
    target_link_libraries(${target} PRIVATE winmm secur32 ws2_32 iphlpapi dmoguids wmcodecdspuuid msdmo strmiids)
  else()
    target_compile_definitions(${target} PRIVATE WEBRTC_POSIX WEBRTC_LINUX)
    target_link_libraries(${target} PRIVATE dl pthread)
    target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic "-Wl,--version-script=${version_script}")
  endif()
endfunction()
